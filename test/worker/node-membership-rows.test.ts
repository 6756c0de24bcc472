/**
 * What a node saves of the others at the platform's limits: 10,000 members with names of the
 * longest length (and as many graves) are saved and read back whole with every SQLite row far
 * below the 2 MB row limit; one member's change rewrites one small row, a quiet round none;
 * and a store saved in the one-row layout (schema 4) is split into chunks losing nothing.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_SQLITE_ROW_BYTES } from "../../src/node/limits.js";
import { chunkOf, MEMBER_CHUNKS } from "../../src/node/member-chunks.js";
import { LATEST_VERSION, MIGRATIONS } from "../../src/node/migrations.js";
import { type GraveRecord, type MemberRow, NodeStore } from "../../src/node/node-store.js";
import { type OthersSource, SavedOthers } from "../../src/node/saved-others.js";
import { nodeStub } from "./support/nodes.js";

/** "Well under" the limit: an eighth of it. */
const ROW_CEILING = MAX_SQLITE_ROW_BYTES / 8;
const LONGEST_NAME = 63; // NAME_PATTERN: 1-63 characters

/** `count` distinct names of the longest length a node name may have. */
function longNames(count: number, prefix: string): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`.padEnd(LONGEST_NAME, "x"));
}

function members(count: number): MemberRow[] {
  const now = Date.now();
  return longNames(count, "m").map((name, i) => ({
    name,
    generation: now + i,
    incarnation: i % 7,
    heartbeat: 100_000 + i,
    status: i % 10 === 0 ? "suspect" : "alive",
    since: now,
  }));
}

function graves(count: number): GraveRecord[] {
  const now = Date.now();
  return longNames(count, "g").map((name, i) => ({
    name,
    generation: now + i,
    incarnation: i % 5,
    left: i % 2 === 0,
    at: now,
    peer: i % 4 === 1,
  }));
}

const byName = <T extends { name: string }>(list: T[]) =>
  [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** Bytes of the largest membership row and how many rows there are. */
function rowSizes(storage: DurableObjectStorage): { largest: number; rows: number } {
  const row = storage.sql
    .exec<{ largest: number; rows: number }>(
      "SELECT MAX(LENGTH(CAST(members AS BLOB)) + LENGTH(CAST(graves AS BLOB))) AS largest, COUNT(*) AS rows FROM member_chunks",
    )
    .one();
  return { largest: Number(row.largest), rows: Number(row.rows) };
}

describe("membership rows at 10,000 members", () => {
  it("are saved and read back whole, every row far below 2 MB", { timeout: 60_000 }, async () => {
    await runInDurableObject(nodeStub("rows-scale", "n0"), (_node, state) => {
      const store = new NodeStore(state.storage);
      store.migrate();
      const saved = { members: members(10_000), graves: graves(10_000) };
      store.writing("membership", () => store.saveMembership(saved.members, saved.graves));
      expect(store.rowsByReason.membership).toBe(MEMBER_CHUNKS);
      const loaded = store.loadMembership();
      expect(byName(loaded.members)).toEqual(byName(saved.members));
      expect(byName(loaded.graves)).toEqual(byName(saved.graves));
      const { largest, rows } = rowSizes(state.storage);
      console.log(`[rows-scale] 10,000 members and 10,000 graves in ${rows} rows, largest ${largest} bytes`);
      expect(rows).toBe(MEMBER_CHUNKS);
      expect(largest).toBeLessThan(ROW_CEILING);
    });
  });

  it("one member's change rewrites one small row; a quiet round writes none", async () => {
    await runInDurableObject(nodeStub("rows-change", "n0"), (_node, state) => {
      const store = new NodeStore(state.storage);
      store.migrate();
      const all = members(10_000);
      const buried = graves(1_000);
      store.saveMembership(all, buried);
      const source: OthersSource = { members: () => all, graves: () => buried, keysOf: () => null };
      const saved = new SavedOthers(store);
      const start = Date.now();
      saved.restored(start);
      const written = () => store.rowsByReason.membership;

      // A quiet round: nothing changed, nothing written.
      let before = written();
      saved.save(source, start + 1, 5_000);
      expect(written() - before).toBe(0);

      // One member suspected: its chunk alone is rewritten, at once.
      const changed = all[1234] as MemberRow;
      changed.status = "suspect";
      saved.note({ type: "suspect", node: changed.name, generation: changed.generation, at: start });
      before = written();
      saved.save(source, start + 2, 5_000);
      expect(written() - before).toBe(1);
      const row = state.storage.sql
        .exec<{ bytes: number }>(
          "SELECT LENGTH(CAST(members AS BLOB)) + LENGTH(CAST(graves AS BLOB)) AS bytes FROM member_chunks WHERE chunk = ?",
          chunkOf(changed.name),
        )
        .one();
      expect(Number(row.bytes)).toBeLessThan(ROW_CEILING);
      expect(store.loadMembership().members.find((m) => m.name === changed.name)?.status).toBe("suspect");

      // A promotion to alive waits for the throttle, then costs its one row.
      changed.status = "alive";
      saved.note({ type: "alive", node: changed.name, generation: changed.generation, at: start });
      before = written();
      saved.save(source, start + 3, 5_000);
      expect(written() - before).toBe(0);
      saved.save(source, start + 6_000, 5_000);
      expect(written() - before).toBe(1);
    });
  });

  it("a store in the one-row layout (schema 4) is split into chunks, losing nothing", async () => {
    await runInDurableObject(nodeStub("rows-migrate", "n0"), (_node, state) => {
      const exec = (query: string, ...params: SqlStorageValue[]) =>
        state.storage.sql.exec<Record<string, SqlStorageValue>>(query, ...params).toArray();
      for (const migration of MIGRATIONS.filter((m) => m.version <= 4)) migration.up(exec);
      exec("CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
      exec("INSERT INTO schema_version VALUES (1, 4)");
      // As schema 4 saved them: every member and grave in one row, as tuples.
      const saved = { members: members(5_000), graves: graves(500) };
      exec(
        "INSERT INTO membership (id, members, graves) VALUES (1, ?, ?)",
        JSON.stringify(
          saved.members.map((m) => [m.name, m.generation, m.heartbeat, m.status, m.since, m.incarnation]),
        ),
        JSON.stringify(
          saved.graves.map((g) =>
            g.left
              ? [g.name, g.generation, g.incarnation, g.at, true]
              : [g.name, g.generation, g.incarnation, g.at],
          ),
        ),
      );
      const store = new NodeStore(state.storage);
      store.migrate();
      expect(Number(exec("SELECT version FROM schema_version")[0]?.version)).toBe(LATEST_VERSION);
      expect(exec("SELECT name FROM sqlite_master WHERE name = 'membership'")).toEqual([]);
      const loaded = store.loadMembership();
      expect(byName(loaded.members)).toEqual(byName(saved.members));
      // The one-row layout kept no `peer` flag: its graves come back as never to be tried.
      expect(byName(loaded.graves)).toEqual(byName(saved.graves.map((g) => ({ ...g, peer: false }))));
      expect(rowSizes(state.storage).rows).toBe(MEMBER_CHUNKS);
    });
  });
});
