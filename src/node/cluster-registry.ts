/**
 * The ClusterRegistry Durable Object, in two roles (one class, one table layout):
 * - **one per cluster**, named after it (`registries.ts`): which nodes the cluster has and
 *   which run. The API lists a cluster's nodes from here, so reads of one cluster never reach
 *   another's registry and no object serves every cluster. An object asked about a cluster
 *   that never registered a node stores nothing: its tables are created by the first write.
 * - **the keeper's directory**, the one object named KEEPER_DIRECTORY: every running node of
 *   every cluster, which the cron keeper walks a page per tick (`keeperPage`) from a cursor
 *   kept here. It is written on lifecycle changes only and read once a tick, never by the
 *   API. It is the object that, before registries were per cluster, served every cluster: its
 *   rows of that time are marked not yet `listed` and the keeper copies them into the
 *   per-cluster registries (`unlisted`, `adopt`, `markListed`), a few clusters a tick.
 * A GossipNode registers itself in both when configured or started (running), tells both
 * when it stops or leaves, and the API removes it from both when it is deregistered.
 * Each cluster's registry also keeps its token epoch: scoped tokens minted before the epoch was
 * last raised are refused.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { NAME_PATTERN } from "./limits.js";
import type { ClusterRegistryRpc, RegisteredNode, UnlistedCluster } from "./rpc-types.js";

/** Most nodes one register() call may add. */
const MAX_NODES_PER_CALL = 1000;

/** Most nodes one keeperPage() call answers. */
const MAX_PAGE = 1000;

