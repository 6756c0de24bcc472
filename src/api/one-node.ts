/**
 * Reads answered from one node's view (members, owners): the node named in `from`, or a
 * running node chosen at random so load spreads, trying the next ones when it cannot answer
 * (stopped, left, overloaded).
 */
import type { Env } from "../env.js";
import { readNodeError } from "../node/node-error.js";
import type { GossipNodeRpc } from "../node/rpc-types.js";
import { apiError } from "./errors.js";
import { clusterNodes, isRegistered } from "./registry-cache.js";
import { nodeStub } from "./stubs.js";

/** Nodes tried, one after another, when the default node cannot answer (stopped, left). */
export const ONE_NODE_TRIES = 3;

/** Runs `ask` on the node `from`, or on a running node of the cluster. */
export async function askOneNode<T>(
  env: Env,
  cluster: string,
  from: string | undefined,
  ask: (node: GossipNodeRpc) => Promise<T>,
): Promise<T> {
  if (from !== undefined) {
    if (!(await isRegistered(env, cluster, from)))
      throw apiError("not_found", `node ${from} of cluster ${cluster} does not exist`);
    return ask(nodeStub(env, cluster, from));
  }
  const nodes = await clusterNodes(env, cluster);
  if (nodes.length === 0) throw apiError("not_found", `cluster ${cluster} has no registered nodes`);
  const start = Math.floor(Math.random() * nodes.length);
  const tries = Math.min(ONE_NODE_TRIES, nodes.length);
  const refused: string[] = [];
  for (let i = 0; i < tries; i++) {
    const node = nodes[(start + i) % nodes.length] as string;
    try {
      return await ask(nodeStub(env, cluster, node));
    } catch (error) {
      // A stopped, left or overloaded node cannot answer: the next one may.
      const code = readNodeError(error)?.code ?? "failed";
      refused.push(`${node} (${code})`);
    }
  }
  throw apiError(
    "no_running_node",
    `no running node of cluster ${cluster} answered; tried ${refused.join(", ")}. Retry, or pass ?from=`,
  );
}
