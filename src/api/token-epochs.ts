/**
 * Each cluster's token epoch (kept by the ClusterRegistry), cached in this isolate for a few
 * seconds so a scoped token costs no registry call per request. Revoking raises the epoch;
 * every isolate sees it within TOKEN_EPOCH_CACHE_MS, so a revoked token stops working
 * everywhere within that time (the revoking isolate at once).
 */
import type { Env } from "../env.js";
import { registryStub } from "./stubs.js";

/** How long an isolate trusts a cluster's epoch, ms (revocation reaches every isolate within it). */
export const TOKEN_EPOCH_CACHE_MS = 5_000;
/** Clusters whose epoch an isolate remembers (oldest dropped first). */
const MAX_CLUSTERS = 1_000;

const cache = new Map<string, { epoch: number; at: number }>();

function remember(cluster: string, epoch: number): number {
  cache.delete(cluster);
  cache.set(cluster, { epoch, at: Date.now() });
  while (cache.size > MAX_CLUSTERS) cache.delete(cache.keys().next().value as string);
  return epoch;
}

/** The cluster's epoch; `fresh` asks the registry even when this isolate has a recent answer. */
export async function tokenEpoch(env: Env, cluster: string, fresh = false): Promise<number> {
  const hit = cache.get(cluster);
  if (!fresh && hit && Date.now() - hit.at < TOKEN_EPOCH_CACHE_MS) return hit.epoch;
  return remember(cluster, await registryStub(env).tokenEpoch(cluster));
}

/** Revokes every scoped token of the cluster minted so far; answers the new epoch. */
export async function revokeTokens(env: Env, cluster: string): Promise<number> {
  return remember(cluster, await registryStub(env).raiseTokenEpoch(cluster));
}
