/**
 * Agents' heartbeats and leaves, shared by `PUT`/`DELETE /v1/clusters/:cluster/agents/:agent`
 * and the service binding. The home is the `node` asked for, else the first node of a
 * rendezvous (highest-random-weight) hash of the agent's name over the cluster's registered
 * nodes that takes the call: a stopped or left node refuses, and the next one in the agent's
 * order takes it over (a new generation, a higher claim). Adding a node moves only the agents
 * that rank it first.
 */
import { fnv1a } from "../core/index.js";
import type { Env } from "../env.js";
import { readNodeError } from "../node/node-error.js";
import type { AgentClaim, AgentHeartbeat } from "../node/rpc-types.js";
import { apiError } from "./errors.js";
import { clusterNodes, isRegistered } from "./registry-cache.js";
import { nodeStub } from "./stubs.js";

/** Nodes tried in an agent's order before the call fails with `no_running_node`. */
export const AGENT_HOME_TRIES = 5;

/** Node errors that mean "not this node now": the next node in the agent's order is asked. */
const PASS_ON = new Set(["stopped", "left", "not_configured"]);

/** The cluster's nodes in the agent's rendezvous order (the first is its usual home). */
export function homeOrder(agent: string, nodes: readonly string[]): string[] {
  const score = (node: string) => fnv1a(`${agent}\u0000${node}`, fnv1a(node));
  return [...nodes].sort((a, b) => score(b) - score(a) || (a < b ? -1 : 1));
}

/** An agent's heartbeat at its home (registers it on the first call). */
export async function agentHeartbeat(
  env: Env,
  cluster: string,
  agent: string,
  body: AgentHeartbeat & { node?: string },
): Promise<AgentClaim> {
  const { node, ...heartbeat } = body;
  return onHome(env, cluster, agent, node, (home) =>
    nodeStub(env, cluster, home).agentHeartbeat(agent, heartbeat),
  );
}

/** An agent's graceful leave, announced by its home (or the next running node in its order). */
export async function agentLeave(
  env: Env,
  cluster: string,
  agent: string,
  node?: string,
): Promise<AgentClaim> {
  return onHome(env, cluster, agent, node, (home) => nodeStub(env, cluster, home).agentLeave(agent));
}

async function onHome(
  env: Env,
  cluster: string,
  agent: string,
  node: string | undefined,
  call: (home: string) => Promise<AgentClaim>,
): Promise<AgentClaim> {
  const nodes = await clusterNodes(env, cluster);
  if (nodes.length === 0) throw apiError("not_found", `cluster ${cluster} has no registered nodes`);
  if (nodes.includes(agent))
    throw apiError("conflict", `${agent} is a node of cluster ${cluster}; an agent needs another name`);
  if (node !== undefined) {
    if (!(await isRegistered(env, cluster, node)))
      throw apiError("not_found", `node ${node} of cluster ${cluster} does not exist`);
    return call(node);
  }
  const refused: string[] = [];
  for (const home of homeOrder(agent, nodes).slice(0, AGENT_HOME_TRIES)) {
    try {
      return await call(home);
    } catch (error) {
      const code = readNodeError(error)?.code;
      if (code === undefined || !PASS_ON.has(code)) throw error;
      refused.push(`${home} (${code})`);
    }
  }
  throw apiError(
    "no_running_node",
    `no node of cluster ${cluster} could host agent ${agent}; tried ${refused.join(", ")}`,
  );
}
