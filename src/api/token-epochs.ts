/**
 * Each cluster's token epoch (kept by the ClusterRegistry), cached in this isolate for a few
 * seconds so a scoped token costs no registry call per request. Revoking raises the epoch;
 * every isolate sees it within TOKEN_EPOCH_CACHE_MS, so a revoked token stops working
 * everywhere within that time (the revoking isolate at once).
 */
import type { Env } from "../env.js";
import { clusterRegistry, withinDeadline } from "../node/registries.js";
import { IsolateCache } from "./isolate-cache.js";

/** How long an isolate trusts a cluster's epoch, ms (revocation reaches every isolate within it). */
export const TOKEN_EPOCH_CACHE_MS = 5_000;

const epochs = new IsolateCache<number>(TOKEN_EPOCH_CACHE_MS, 1_000);

/** The cluster's epoch; `fresh` asks the registry even when this isolate has a recent answer. */
export async function tokenEpoch(env: Env, cluster: string, fresh = false): Promise<number> {
  const hit = fresh ? undefined : epochs.get(cluster);
  if (hit !== undefined) return hit;
  return epochs.set(cluster, await withinDeadline(clusterRegistry(env, cluster).tokenEpoch(cluster)));
}

/** Revokes every scoped token of the cluster minted so far; answers the new epoch. */
export async function revokeTokens(env: Env, cluster: string): Promise<number> {
  return epochs.set(cluster, await withinDeadline(clusterRegistry(env, cluster).raiseTokenEpoch(cluster)));
}
