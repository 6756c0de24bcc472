/**
 * Which nodes a cluster has, as the ClusterRegistry says, cached in this isolate. Reads check
 * here before they touch a node, so a read of an unknown node creates no Durable Object (and
 * no storage), while the one registry object is asked at most four times a second per cluster
 * and isolate for names it does not know, and every few seconds for names it does.
 */
import type { Env } from "../env.js";
import { apiError } from "./errors.js";
import { nodeStub, registryStub } from "./stubs.js";

/** How long a registry answer is trusted for names it lists, ms. */
export const REGISTRY_CACHE_MS = 5_000;
/** Least time between two registry reads of one cluster for names it did not list, ms. */
export const REGISTRY_RECHECK_MS = 250;
/** Clusters remembered per isolate (oldest dropped first). */
const MAX_CLUSTERS = 1_000;

interface Entry {
  nodes: string[];
  known: Set<string>;
  at: number;
}

const cache = new Map<string, Entry>();

async function refresh(env: Env, cluster: string): Promise<Entry> {
  const nodes = await registryStub(env).nodes(cluster);
  const entry: Entry = { nodes, known: new Set(nodes), at: Date.now() };
  cache.delete(cluster);
  cache.set(cluster, entry);
  while (cache.size > MAX_CLUSTERS) cache.delete(cache.keys().next().value as string);
  return entry;
}

/** The cluster's registered nodes, sorted (empty for an unknown cluster). */
export async function clusterNodes(env: Env, cluster: string): Promise<readonly string[]> {
  const entry = cache.get(cluster);
  if (entry && Date.now() - entry.at < REGISTRY_CACHE_MS) return entry.nodes;
  return (await refresh(env, cluster)).nodes;
}

/** Whether the registry lists this node (asks it again when the cache cannot say yes). */
export async function isRegistered(env: Env, cluster: string, node: string): Promise<boolean> {
  let entry = cache.get(cluster);
  const age = entry ? Date.now() - entry.at : Number.POSITIVE_INFINITY;
  if (entry?.known.has(node) && age < REGISTRY_CACHE_MS) return true;
  if (!entry || age >= REGISTRY_RECHECK_MS) entry = await refresh(env, cluster);
  return entry.known.has(node);
}

/** Records nodes this isolate has just configured (they registered themselves). */
export function noteRegistered(cluster: string, nodes: readonly string[]): void {
  const entry = cache.get(cluster);
  if (!entry) return;
  for (const node of nodes) {
    if (entry.known.has(node)) continue;
    entry.known.add(node);
    entry.nodes = [...entry.known].sort();
  }
}

/** Forgets a node this isolate has just deregistered (other isolates learn within REGISTRY_CACHE_MS). */
export function noteDeregistered(cluster: string, node: string): void {
  const entry = cache.get(cluster);
  if (!entry?.known.delete(node)) return;
  entry.nodes = entry.nodes.filter((name) => name !== node);
}

/** The node's stub, once the registry lists it; 404 `not_found` (naming what is unknown) otherwise. */
export async function knownNode(env: Env, cluster: string, node: string) {
  if (!(await isRegistered(env, cluster, node))) {
    const clusterKnown = (cache.get(cluster)?.nodes.length ?? 0) > 0;
    throw apiError(
      "not_found",
      clusterKnown
        ? `node ${node} of cluster ${cluster} does not exist`
        : `cluster ${cluster} has no registered nodes`,
    );
  }
  return nodeStub(env, cluster, node);
}
