/**
 * The ClusterRegistry Durable Object (one object, named "registry"): which nodes each cluster
 * has, and which of them are configured to run. A GossipNode registers itself when configured
 * or started (running), tells the registry when it stops or leaves (not running), and removes
 * itself when deregistered. The API lists a cluster's nodes from here; the cron keeper walks
 * the running ones a page per tick (`keeperPage`), from a cursor kept here, so a registry of
 * any size is covered over successive ticks within each tick's subrequest budget. It is read
 * rarely and written on lifecycle changes only, so one object is no hot spot. It also keeps each
 * cluster's token epoch: scoped tokens minted before the epoch was last raised are refused.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { NAME_PATTERN } from "./limits.js";
import type { ClusterRegistryRpc, RegisteredNode } from "./rpc-types.js";

export { REGISTRY_NAME } from "./rpc-types.js";

/** Most nodes one register() call may add. */
const MAX_NODES_PER_CALL = 1000;

/** Most nodes one keeperPage() call answers. */
const MAX_PAGE = 1000;

export class ClusterRegistry extends DurableObject<Env> implements ClusterRegistryRpc {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const sql = ctx.storage.sql;
      sql.exec(
        `CREATE TABLE IF NOT EXISTS members (
           cluster TEXT NOT NULL,
           node TEXT NOT NULL,
           running INTEGER NOT NULL DEFAULT 1,
           PRIMARY KEY (cluster, node)
         ) WITHOUT ROWID`,
      );
      // Registries saved before the running flag: every node counts as running until it
      // says otherwise (a stopped one does at its next keeper visit).
      const layout = sql
        .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'members'")
        .one().sql;
      if (!/\brunning\b/.test(layout))
        sql.exec("ALTER TABLE members ADD COLUMN running INTEGER NOT NULL DEFAULT 1");
      sql.exec(
        "CREATE TABLE IF NOT EXISTS token_epochs (cluster TEXT PRIMARY KEY, epoch INTEGER NOT NULL) WITHOUT ROWID",
      );
      // Where the keeper's next page begins: the last node it was given.
      sql.exec(
        `CREATE TABLE IF NOT EXISTS keeper_cursor (
           id INTEGER PRIMARY KEY CHECK (id = 1), cluster TEXT NOT NULL, node TEXT NOT NULL
         )`,
      );
    });
  }

  async register(cluster: string, nodes: string[]): Promise<void> {
    checkName(cluster, "cluster");
    if (!Array.isArray(nodes) || nodes.length > MAX_NODES_PER_CALL) throw new RangeError("invalid node list");
    for (const node of nodes) checkName(node, "node");
    for (const node of nodes) {
      this.ctx.storage.sql.exec(
        `INSERT INTO members (cluster, node, running) VALUES (?, ?, 1)
         ON CONFLICT (cluster, node) DO UPDATE SET running = 1 WHERE running = 0`,
        cluster,
        node,
      );
    }
  }

  async setRunning(cluster: string, node: string, running: boolean): Promise<void> {
    checkName(cluster, "cluster");
    checkName(node, "node");
    if (typeof running !== "boolean") throw new RangeError("running must be a boolean");
    const flag = running ? 1 : 0;
    this.ctx.storage.sql.exec(
      "UPDATE members SET running = ? WHERE cluster = ? AND node = ? AND running != ?",
      flag,
      cluster,
      node,
      flag,
    );
  }

  async remove(cluster: string, node: string): Promise<boolean> {
    checkName(cluster, "cluster");
    checkName(node, "node");
    const cursor = this.ctx.storage.sql.exec(
      "DELETE FROM members WHERE cluster = ? AND node = ?",
      cluster,
      node,
    );
    cursor.toArray();
    return cursor.rowsWritten > 0;
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

  async all(): Promise<Array<RegisteredNode & { running: boolean }>> {
    return this.ctx.storage.sql
      .exec<{ cluster: string; node: string; running: number }>(
        "SELECT cluster, node, running FROM members ORDER BY cluster, node",
      )
      .toArray()
      .map((row) => ({ cluster: row.cluster, node: row.node, running: Number(row.running) === 1 }));
  }

  async tokenEpoch(cluster: string): Promise<number> {
    checkName(cluster, "cluster");
    const row = this.ctx.storage.sql
      .exec<{ epoch: number }>("SELECT epoch FROM token_epochs WHERE cluster = ?", cluster)
      .toArray()[0];
    return row ? Number(row.epoch) : 0;
  }

  async raiseTokenEpoch(cluster: string): Promise<number> {
    checkName(cluster, "cluster");
    return this.ctx.storage.sql
      .exec<{ epoch: number }>(
        `INSERT INTO token_epochs (cluster, epoch) VALUES (?, 1)
         ON CONFLICT (cluster) DO UPDATE SET epoch = epoch + 1 RETURNING epoch`,
        cluster,
      )
      .one().epoch;
  }

  async keeperPage(limit: number): Promise<RegisteredNode[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new RangeError("invalid page size");
    const sql = this.ctx.storage.sql;
    const cursor = sql
      .exec<{ cluster: string; node: string }>("SELECT cluster, node FROM keeper_cursor WHERE id = 1")
      .toArray()[0];
    const after = cursor ?? { cluster: "", node: "" };
    const page = sql
      .exec<{ cluster: string; node: string }>(
        `SELECT cluster, node FROM members WHERE running = 1 AND (cluster, node) > (?, ?)
         ORDER BY cluster, node LIMIT ?`,
        after.cluster,
        after.node,
        limit,
      )
      .toArray();
    if (page.length < limit && cursor) {
      // The end was reached: go on from the start, up to where this page began.
      page.push(
        ...sql
          .exec<{ cluster: string; node: string }>(
            `SELECT cluster, node FROM members WHERE running = 1 AND (cluster, node) <= (?, ?)
             ORDER BY cluster, node LIMIT ?`,
            cursor.cluster,
            cursor.node,
            limit - page.length,
          )
          .toArray(),
      );
    }
    const last = page.at(-1);
    if (last) {
      sql.exec(
        `INSERT INTO keeper_cursor (id, cluster, node) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET cluster = excluded.cluster, node = excluded.node`,
        last.cluster,
        last.node,
      );
    }
    return page.map(({ cluster, node }) => ({ cluster, node }));
  }
}

function checkName(name: unknown, what: string): asserts name is string {
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) throw new RangeError(`invalid ${what} name`);
}
