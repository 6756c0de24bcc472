/**
 * How a GossipNode keeps the registries' record of itself current (its cluster's registry and
 * the keeper's directory, see registries.ts): registered and running when configured or
 * started, not running when stopped or left. Marking it running must succeed in both before
 * the node runs (the API or the keeper would never find it otherwise), so a failure or a
 * registry past its deadline fails the call and changes nothing in the node. Marking it not
 * running is best effort, after the fact: a stale "running" costs the keeper one visit, which
 * corrects it (see GossipNode.ensureRunning). A node registered when one registry served every
 * cluster lists itself in its cluster's own registry at its next round (`listInCluster`).
 */
import type { Env } from "../env.js";
import { NodeError, readNodeError } from "./node-error.js";
import { clusterRegistry, keeperDirectory, withinDeadline } from "./registries.js";

/** Registers the node as running; throws `registry_unavailable` when a registry cannot be reached. */
export async function markRunning(env: Env, cluster: string, node: string): Promise<void> {
  try {
    await withinDeadline(clusterRegistry(env, cluster).register(cluster, [node]));
    await withinDeadline(keeperDirectory(env).register(cluster, [node]));
  } catch (error) {
    if (readNodeError(error)) throw error;
    throw new NodeError(
      "registry_unavailable",
      `could not register ${cluster}/${node}: ${String(error)}; retry`,
    );
  }
}

/**
 * Lists a running node registered before registries were per cluster (its `listed` flag is
 * false) in its cluster's own registry; the keeper's directory has it already. True once
 * listed; a failure is logged and the next round tries again.
 */
export async function listInCluster(env: Env, cluster: string, node: string): Promise<boolean> {
  try {
    await withinDeadline(clusterRegistry(env, cluster).register(cluster, [node]));
    return true;
  } catch (error) {
    console.warn(`${cluster}/${node}: could not list the node in its cluster's registry`, error);
    return false;
  }
}

/** Records that the node no longer runs; a failure is logged, never thrown. */
export async function markNotRunning(env: Env, cluster: string, node: string): Promise<void> {
  const results = await Promise.allSettled([
    withinDeadline(clusterRegistry(env, cluster).setRunning(cluster, node, false)),
    withinDeadline(keeperDirectory(env).setRunning(cluster, node, false)),
  ]);
  for (const result of results) {
    if (result.status === "rejected")
      console.warn(`${cluster}/${node}: could not tell a registry it stopped`, result.reason);
  }
}
