/**
 * The node's reliability promises as a user would notice them: a write that was not stored
 * is never gossiped nor its version reused, versions keep growing across restarts, an
 * unchanged configure is a retry, a restart keeps forgotten members forgotten, a leave that
 * reached no one says so, a bad peer-keys row fails alone, and the state limits count what is
 * stored (per node, and the cluster-wide budget, answered as HTTP 413).
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { CLUSTER_STATE_BUDGET_BYTES, MAX_NODE_STATE_BYTES } from "../../src/node/limits.js";
import { readNodeError } from "../../src/node/node-error.js";
import { NodeStore } from "../../src/node/node-store.js";
import type { NodeView, StartRequest } from "../../src/node/rpc-types.js";
import { callJson, expectError } from "./support/api.js";
import {
  names,
  nodeStub,
  startCluster,
  stopAll,
  TEST_CONFIG,
  TEST_OPTIONS,
  views,
  waitFor,
} from "./support/nodes.js";

const started: Array<{ cluster: string; nodes: string[] }> = [];

afterEach(async () => {
  for (const { cluster, nodes } of started.splice(0)) await stopAll(cluster, nodes);
});

async function cluster(
  name: string,
  size: number,
  seeds = ["n0"],
  options = TEST_OPTIONS,
): Promise<string[]> {
  const nodes = names(size);
  started.push({ cluster: name, nodes });
  await startCluster(name, size, seeds, TEST_CONFIG, options);
  return nodes;
}

async function errorOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

function memberOf(view: NodeView, node: string) {
  return view.members.find((member) => member.node === node);
}

async function view(name: string, node: string): Promise<NodeView> {
  return (await views(name, [node]))[0] as NodeView;
}

async function converged(name: string, nodes: string[]): Promise<void> {
  await waitFor(`${name} to converge`, async () =>
    (await views(name, nodes)).every(
      (one) =>
        one.members.length === nodes.length &&
        one.members.every((member) => member.node === one.node || member.status === "alive"),
    ),
  );
}

/** Waits until `node` has run `count` more rounds. */
async function rounds(name: string, node: string, count: number): Promise<void> {
  const from = (await view(name, node)).counters.rounds;
  await waitFor(
    `${count} rounds of ${name}/${node}`,
    async () => (await view(name, node)).counters.rounds >= from + count,
  );
}

describe("owner writes", () => {
  it("a write whose row failed to store is refused, never gossiped, its version not reused", async () => {
    const nodes = await cluster("rel-store", 2, ["n0"], { ...TEST_OPTIONS, snapshotEveryMs: 0 });
    await converged("rel-store", nodes);
    const first = await nodeStub("rel-store", "n0").setKey("a", "first");
    await runInDurableObject(nodeStub("rel-store", "n0"), (node) => {
      node.faults.failOwnKeyWrites = 1;
    });
    const failed = await errorOf(nodeStub("rel-store", "n0").setKey("a", "lost"));
    expect(readNodeError(failed)).toBeNull(); // a fault, answered as 500 by the API
    const after = await view("rel-store", "n0");
    expect(after.self.state).toEqual({ a: "first" });
    expect(after.self.maxVersion).toBe(first.version);
    await rounds("rel-store", "n1", 5);
    expect(memberOf(await view("rel-store", "n1"), "n0")?.state).toEqual({ a: "first" });
    // After a wake-up the next write takes the next version, and that one spreads.
    await evictDurableObject(nodeStub("rel-store", "n0"));
    await nodeStub("rel-store", "n0").ensureRunning();
    const next = await nodeStub("rel-store", "n0").setKey("a", "second");
    expect(next.version).toBe(first.version + 1);
    await waitFor("n1 to hear the second write", async () => {
      const n0 = memberOf(await view("rel-store", "n1"), "n0");
      return n0?.state.a === "second" && n0.maxVersion === next.version;
    });
  });

  it("versions keep growing across restarts and wake-ups", async () => {
    await cluster("rel-versions", 1, []);
    const stub = () => nodeStub("rel-versions", "n0");
    for (const value of ["1", "2", "3"]) await stub().setKey("a", value);
    const deleted = await stub().deleteKey("a");
    expect(deleted.version).toBe(4);
    await stub().stop();
    const restarted = await stub().start();
    expect(restarted.self.maxVersion).toBeGreaterThanOrEqual(4);
    await evictDurableObject(stub());
    const b = await stub().setKey("b", "x");
    expect(b.version).toBeGreaterThan(4);
    // Live keys are re-announced with new versions above every version given out before.
    await stub().stop();
    const again = await stub().start();
    expect(again.self.state).toEqual({ b: "x" });
    expect(again.self.maxVersion).toBeGreaterThan(b.version);
    expect((await stub().setKey("c", "y")).version).toBe(again.self.maxVersion + 1);
  });
});

