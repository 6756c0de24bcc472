/**
 * How the API reaches the GossipNode Durable Objects: one per `<cluster>/<node>` (registries
 * are reached through node/registries.ts). Also the fan-out budget of a single API request.
 */
import type { Env } from "../env.js";
import type { LocationHint } from "../node/limits.js";
import type { GossipNodeRpc } from "../node/rpc-types.js";

/**
 * Durable Object calls in flight at once during a fan-out (bootstrap, cluster summary).
 * Every call is a subrequest, within the per-invocation limits declared in
 * node/subrequests.ts. A summary page makes at most NODES_PER_INVOCATION + 1 (one registry
 * read, one brief per node), within the Free plan's. A bootstrap call makes at most
 * NODES_PER_INVOCATION (one configure per node of its page; each node registers itself, from
 * its own budget), so a cluster of any size is started over several calls (bootstrap-plan.ts).
 */
export const FAN_OUT_CONCURRENCY = 32;

/**
 * A stub of one node, typed by its RPC contract. `getByName` already gives a typed stub, but
 * the runtime's RPC types widen tuples (a DigestEntry becomes `(string | number)[]`), so the
 * stub is narrowed to the contract the node implements (`GossipNode implements GossipNodeRpc`).
 */
export function nodeStub(env: Env, cluster: string, node: string, region?: LocationHint): GossipNodeRpc {
  const name = `${cluster}/${node}`;
  // The hint places the object when it is first created; later it is ignored.
  const stub = region
    ? env.GOSSIP_NODE.getByName(name, { locationHint: region })
    : env.GOSSIP_NODE.getByName(name);
  return stub as unknown as GossipNodeRpc;
}
