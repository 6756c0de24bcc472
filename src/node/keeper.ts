/**
 * The cron keeper: on every scheduled() tick, asks the next page of nodes the registry lists
 * as running to re-arm their alarm loop if it has stopped (alarms can be lost: a failed retry
 * chain, a deleted alarm, an operator's mistake). A page is NODES_PER_INVOCATION nodes, one
 * call each, so a tick stays within the subrequest budget (subrequests.ts) with one call to the
 * registry; the registry keeps the cursor, so successive ticks cover every running node,
 * however many, and start over. Stopped, left and deregistered nodes are not visited.
 */
import type { Env } from "../env.js";
import { REGISTRY_NAME } from "./cluster-registry.js";
import type { ClusterRegistryRpc } from "./rpc-types.js";
import { NODES_PER_INVOCATION } from "./subrequests.js";

/** Nodes visited per tick. */
export const KEEPER_PAGE = NODES_PER_INVOCATION;

export interface KeeperReport {
  /** Nodes visited this tick, as `<cluster>/<node>`. */
  visited: string[];
  /** How many were visited (visited.length). */
  checked: number;
  rearmed: string[];
  failed: string[];
}

export async function keepNodesRunning(env: Env): Promise<KeeperReport> {
  const registry = env.CLUSTER_REGISTRY.getByName(REGISTRY_NAME) as unknown as ClusterRegistryRpc;
  const visited = (await registry.keeperPage(KEEPER_PAGE)).map(({ cluster, node }) => `${cluster}/${node}`);
  const report: KeeperReport = { visited, checked: visited.length, rearmed: [], failed: [] };
  const results = await Promise.allSettled(
    visited.map((name) => env.GOSSIP_NODE.getByName(name).ensureRunning()),
  );
  results.forEach((result, i) => {
    const name = visited[i] as string;
    if (result.status === "rejected") report.failed.push(name);
    else if (result.value) report.rearmed.push(name);
  });
  if (report.rearmed.length > 0 || report.failed.length > 0) {
    console.log(
      `keeper: re-armed ${report.rearmed.length}, failed ${report.failed.length} of ${report.checked}`,
    );
  }
  return report;
}
