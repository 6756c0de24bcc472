/**
 * Where registries are, and how long anyone waits for one. A cluster's registry is the
 * ClusterRegistry object named after the cluster; the keeper's directory is the one named
 * KEEPER_DIRECTORY (cluster-registry.ts says what each holds). Every call to either has a
 * deadline, REGISTRY_TIMEOUT_MS, so a registry that does not answer fails a configure or
 * start clearly (`registry_unavailable`, nothing changed) instead of holding it open.
 */
import type { Env } from "../env.js";
import { NodeError } from "./node-error.js";
import { type ClusterRegistryRpc, KEEPER_DIRECTORY } from "./rpc-types.js";

/** Longest wait for a registry's answer, ms. */
export const REGISTRY_TIMEOUT_MS = 10_000;

/** The stub of a registry, as the contract the class implements (its results survive RPC as typed). */
function registryNamed(env: Env, name: string): ClusterRegistryRpc {
  return env.CLUSTER_REGISTRY.getByName(name);
}

/** The registry of one cluster. */
export function clusterRegistry(env: Env, cluster: string): ClusterRegistryRpc {
  return registryNamed(env, cluster);
}

/** The keeper's directory: every running node of every cluster. */
export function keeperDirectory(env: Env): ClusterRegistryRpc {
  return registryNamed(env, KEEPER_DIRECTORY);
}

/** `call`'s answer, or a `registry_unavailable` NodeError once `ms` have passed without one. */
export async function withinDeadline<T>(call: Promise<T>, ms = REGISTRY_TIMEOUT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new NodeError("registry_unavailable", `the cluster registry did not answer within ${ms} ms; retry`),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([call, late]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
