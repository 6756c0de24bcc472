/**
 * What a GossipNode writes to SQLite, as a bill payer would notice it: a converged cluster
 * writes one row per round (the alarm) from the moment it converges, a woken node still knows
 * every member's status and keys, a node saved by an older version (a row per peer and
 * per grave, rowid tables) is upgraded in place without losing its view, and a node never
 * configured stores nothing.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { LATEST_VERSION } from "../../src/node/migrations.js";
import { NodeStore } from "../../src/node/node-store.js";
import type { NodeCounters, NodeView } from "../../src/node/rpc-types.js";
import { names, nodeStub, startCluster, stopAll, TEST_OPTIONS, views, waitFor } from "./support/nodes.js";

const stopped: Array<[string, string[]]> = [];

afterAll(async () => {
  for (const [cluster, nodes] of stopped) await stopAll(cluster, nodes);
});

function allAlive(all: NodeView[], size: number): boolean {
  return all.every(
    (view) =>
      view.members.length === size &&
      view.members.every((member) => member.node === view.node || member.status === "alive"),
  );
}

function total(all: NodeView[], key: keyof NodeCounters): number {
  return all.reduce((sum, view) => sum + view.counters[key], 0);
}

describe("storage rows", () => {
  it("a converged cluster writes well under one row per round, from the moment it converges", {
    timeout: 120_000,
  }, async () => {
    const cluster = "rows8";
    const nodes = names(8);
    stopped.push([cluster, nodes]);
    await startCluster(cluster, nodes.length, ["n0", "n1"]);
    // The window starts as soon as everyone sees everyone alive, as the bench's does: the
    // saves of the last joins and promotions to alive must not spill into it.
    const first = await waitFor(
      "every node to see 8 alive members",
      async () => {
        const all = await views(cluster, nodes);
        return allAlive(all, nodes.length) ? all : undefined;
      },
      60_000,
      200,
    );
    const windowRounds = 30;
    const last = await waitFor(
      `${windowRounds} more rounds per node`,
      async () => {
        const all = await views(cluster, nodes);
        const rounds = total(all, "rounds") - total(first, "rounds");
        return rounds >= windowRounds * nodes.length ? all : undefined;
      },
      90_000,
      500,
    );
    const rounds = total(last, "rounds") - total(first, "rounds");
    const per = (key: keyof NodeCounters) => (total(last, key) - total(first, key)) / rounds;
    console.log(
      `[rows8] over ${rounds} rounds in ${per("alarmsRun").toFixed(3)} alarms per round: ${per("storageRowsWritten").toFixed(3)} rows per round ` +
        `(alarm ${per("storageRowsAlarm").toFixed(3)}, membership ${per("storageRowsMembership").toFixed(3)}, ` +
        `peer keys ${per("storageRowsPeerKeys").toFixed(3)}, heartbeat ${per("storageRowsHeartbeat").toFixed(3)}), ` +
        `${per("activeMs").toFixed(1)} active ms per round`,
    );
    // A quiet node wakes (one alarm, one row) every few rounds, backing off to roundsPerWake
    // from the change that converged it; nothing else is written in a quiet round.
    expect(per("alarmsRun")).toBeLessThan(0.5);
    expect(per("storageRowsWritten")).toBeLessThan(0.5);
    expect(per("storageRowsPeerKeys")).toBe(0);
    expect(per("storageRowsOwnKeys")).toBe(0);
  });

  it("a woken node knows every member's status and keys before its next round", {
    timeout: 60_000,
  }, async () => {
    const cluster = "wake4";
    const nodes = names(4);
    stopped.push([cluster, nodes]);
    // Saves unthrottled, so the test need not wait out snapshotEveryMs.
    await startCluster(cluster, nodes.length, ["n0"], undefined, { ...TEST_OPTIONS, snapshotEveryMs: 0 });
    await nodeStub(cluster, "n2").setKey("zone", "eu");
    const before = await waitFor(
      "n1 to see everyone alive and n2's key",
      async () => {
        const [view] = await views(cluster, ["n1"]);
        const ok =
          view &&
          allAlive([view], nodes.length) &&
          view.members.find((member) => member.node === "n2")?.state.zone === "eu";
        return ok ? view : undefined;
      },
      30_000,
      100,
    );
    // Statuses learned while answering a peer are saved after n1's next round: let one pass.
    await waitFor("n1 to run two more rounds", async () => {
      const [view] = await views(cluster, ["n1"]);
      return (view?.counters.rounds ?? 0) >= before.counters.rounds + 2;
    });
    // Stop n1's loop so the view after eviction is what it read back, not a new round's.
    await runInDurableObject(nodeStub(cluster, "n1"), (_node, state) => state.storage.deleteAlarm());
    const [settled] = await views(cluster, ["n1"]);
    await evictDurableObject(nodeStub(cluster, "n1"));
    const [woken] = await views(cluster, ["n1"]);
    expect(woken?.counters.rounds).toBe(0);
    const summary = (view: NodeView | undefined) =>
      view?.members
        .filter((member) => member.node !== "n1")
        .map(({ node, generation, status, state }) => ({ node, generation, status, state }));
    expect(summary(woken)).toEqual(summary(settled));
    expect(woken?.counters.storageRowsWritten).toBe(0);
    await nodeStub(cluster, "n1").ensureRunning();
  });

  it("upgrades a node saved in the old layout (a row per peer) and keeps its view", async () => {
    const cluster = "old";
    const stub = () => nodeStub(cluster, "n0");
    stopped.push([cluster, ["n0"]]);
    await stub().configure({ cluster, node: "n0", seeds: [], options: TEST_OPTIONS });
    await stub().setKey("kept", "yes");
    await stub().stop();
    const generation = Date.now();
    const peer = {
      name: "n1",
      generation,
      heartbeat: 42,
      maxVersion: 1,
      gcVersion: 0,
      keys: [["colour", "red", 1]],
    };
    // Rewrite the others and the own keys as the previous version stored them.
    await runInDurableObject(stub(), (_node, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE schema_version"); // written before migrations were numbered
      sql.exec("DROP TABLE member_chunks");
      sql.exec("DROP TABLE peer_keys");
      sql.exec("ALTER TABLE own_keys RENAME TO own_keys_new");
      sql.exec(
        "CREATE TABLE own_keys (key TEXT PRIMARY KEY, value TEXT, version INTEGER NOT NULL, tombstone_at INTEGER)",
      );
      sql.exec("INSERT INTO own_keys SELECT * FROM own_keys_new");
      sql.exec("DROP TABLE own_keys_new");
      sql.exec(
        "CREATE TABLE peers (name TEXT PRIMARY KEY, status TEXT NOT NULL, since INTEGER NOT NULL, state TEXT NOT NULL)",
      );
      sql.exec(
        "CREATE TABLE graves (name TEXT PRIMARY KEY, generation INTEGER NOT NULL, heartbeat INTEGER NOT NULL, at INTEGER NOT NULL)",
      );
      sql.exec("INSERT INTO peers VALUES ('n1', 'alive', ?, ?)", generation, JSON.stringify(peer));
      sql.exec("INSERT INTO graves VALUES ('n9', 1, 5, ?)", Date.now());
    });
    await evictDurableObject(stub());
    const view = (await stub().view()) as NodeView;
    expect(view.self.state).toEqual({ kept: "yes" });
    expect(view.members.find((member) => member.node === "n1")).toMatchObject({
      generation,
      status: "alive",
      state: { colour: "red" },
    });
    const tables = await runInDurableObject(stub(), (_node, state) =>
      state.storage.sql
        .exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        .toArray(),
    );
    const names_ = tables.map((table) => table.name).sort();
    expect(names_).not.toContain("peers");
    expect(names_).not.toContain("graves");
    expect(tables.find((table) => table.name === "own_keys")?.sql).toMatch(/WITHOUT ROWID/i);
    const graves = await runInDurableObject(stub(), (_node, state) =>
      new NodeStore(state.storage).loadMembership(),
    );
    // The old layout kept a heartbeat where the incarnation stands now: it reads as 0.
    expect(graves.graves).toEqual([
      { name: "n9", generation: 1, incarnation: 0, left: false, at: expect.any(Number), peer: false },
    ]);
  });
});

describe("storage layout", () => {
  async function tables(stub: ReturnType<typeof nodeStub>): Promise<string[]> {
    return runInDurableObject(stub, (_node, state) =>
      state.storage.sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name",
        )
        .toArray()
        .map((row) => row.name),
    );
  }

  it("a never-configured node stores nothing, even after reads", async () => {
    const stub = () => nodeStub("layout-unknown", "n0");
    expect(await stub().view()).toBeNull();
    expect(await stub().ensureRunning()).toBe(false);
    await stub().events(0);
    expect(await tables(stub())).toEqual([]);
    await evictDurableObject(stub());
    expect(await stub().view()).toBeNull();
    expect(await tables(stub())).toEqual([]);
  });

  it("opens a store of the first layout (unnumbered) and upgrades it to the latest", async () => {
    const cluster = "layout-first";
    const stub = () => nodeStub(cluster, "n0");
    stopped.push([cluster, ["n0"]]);
    const generation = Date.now();
    const peer = { name: "n1", generation, heartbeat: 7, maxVersion: 1, gcVersion: 0, keys: [["k", "v", 1]] };
    // Written as the first release wrote it: rowid own_keys, a row per peer and per grave.
    await runInDurableObject(stub(), (_node, state) => {
      const sql = state.storage.sql;
      sql.exec(`CREATE TABLE node (id INTEGER PRIMARY KEY CHECK (id = 1), cluster TEXT NOT NULL,
        node TEXT NOT NULL, seeds TEXT NOT NULL, config TEXT NOT NULL, options TEXT NOT NULL,
        generation INTEGER NOT NULL, started_at INTEGER NOT NULL, heartbeat INTEGER NOT NULL,
        self_status TEXT NOT NULL, running INTEGER NOT NULL, gc_version INTEGER NOT NULL)`);
      sql.exec(
        "CREATE TABLE own_keys (key TEXT PRIMARY KEY, value TEXT, version INTEGER NOT NULL, tombstone_at INTEGER)",
      );
      sql.exec(
        "CREATE TABLE peers (name TEXT PRIMARY KEY, status TEXT NOT NULL, since INTEGER NOT NULL, state TEXT NOT NULL)",
      );
      sql.exec(
        "CREATE TABLE graves (name TEXT PRIMARY KEY, generation INTEGER NOT NULL, heartbeat INTEGER NOT NULL, at INTEGER NOT NULL)",
      );
      sql.exec(
        `INSERT INTO node VALUES (1, ?, 'n0', '[]', '{}', ?, ?, ?, 0, 'alive', 0, 0)`,
        cluster,
        JSON.stringify(TEST_OPTIONS),
        generation,
        generation,
      );
      sql.exec("INSERT INTO own_keys VALUES ('mine', 'yes', 1, NULL)");
      sql.exec("INSERT INTO peers VALUES ('n1', 'alive', ?, ?)", generation, JSON.stringify(peer));
      sql.exec("INSERT INTO graves VALUES ('n9', 1, 5, ?)", Date.now());
    });
    await evictDurableObject(stub());
    const view = (await stub().view()) as NodeView;
    expect(view).toMatchObject({ running: false, generation, self: { state: { mine: "yes" } } });
    expect(view.members.find((member) => member.node === "n1")).toMatchObject({
      generation,
      status: "alive",
      state: { k: "v" },
    });
    expect(await tables(stub())).toEqual([
      "hosted_agents",
      "member_chunks",
      "node",
      "own_keys",
      "peer_keys",
      "schema_version",
      "tree",
    ]);
    const version = await runInDurableObject(stub(), (_node, state) =>
      state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").one(),
    );
    expect(version.version).toBe(LATEST_VERSION);
    // A restart from it keeps the key and the grave.
    const restarted = await stub().start();
    expect(restarted.self.state).toEqual({ mine: "yes" });
    const graves = await runInDurableObject(stub(), (_node, state) =>
      new NodeStore(state.storage).loadMembership(),
    );
    // The old layout kept a heartbeat where the incarnation stands now: it reads as 0.
    expect(graves.graves).toEqual([
      { name: "n9", generation: 1, incarnation: 0, left: false, at: expect.any(Number), peer: false },
    ]);
  });
});
