/**
 * Which nodes a cluster has, as the cluster's own registry says, cached in this isolate. Reads
 * check here before they touch a node, so a read of an unknown node creates no Durable Object
 * (and no storage). Three rules keep registries off the hot path:
 * - a cluster's list is trusted for REGISTRY_CACHE_MS, and a name it does not list is asked
 *   again at most every REGISTRY_RECHECK_MS;
 * - a cluster with no registered node is remembered as unknown for REGISTRY_UNKNOWN_MS, in
 *   a cache of its own (bounded in entries), so reads of random names cost at most one
 *   registry call per name and isolate in that time and never push known clusters out;
 * - when a refresh fails, or takes longer than REGISTRY_STALE_AFTER_MS, the last list is
 *   served (for up to REGISTRY_STALE_MS): agent homes keep their node lists and their agents
 *   keep heartbeating while a registry is slow or down. With no list to fall back on, the
 *   call fails with 503 `registry_unavailable` after the registry's deadline.
 */
import type { Env } from "../env.js";
import { clusterRegistry, REGISTRY_TIMEOUT_MS, withinDeadline } from "../node/registries.js";
import { ApiError, apiError } from "./errors.js";
import { nodeStub } from "./stubs.js";
import { stringBytes, TtlCache } from "./ttl-cache.js";

/** How long a registry answer is trusted for names it lists, ms. */
export const REGISTRY_CACHE_MS = 5_000;
/** Least time between two registry reads of one cluster for names it did not list, ms. */
export const REGISTRY_RECHECK_MS = 250;
/** How long a cluster with no registered node is answered as unknown without asking, ms. */
export const REGISTRY_UNKNOWN_MS = 1_000;
/** How long a refresh may take before the last list is served instead (it goes on), ms. */
export const REGISTRY_STALE_AFTER_MS = 1_000;
/** How long a list is kept to fall back on when its registry fails, ms. */
export const REGISTRY_STALE_MS = 10 * 60_000;
/** Clusters remembered per isolate, known and unknown each (oldest dropped first). */
const MAX_CLUSTERS = 1_000;

interface Entry {
  nodes: string[];
  known: Set<string>;
  /** When the registry said so. */
  at: number;
  /** When a refresh last failed or ran late (the next waits REGISTRY_RECHECK_MS). */
  failedAt?: number;
}

const known = new TtlCache<Entry>({
  maxBytes: 16 * 1024 * 1024,
  maxEntryBytes: 1024 * 1024,
  maxEntries: MAX_CLUSTERS,
});
const unknown = new TtlCache<true>({
  maxBytes: Number.POSITIVE_INFINITY,
  maxEntryBytes: 1,
  maxEntries: MAX_CLUSTERS,
});

function keep(cluster: string, entry: Entry): void {
  const bytes = stringBytes(entry.nodes.join(",")) * 2 + 200;
  known.set(cluster, entry, bytes, entry.at + REGISTRY_STALE_MS, Date.now());
}

/** Asks the registry, caching the answer (unknown clusters apart). */
async function ask(env: Env, cluster: string): Promise<Entry> {
  const nodes = await withinDeadline(clusterRegistry(env, cluster).nodes(cluster), REGISTRY_TIMEOUT_MS);
  const entry: Entry = { nodes, known: new Set(nodes), at: Date.now() };
  if (nodes.length === 0) {
    known.delete(cluster);
    unknown.set(cluster, true, 1, entry.at + REGISTRY_UNKNOWN_MS, entry.at);
  } else {
    unknown.delete(cluster);
    keep(cluster, entry);
  }
  return entry;
}

/** A fresh list: the last one if the registry fails or is slow (see above), else a 503. */
async function refresh(env: Env, cluster: string): Promise<Entry> {
  const last = known.stale(cluster);
  const asking = ask(env, cluster);
  if (!last) {
    try {
      return await asking;
    } catch (error) {
      throw unavailable(cluster, error);
    }
  }
  asking.catch(() => undefined); // served stale below: a late failure is not unhandled
  const late = new Promise<null>((resolve) => setTimeout(() => resolve(null), REGISTRY_STALE_AFTER_MS));
  try {
    const answer = await Promise.race([asking, late]);
    if (answer) return answer;
  } catch (error) {
    console.warn(`registry of ${cluster} failed; serving its list of ${Date.now() - last.at} ms ago`, error);
  }
  last.failedAt = Date.now();
  return last;
}

function unavailable(cluster: string, error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return apiError(
    "registry_unavailable",
    `the registry of cluster ${cluster} did not answer; retry (${String(error)})`,
  );
}

/** Whether the cached entry may be used as it is for a name it does not list. */
function recentlyAsked(entry: Entry, now: number): boolean {
  return now - Math.max(entry.at, entry.failedAt ?? 0) < REGISTRY_RECHECK_MS;
}

/** The cluster's registered nodes, sorted (empty for an unknown cluster). */
export async function clusterNodes(env: Env, cluster: string): Promise<readonly string[]> {
  const now = Date.now();
  const entry = known.stale(cluster);
  if (entry && (now - entry.at < REGISTRY_CACHE_MS || recentlyAsked(entry, now))) return entry.nodes;
  if (!entry && unknown.get(cluster, now)) return [];
  return (await refresh(env, cluster)).nodes;
}

/** Whether the registry lists this node (asks it again when the cache cannot say yes). */
export async function isRegistered(env: Env, cluster: string, node: string): Promise<boolean> {
  const now = Date.now();
  let entry = known.stale(cluster);
  if (entry?.known.has(node) && (now - entry.at < REGISTRY_CACHE_MS || recentlyAsked(entry, now)))
    return true;
  if (!entry && unknown.get(cluster, now)) return false;
  if (!entry || !recentlyAsked(entry, now)) entry = await refresh(env, cluster);
  return entry.known.has(node);
}

/** Records nodes this isolate has just configured (they registered themselves). */
export function noteRegistered(cluster: string, nodes: readonly string[]): void {
  if (nodes.length === 0) return;
  unknown.delete(cluster);
  const entry = known.stale(cluster);
  if (!entry) return;
  for (const node of nodes) {
    if (entry.known.has(node)) continue;
    entry.known.add(node);
    entry.nodes = [...entry.known].sort();
  }
}

/** Forgets a node this isolate has just deregistered (other isolates learn within REGISTRY_CACHE_MS). */
export function noteDeregistered(cluster: string, node: string): void {
  const entry = known.stale(cluster);
  if (!entry?.known.delete(node)) return;
  entry.nodes = entry.nodes.filter((name) => name !== node);
}

/** The node's stub, once the registry lists it; 404 `not_found` (naming what is unknown) otherwise. */
export async function knownNode(env: Env, cluster: string, node: string) {
  if (!(await isRegistered(env, cluster, node))) {
    const clusterKnown = (known.stale(cluster)?.nodes.length ?? 0) > 0;
    throw apiError(
      "not_found",
      clusterKnown
        ? `node ${node} of cluster ${cluster} does not exist`
        : `cluster ${cluster} has no registered nodes`,
    );
  }
  return nodeStub(env, cluster, node);
}

/** Forgets everything this isolate cached (tests that count registry calls start afresh). */
export function clearRegistryCache(): void {
  for (const cache of [known, unknown]) for (const key of cache.keys()) cache.delete(key);
}
