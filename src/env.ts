/**
 * The Worker's bindings, as declared in wrangler.toml and set as secrets.
 * One shared type for the Worker entry, the Hono app and the Durable Object.
 */
import type { ClusterRegistry } from "./node/cluster-registry.js";
import type { GossipNode } from "./node/gossip-node.js";

export interface Env {
  /** One Durable Object per gossip node, addressed by `<cluster>/<node>`. */
  GOSSIP_NODE: DurableObjectNamespace<GossipNode>;
  /** One object, named "registry": which nodes each cluster has. */
  CLUSTER_REGISTRY: DurableObjectNamespace<ClusterRegistry>;
  /** Bearer token for mutating API calls. Unset = mutating calls are refused. */
  API_TOKEN?: string;
  /** Optional bearer token for read-only API calls. */
  READ_TOKEN?: string;
  /** Concurrent event streams per node and isolate (default 32, see api/stream-hub.ts). */
  MAX_STREAMS_PER_NODE?: string;
}
