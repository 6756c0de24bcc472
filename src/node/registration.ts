/**
 * How a GossipNode keeps the ClusterRegistry's record of itself current: registered and
 * running when configured or started, not running when stopped or left. Marking it running
 * must succeed before the node runs (the keeper would never visit it otherwise), so a failure
 * fails the call and changes nothing. Marking it not running is best effort, after the fact:
 * a stale "running" costs the keeper one visit, which corrects it (see GossipNode.ensureRunning).
 */
import type { Env } from "../env.js";
import { REGISTRY_NAME } from "./cluster-registry.js";
import type { ClusterRegistryRpc } from "./rpc-types.js";

function registry(env: Env): ClusterRegistryRpc {
  return env.CLUSTER_REGISTRY.getByName(REGISTRY_NAME) as unknown as ClusterRegistryRpc;
}

/** Registers the node as running; throws when the registry cannot be reached. */
export async function markRunning(env: Env, cluster: string, node: string): Promise<void> {
  await registry(env).register(cluster, [node]);
}

/** Records that the node no longer runs; a failure is logged, never thrown. */
export async function markNotRunning(env: Env, cluster: string, node: string): Promise<void> {
  try {
    await registry(env).setRunning(cluster, node, false);
  } catch (error) {
    console.warn(`${cluster}/${node}: could not tell the registry it stopped`, error);
  }
}
