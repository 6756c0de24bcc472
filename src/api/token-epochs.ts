/**
 * Each cluster's token epoch (kept by the ClusterRegistry), cached in this isolate for a few
 * seconds so a scoped token costs no registry call per request. Revoking raises the epoch;
 * every isolate sees it within TOKEN_EPOCH_CACHE_MS, so a revoked token stops working
 * everywhere within that time (the revoking isolate at once).
 */
import type { Env } from "../env.js";
import { clusterRegistry, withinDeadline } from "../node/registries.js";
import { keepFor, stringBytes, TtlCache } from "./ttl-cache.js";

/** How long an isolate trusts a cluster's epoch, ms (revocation reaches every isolate within it). */
export const TOKEN_EPOCH_CACHE_MS = 5_000;

/** Epochs of this many clusters at most (an entry is its name and a number). */
const epochs = new TtlCache<number>({ maxBytes: 1024 * 1024, maxEntryBytes: 1024, maxEntries: 1_000 });

/** Keeps a cluster's epoch for TOKEN_EPOCH_CACHE_MS; answers it. */
function keep(cluster: string, epoch: number): number {
  return keepFor(epochs, cluster, epoch, stringBytes(cluster) + 8, TOKEN_EPOCH_CACHE_MS);
}

/** The cluster's epoch; `fresh` asks the registry even when this isolate has a recent answer. */
export async function tokenEpoch(env: Env, cluster: string, fresh = false): Promise<number> {
  const hit = fresh ? undefined : epochs.get(cluster, Date.now());
  if (hit !== undefined) return hit;
  return keep(cluster, await withinDeadline(clusterRegistry(env, cluster).tokenEpoch(cluster)));
}

/** Revokes every scoped token of the cluster minted so far; answers the new epoch. */
export async function revokeTokens(env: Env, cluster: string): Promise<number> {
  return keep(cluster, await withinDeadline(clusterRegistry(env, cluster).raiseTokenEpoch(cluster)));
}
