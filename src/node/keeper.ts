/**
 * The cron keeper: on every scheduled() tick, asks the next page of nodes the keeper's
 * directory lists as running to re-arm their alarm loop if it has stopped (alarms can be lost:
 * a failed retry chain, a deleted alarm, an operator's mistake). A page is NODES_PER_INVOCATION
 * nodes, one call each, so a tick stays within the subrequest budget (subrequests.ts) with one
 * call to the directory; the directory keeps the cursor, so successive ticks cover every
 * running node, however many, and start over. Stopped, left and deregistered nodes are not
 * visited. From what the budget keeps back, each tick also copies the rows of up to
 * MIGRATED_PER_TICK clusters that the directory holds from when it was the one registry of
 * every cluster into those clusters' own registries (see cluster-registry.ts).
 */
import type { Env } from "../env.js";
import { clusterRegistry, keeperDirectory } from "./registries.js";
import { KEEPER_PAGE, MIGRATED_PER_TICK } from "./subrequests.js";

export interface KeeperReport {
  /** Nodes visited this tick, as `<cluster>/<node>`. */
  visited: string[];
  /** How many were visited (visited.length). */
  checked: number;
  rearmed: string[];
  failed: string[];
  /** Clusters whose rows from the one registry of old were copied into their own this tick. */
  migrated: string[];
}

export async function keepNodesRunning(env: Env): Promise<KeeperReport> {
  const directory = keeperDirectory(env);
  const visited = (await directory.keeperPage(KEEPER_PAGE)).map(({ cluster, node }) => `${cluster}/${node}`);
  const report: KeeperReport = { visited, checked: visited.length, rearmed: [], failed: [], migrated: [] };
  const results = await Promise.allSettled(
    visited.map((name) => env.GOSSIP_NODE.getByName(name).ensureRunning()),
  );
  results.forEach((result, i) => {
    const name = visited[i] as string;
    if (result.status === "rejected") report.failed.push(name);
    else if (result.value) report.rearmed.push(name);
  });
  try {
    for (const { cluster, nodes } of await directory.unlisted(MIGRATED_PER_TICK)) {
      await clusterRegistry(env, cluster).adopt(cluster, nodes);
      await directory.markListed(
        cluster,
        nodes.map((entry) => entry.node),
      );
      report.migrated.push(cluster);
    }
  } catch (error) {
    console.warn("keeper: could not copy the old registry's rows (the next tick retries)", error);
  }
  if (report.rearmed.length > 0 || report.failed.length > 0) {
    console.log(
      `keeper: re-armed ${report.rearmed.length}, failed ${report.failed.length} of ${report.checked}`,
    );
  }
  return report;
}