describe("configure", () => {
  it("an unchanged request on a running node is a retry; a changed one starts a new generation", async () => {
    await cluster("rel-config", 1, []);
    const request: StartRequest = {
      cluster: "rel-config",
      node: "n0",
      seeds: [],
      config: TEST_CONFIG,
      options: TEST_OPTIONS,
    };
    const before = await view("rel-config", "n0");
    await rounds("rel-config", "n0", 2);
    const retried = await nodeStub("rel-config", "n0").configure(request);
    expect(retried.generation).toBe(before.generation);
    expect(retried.self.heartbeat).toBeGreaterThan(before.self.heartbeat); // nothing restarted
    const changed = await nodeStub("rel-config", "n0").configure({ ...request, seeds: ["n1"] });
    expect(changed.generation).toBeGreaterThan(before.generation);
    expect(changed.seeds).toEqual(["n1"]);
  });

  it("rpcTimeoutMs defaults to half the interval, at most 500 ms", async () => {
    started.push({ cluster: "rel-timeout", nodes: ["n0", "n1"] });
    const fast = await nodeStub("rel-timeout", "n0").configure({
      cluster: "rel-timeout",
      node: "n0",
      seeds: [],
      config: { intervalMs: 200 },
    });
    expect(fast.options.rpcTimeoutMs).toBe(100);
    const slow = await nodeStub("rel-timeout", "n1").configure({
      cluster: "rel-timeout",
      node: "n1",
      seeds: [],
      config: { intervalMs: 5000 },
    });
    expect(slow.options.rpcTimeoutMs).toBe(500);
  });
});

describe("restarts and leaves", () => {
  it("a restart keeps the graves: a forgotten member stays forgotten", async () => {
    // n1 knows g; n0 has buried g (as if it had forgotten it) and is then restarted.
    await cluster("rel-graves", 2, ["g"]);
    started.push({ cluster: "rel-graves", nodes: ["g"] });
    const g = await nodeStub("rel-graves", "g").configure({
      cluster: "rel-graves",
      node: "g",
      seeds: [],
      config: TEST_CONFIG,
      options: TEST_OPTIONS,
    });
    await waitFor("n1 to know g", async () => memberOf(await view("rel-graves", "n1"), "g") !== undefined);
    await nodeStub("rel-graves", "g").stop();
    await nodeStub("rel-graves", "n0").stop();
    await runInDurableObject(nodeStub("rel-graves", "n0"), (_node, state) => {
      const grave = {
        name: "g",
        generation: g.generation,
        incarnation: Number.MAX_SAFE_INTEGER,
        left: false,
        peer: true,
      };
      new NodeStore(state.storage).saveMembership([], [{ ...grave, at: Date.now() }]);
    });
    await evictDurableObject(nodeStub("rel-graves", "n0"));
    await nodeStub("rel-graves", "n0").configure({
      cluster: "rel-graves",
      node: "n0",
      seeds: ["n1"],
      config: TEST_CONFIG,
      options: TEST_OPTIONS,
    });
    await waitFor(
      "n0 to see n1 alive",
      async () => memberOf(await view("rel-graves", "n0"), "n1")?.status === "alive",
    );
    await rounds("rel-graves", "n0", 5);
    expect(memberOf(await view("rel-graves", "n1"), "g")).toBeDefined(); // n1 still offers g
    expect(memberOf(await view("rel-graves", "n0"), "g")).toBeUndefined();
  });

  it("a leave no peer took answers leave_unconfirmed, and a retry succeeds", async () => {
    const nodes = await cluster("rel-leave", 2);
    await converged("rel-leave", nodes);
    await nodeStub("rel-leave", "n1").stop();
    const failed = await errorOf(nodeStub("rel-leave", "n0").leave());
    expect(readNodeError(failed)?.code).toBe("leave_unconfirmed");
    const n0 = await view("rel-leave", "n0");
    expect(n0).toMatchObject({ running: false, status: "left" });
    expect(readNodeError(await errorOf(nodeStub("rel-leave", "n0").setKey("x", "1")))?.code).toBe("left");
    await nodeStub("rel-leave", "n1").start();
    const left = await nodeStub("rel-leave", "n0").leave();
    expect(left).toMatchObject({ running: false, status: "left" });
    await waitFor(
      "n1 to see n0 left",
      async () => memberOf(await view("rel-leave", "n1"), "n0")?.status === "left",
    );
    // Confirmed now: another leave is a no-op that answers at once.
    expect((await nodeStub("rel-leave", "n0").leave()).status).toBe("left");
  });
});

