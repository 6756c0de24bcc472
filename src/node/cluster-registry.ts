/**
 * The ClusterRegistry Durable Object (one object, named "registry"): which nodes each cluster
 * has. GossipNode.configure() registers itself here; the API lists a cluster's nodes from it
 * and the cron keeper walks it to re-arm nodes whose alarm loop stopped. It is read rarely and
 * written once per node, so one object is no hot spot.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { NAME_PATTERN } from "./limits.js";
import type { ClusterRegistryRpc } from "./rpc-types.js";

export { REGISTRY_NAME } from "./rpc-types.js";

/** Most nodes one register() call may add. */
const MAX_NODES_PER_CALL = 1000;

export class ClusterRegistry extends DurableObject<Env> implements ClusterRegistryRpc {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        `CREATE TABLE IF NOT EXISTS members (
           cluster TEXT NOT NULL,
           node TEXT NOT NULL,
           PRIMARY KEY (cluster, node)
         ) WITHOUT ROWID`,
      );
    });
  }

  async register(cluster: string, nodes: string[]): Promise<void> {
    if (typeof cluster !== "string" || !NAME_PATTERN.test(cluster))
      throw new RangeError("invalid cluster name");
    if (!Array.isArray(nodes) || nodes.length > MAX_NODES_PER_CALL) throw new RangeError("invalid node list");
    for (const node of nodes) {
      if (typeof node !== "string" || !NAME_PATTERN.test(node)) throw new RangeError("invalid node name");
    }
    for (const node of nodes) {
      this.ctx.storage.sql.exec("INSERT OR IGNORE INTO members (cluster, node) VALUES (?, ?)", cluster, node);
    }
  }

  async nodes(cluster: string): Promise<string[]> {
    return this.ctx.storage.sql
      .exec<{ node: string }>("SELECT node FROM members WHERE cluster = ? ORDER BY node", String(cluster))
      .toArray()
      .map((row) => row.node);
  }

  async clusters(): Promise<string[]> {
    return this.ctx.storage.sql
      .exec<{ cluster: string }>("SELECT DISTINCT cluster FROM members ORDER BY cluster")
      .toArray()
      .map((row) => row.cluster);
  }

  async all(): Promise<Array<{ cluster: string; node: string }>> {
    return this.ctx.storage.sql
      .exec<{ cluster: string; node: string }>("SELECT cluster, node FROM members ORDER BY cluster, node")
      .toArray()
      .map((row) => ({ cluster: row.cluster, node: row.node }));
  }
}
