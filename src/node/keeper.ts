/**
 * The cron keeper: on every scheduled() tick, asks each registered node to re-arm its alarm
 * loop if it is configured, running and has no alarm (alarms can be lost: a failed retry
 * chain, a deleted alarm, an operator's mistake). Nodes that are stopped or left stay so.
 */
import type { Env } from "../env.js";
import { REGISTRY_NAME } from "./cluster-registry.js";

/** Nodes asked at once. */
const BATCH = 32;

export interface KeeperReport {
  checked: number;
  rearmed: string[];
  failed: string[];
}

export async function keepNodesRunning(env: Env): Promise<KeeperReport> {
  const pairs = await env.CLUSTER_REGISTRY.getByName(REGISTRY_NAME).all();
  const report: KeeperReport = { checked: pairs.length, rearmed: [], failed: [] };
  for (let i = 0; i < pairs.length; i += BATCH) {
    const batch = pairs.slice(i, i + BATCH).map(({ cluster, node }) => `${cluster}/${node}`);
    const results = await Promise.allSettled(
      batch.map((name) => env.GOSSIP_NODE.getByName(name).ensureRunning()),
    );
    results.forEach((result, j) => {
      const name = batch[j] as string;
      if (result.status === "rejected") report.failed.push(name);
      else if (result.value) report.rearmed.push(name);
    });
  }
  if (report.rearmed.length > 0 || report.failed.length > 0) {
    console.log(
      `keeper: re-armed ${report.rearmed.length}, failed ${report.failed.length} of ${report.checked}`,
    );
  }
  return report;
}