export class ClusterRegistry extends DurableObject<Env> implements ClusterRegistryRpc {
  /** Whether the tables exist: never, until the first write (reads of unknown names store nothing). */
  private ready: boolean;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.ready =
      ctx.storage.sql
        .exec<{ n: number }>(
          "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'members'",
        )
        .one().n > 0;
    if (this.ready) ctx.blockConcurrencyWhile(async () => this.createTables());
  }

  /** Creates (or upgrades) the tables; run by the first write and on every start once they exist. */
  private createTables(): void {
    const sql = this.ctx.storage.sql;
    sql.exec(
      `CREATE TABLE IF NOT EXISTS members (
         cluster TEXT NOT NULL,
         node TEXT NOT NULL,
         running INTEGER NOT NULL DEFAULT 1,
         PRIMARY KEY (cluster, node)
       ) WITHOUT ROWID`,
    );
    const layout = sql
      .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'members'")
      .one().sql;
    // Registries saved before the running flag: every node counts as running until it
    // says otherwise (a stopped one does at its next keeper visit).
    if (!/\brunning\b/.test(layout))
      sql.exec("ALTER TABLE members ADD COLUMN running INTEGER NOT NULL DEFAULT 1");
    // Rows of the one registry of old are not yet in their cluster's registry (listed = 0);
    // every row written since is.
    if (!/\blisted\b/.test(layout))
      sql.exec("ALTER TABLE members ADD COLUMN listed INTEGER NOT NULL DEFAULT 0");
    sql.exec(
      "CREATE TABLE IF NOT EXISTS token_epochs (cluster TEXT PRIMARY KEY, epoch INTEGER NOT NULL) WITHOUT ROWID",
    );
    // Where the keeper's next page begins: the last node it was given.
    sql.exec(
      `CREATE TABLE IF NOT EXISTS keeper_cursor (
         id INTEGER PRIMARY KEY CHECK (id = 1), cluster TEXT NOT NULL, node TEXT NOT NULL
       )`,
    );
    this.ready = true;
  }

  private writable(): SqlStorage {
    if (!this.ready) this.createTables();
    return this.ctx.storage.sql;
  }

  async register(cluster: string, nodes: string[]): Promise<void> {
    checkName(cluster, "cluster");
    if (!Array.isArray(nodes) || nodes.length > MAX_NODES_PER_CALL) throw new RangeError("invalid node list");
    for (const node of nodes) checkName(node, "node");
    const sql = this.writable();
    for (const node of nodes) {
      sql.exec(
        `INSERT INTO members (cluster, node, running, listed) VALUES (?, ?, 1, 1)
         ON CONFLICT (cluster, node) DO UPDATE SET running = 1, listed = 1 WHERE running = 0 OR listed = 0`,
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
    if (!this.ready) return;
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
    if (!this.ready) return false;
    const cursor = this.ctx.storage.sql.exec(
      "DELETE FROM members WHERE cluster = ? AND node = ?",
      cluster,
      node,
    );
    cursor.toArray();
    return cursor.rowsWritten > 0;
  }

  async nodes(cluster: string): Promise<string[]> {
    if (!this.ready) return [];
    return this.ctx.storage.sql
      .exec<{ node: string }>("SELECT node FROM members WHERE cluster = ? ORDER BY node", String(cluster))
      .toArray()
      .map((row) => row.node);
  }

  async clusters(): Promise<string[]> {
    if (!this.ready) return [];
    return this.ctx.storage.sql
      .exec<{ cluster: string }>("SELECT DISTINCT cluster FROM members ORDER BY cluster")
      .toArray()
      .map((row) => row.cluster);
  }

  async all(): Promise<Array<RegisteredNode & { running: boolean }>> {
    if (!this.ready) return [];
    return this.ctx.storage.sql
      .exec<{ cluster: string; node: string; running: number }>(
        "SELECT cluster, node, running FROM members ORDER BY cluster, node",
      )
      .toArray()
      .map((row) => ({ cluster: row.cluster, node: row.node, running: Number(row.running) === 1 }));
  }

  async tokenEpoch(cluster: string): Promise<number> {
    checkName(cluster, "cluster");
    if (!this.ready) return 0;
    const row = this.ctx.storage.sql
      .exec<{ epoch: number }>("SELECT epoch FROM token_epochs WHERE cluster = ?", cluster)
      .toArray()[0];
    return row ? Number(row.epoch) : 0;
  }

  async raiseTokenEpoch(cluster: string): Promise<number> {
    checkName(cluster, "cluster");
    return this.writable()
      .exec<{ epoch: number }>(
        `INSERT INTO token_epochs (cluster, epoch) VALUES (?, 1)
         ON CONFLICT (cluster) DO UPDATE SET epoch = epoch + 1 RETURNING epoch`,
        cluster,
      )
      .one().epoch;
  }

  async keeperPage(limit: number): Promise<RegisteredNode[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new RangeError("invalid page size");
    if (!this.ready) return [];
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

  async unlisted(clusters: number): Promise<UnlistedCluster[]> {
    if (!Number.isInteger(clusters) || clusters < 1 || clusters > MAX_PAGE)
      throw new RangeError("invalid count");
    if (!this.ready) return [];
    const rows = this.ctx.storage.sql
      .exec<{ cluster: string; node: string; running: number }>(
        `SELECT cluster, node, running FROM members WHERE listed = 0 AND cluster IN
           (SELECT DISTINCT cluster FROM members WHERE listed = 0 ORDER BY cluster LIMIT ?)
         ORDER BY cluster, node LIMIT ?`,
        clusters,
        clusters * MAX_NODES_PER_CALL,
      )
      .toArray();
    const out = new Map<string, UnlistedCluster>();
    for (const row of rows) {
      let entry = out.get(row.cluster);
      if (!entry) {
        entry = { cluster: row.cluster, nodes: [] };
        out.set(row.cluster, entry);
      }
      if (entry.nodes.length < MAX_NODES_PER_CALL)
        entry.nodes.push({ node: row.node, running: row.running === 1 });
    }
    return [...out.values()];
  }

  async adopt(cluster: string, nodes: Array<{ node: string; running: boolean }>): Promise<void> {
    checkName(cluster, "cluster");
    if (!Array.isArray(nodes) || nodes.length > MAX_NODES_PER_CALL) throw new RangeError("invalid node list");
    for (const entry of nodes) checkName(entry?.node, "node");
    const sql = this.writable();
    for (const { node, running } of nodes) {
      // What this registry already holds is newer than the copy: it is kept.
      sql.exec(
        "INSERT INTO members (cluster, node, running, listed) VALUES (?, ?, ?, 1) ON CONFLICT (cluster, node) DO NOTHING",
        cluster,
        node,
        running === true ? 1 : 0,
      );
    }
  }

  async markListed(cluster: string, nodes: string[]): Promise<void> {
    checkName(cluster, "cluster");
    if (!Array.isArray(nodes) || nodes.length > MAX_NODES_PER_CALL) throw new RangeError("invalid node list");
    if (!this.ready) return;
    for (const node of nodes) {
      checkName(node, "node");
      this.ctx.storage.sql.exec(
        "UPDATE members SET listed = 1 WHERE cluster = ? AND node = ? AND listed = 0",
        cluster,
        node,
      );
    }
  }
}

function checkName(name: unknown, what: string): asserts name is string {
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) throw new RangeError(`invalid ${what} name`);
}