describe("storage of others", () => {
  it("one peer-keys row that fails to save fails alone, is counted and not retried every round", async () => {
    const nodes = await cluster("rel-rows", 3, ["n0"], { ...TEST_OPTIONS, snapshotEveryMs: 0 });
    await converged("rel-rows", nodes);
    await runInDurableObject(nodeStub("rel-rows", "n0"), (node) => {
      node.faults.failPeerKeyRows = ["n1"];
    });
    await nodeStub("rel-rows", "n1").setKey("k", "from n1");
    await nodeStub("rel-rows", "n2").setKey("k", "from n2");
    await waitFor("n0 to hear both keys", async () => {
      const n0 = await view("rel-rows", "n0");
      return memberOf(n0, "n1")?.state.k === "from n1" && memberOf(n0, "n2")?.state.k === "from n2";
    });
    await rounds("rel-rows", "n0", 3);
    const errors = (await view("rel-rows", "n0")).counters.storageErrors;
    expect(errors).toBeGreaterThanOrEqual(1);
    const saved = await runInDurableObject(nodeStub("rel-rows", "n0"), (_node, state) =>
      state.storage.sql
        .exec<{ name: string }>("SELECT name FROM peer_keys ORDER BY name")
        .toArray()
        .map((row) => row.name),
    );
    expect(saved).toEqual(["n2"]);
    await rounds("rel-rows", "n0", 5);
    const later = await view("rel-rows", "n0");
    expect(later.counters.storageErrors).toBe(errors); // the dirty set was cleared
    expect(later.counters.roundErrors).toBe(0);
  });
});

describe("state limits count what is stored", () => {
  it("a node's keys stay under the row limit however much they grow when JSON-escaped", async () => {
    await cluster("rel-escaped", 1, []);
    const value = "\u0001".repeat(4096); // 4096 characters, 6 bytes each as JSON
    let accepted = 0;
    let refusal: unknown = null;
    for (let i = 0; i < 100 && refusal === null; i++) {
      try {
        await nodeStub("rel-escaped", "n0").setKey(`k${i}`, value);
        accepted++;
      } catch (error) {
        refusal = error;
      }
    }
    expect(readNodeError(refusal)?.code).toBe("state_budget_exceeded");
    expect(accepted).toBeGreaterThan(40);
    const self = (await view("rel-escaped", "n0")).self;
    // The row a peer saves for these keys is JSON of the snapshot: under the limit.
    const keys = Object.entries(self.state).map(([key, v], i) => [key, v, i + 1]);
    const row = JSON.stringify({ name: "n0", generation: self.generation, heartbeat: 1e12, keys });
    expect(new TextEncoder().encode(row).length).toBeLessThanOrEqual(MAX_NODE_STATE_BYTES);
  });

  it("refuses a write past the cluster-wide budget with HTTP 413", async () => {
    await cluster("rel-budget", 1, []);
    // Pause n0 and give it saved peers whose keys take the budget, then wake it from them.
    await runInDurableObject(nodeStub("rel-budget", "n0"), async (_node, state) => {
      await state.storage.deleteAlarm();
      const now = Date.now();
      const peers = Array.from({ length: 6 }, (_, i) => `p${i}`);
      const value = "x".repeat(4000);
      const perPeer = Math.ceil(CLUSTER_STATE_BUDGET_BYTES / 6 / 4000); // over it together
      new NodeStore(state.storage).saveMembership(
        peers.map((name) => ({
          name,
          generation: 1,
          heartbeat: 1,
          status: "alive",
          since: now,
          incarnation: 0,
        })),
        [],
      );
      for (const name of peers) {
        const keys = Array.from({ length: perPeer }, (_, k) => [`k${k}`, value, k + 1]);
        const snapshot = { name, generation: 1, heartbeat: 1, maxVersion: perPeer, gcVersion: 0, keys };
        state.storage.sql.exec(
          "INSERT INTO peer_keys (name, generation, state) VALUES (?, 1, ?)",
          name,
          JSON.stringify(snapshot),
        );
      }
    });
    await evictDurableObject(nodeStub("rel-budget", "n0"));
    const res = await callJson("PUT", "/v1/clusters/rel-budget/nodes/n0/state/one-more", {
      body: { value: "y" },
    });
    expect(res.status).toBe(413);
    expect(expectError(res.json).code).toBe("state_budget_exceeded");
    expect((await view("rel-budget", "n0")).self.state).toEqual({});
  });
});
