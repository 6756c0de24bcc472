/**
 * One GossipNode's life as a user of its RPC would notice it: bad requests refused with a
 * readable code, limits, hostile peer messages, a round that throws, eviction, stop/start,
 * leave, the cluster registry and the cron keeper.
 */
import {
  createExecutionContext,
  createScheduledController,
  evictDurableObject,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { PROTOCOL_VERSION } from "../../src/core/index.js";
import worker from "../../src/index.js";
import { keepNodesRunning } from "../../src/node/keeper.js";
import { MAX_USER_KEYS } from "../../src/node/limits.js";
import { readNodeError } from "../../src/node/node-error.js";
import type { NodeView } from "../../src/node/rpc-types.js";
import { names, nodeStub, startCluster, stopAll, views, waitFor } from "./support/nodes.js";

const started: Array<{ cluster: string; nodes: string[] }> = [];

afterEach(async () => {
  for (const { cluster, nodes } of started.splice(0)) await stopAll(cluster, nodes);
});

async function cluster(name: string, size: number, seeds = ["n0"]): Promise<string[]> {
  const nodes = names(size);
  started.push({ cluster: name, nodes });
  await startCluster(name, size, seeds);
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

async function converged(name: string, nodes: string[]): Promise<NodeView[]> {
  return waitFor(`${name} to converge`, async () => {
    const all = await views(name, nodes);
    const ok = all.every(
      (view) =>
        view.members.length === nodes.length &&
        view.members.every((member) => member.node === view.node || member.status === "alive"),
    );
    return ok ? all : undefined;
  });
}

describe("GossipNode lifecycle", () => {
  it("refuses bad requests with a code that survives RPC", async () => {
    const fresh = nodeStub("life-errors", "n0");
    const notConfigured = await errorOf(fresh.setKey("a", "1"));
    expect(readNodeError(notConfigured)?.code).toBe("not_configured");
    const badConfig = await errorOf(
      nodeStub("life-errors", "n0").configure({
        cluster: "life-errors",
        node: "n0",
        seeds: [],
        config: { fanout: 0 },
      }),
    );
    expect(badConfig).toBeInstanceOf(Error);
    const error = badConfig as Error & { code?: unknown };
    console.log(
      `RPC error as received: name=${error.name} message=${JSON.stringify(error.message)} code=${String(error.code)}`,
    );
    expect(readNodeError(badConfig)).toEqual({
      code: "invalid_config",
      message: expect.stringContaining("fanout"),
    });
    const badName = await errorOf(
      nodeStub("life-errors", "n0").configure({ cluster: "life errors", node: "n0", seeds: [] }),
    );
    expect(readNodeError(badName)?.code).toBe("invalid_config");
    expect(await nodeStub("life-errors", "n0").view()).toBeNull();
  });

  it("enforces key shapes and the per-node key limit", async () => {
    await cluster("life-keys", 1);
    const stub = () => nodeStub("life-keys", "n0");
    expect(readNodeError(await errorOf(stub().setKey("bad key", "1")))?.code).toBe("invalid_key");
    expect(readNodeError(await errorOf(stub().setKey("~left", "1")))?.code).toBe("invalid_key");
    expect(readNodeError(await errorOf(stub().setKey("k", "x".repeat(5000))))?.code).toBe("invalid_value");
    for (let i = 0; i < MAX_USER_KEYS; i++) await stub().setKey(`k${i}`, String(i));
    expect(readNodeError(await errorOf(stub().setKey("one-more", "1")))?.code).toBe("too_many_keys");
    // Overwriting an existing key is still fine, and a delete makes room.
    expect((await stub().setKey("k0", "again")).version).toBe(MAX_USER_KEYS + 1);
    expect((await stub().deleteKey("k1")).version).toBe(MAX_USER_KEYS + 2);
    expect((await stub().deleteKey("never-set")).version).toBeNull();
    await stub().setKey("one-more", "1");
    const view = (await stub().view()) as NodeView;
    expect(Object.keys(view.self.state)).toHaveLength(MAX_USER_KEYS);
    expect(view.self.state.k0).toBe("again");
  });

  it("rejects and counts malformed protocol messages without changing state", async () => {
    await cluster("life-hostile", 1);
    const stub = () => nodeStub("life-hostile", "n0");
    const before = (await stub().view()) as NodeView;
    const header = { v: PROTOCOL_VERSION, c: "life-hostile", f: "evil", g: 1 };
    const bad: unknown[] = [
      null,
      "syn",
      { ...header, t: "syn", mode: "push-pull", fp: -1 },
      { ...header, t: "syn", v: 99, mode: "push-pull", fp: 0 },
      { ...header, t: "syn", c: "other", mode: "push-pull", fp: 0 },
      { ...header, t: "ping", s: 1, n: [["evil", 1, 0, 7, 0]] },
      { ...header, t: "digest", mode: "push-pull", b: [0], d: [["evil", 1]] },
    ];
    for (const message of bad) {
      expect(await stub().gossip(message)).toMatchObject({
        t: "refused",
        reason: expect.stringContaining("rejected"),
      });
    }
    // A push whose delta would add a node, but with versions out of order.
    const evilDelta = {
      n: "evil",
      g: 1,
      i: 0,
      s: 0,
      from: 0,
      reset: false,
      max: 2,
      gc: 0,
      kv: [
        ["a", "1", 2],
        ["b", "2", 1],
      ],
    };
    await stub().gossip({ ...header, t: "push", delta: [evilDelta] });
    const after = (await stub().view()) as NodeView;
    expect(after.counters.rejectedMessages - before.counters.rejectedMessages).toBe(bad.length + 1);
    expect(after.members.map((member) => member.node)).toEqual(["n0"]);
    expect(after.generation).toBe(before.generation);
    expect(after.self.state).toEqual(before.self.state);
  });

  it("keeps its alarm loop through rounds that throw", async () => {
    await cluster("life-faults", 1);
    const stub = () => nodeStub("life-faults", "n0");
    await runInDurableObject(stub(), (node) => {
      node.faults.failRounds = 3;
    });
    const failed = await waitFor("three failed rounds", async () => {
      const view = (await stub().view()) as NodeView;
      return view.counters.roundErrors >= 3 ? view : undefined;
    });
    await waitFor("rounds to go on", async () => {
      const view = (await stub().view()) as NodeView;
      return view.counters.rounds > failed.counters.rounds + 2 && view.self.heartbeat > failed.self.heartbeat;
    });
    expect(((await stub().view()) as NodeView).counters.roundErrors).toBe(3);
  });

  it("is not seen as restarted after eviction, and keeps its acknowledged keys", async () => {
    const nodes = await cluster("life-evict", 3);
    await converged("life-evict", nodes);
    await nodeStub("life-evict", "n1").setKey("colour", "blue");
    await waitFor("the key to spread", async () =>
      (await views("life-evict", nodes)).every((view) => memberOf(view, "n1")?.state.colour === "blue"),
    );
    const [before] = await views("life-evict", ["n1"]);
    const since = await Promise.all(
      nodes.map(async (node) => (await nodeStub("life-evict", node).events(0)).next),
    );
    // Evicted three times, woken by a call each time (the harder case: mid-interval).
    let last = before as NodeView;
    for (let round = 0; round < 3; round++) {
      await evictDurableObject(nodeStub("life-evict", "n1"));
      const [woken] = await views("life-evict", ["n1"]);
      expect(woken?.generation).toBe(before?.generation);
      expect(woken?.self.state).toEqual({ colour: "blue" });
      expect(woken?.members.map((member) => member.node)).toEqual(nodes); // its view of others is kept too
      expect(woken?.self.heartbeat).toBeGreaterThanOrEqual(last.self.heartbeat);
      // Peers keep getting acks from it, of the same generation (under swim a member's
      // `heartbeat` in a peer's view counts the acks that peer got from it)...
      const acks = (await views("life-evict", ["n0", "n2"])).map(
        (view) => memberOf(view, "n1")?.heartbeat ?? 0,
      );
      await waitFor("peers to hear n1 answer after the wake-up", async () =>
        (await views("life-evict", ["n0", "n2"])).every(
          (view, i) => (memberOf(view, "n1")?.heartbeat ?? 0) > (acks[i] as number) + 2,
        ),
      );
      // ...and waking cost no extra row: one per alarm (or alarm brought forward), plus at most
      // one snapshot.
      last = ((await views("life-evict", ["n1"]))[0] as NodeView) ?? last;
      const { alarmsRun, wakesBroughtForward, storageRowsWritten } = last.counters;
      expect(storageRowsWritten).toBeLessThanOrEqual(alarmsRun + wakesBroughtForward + 1);
    }
    for (const [i, node] of nodes.entries()) {
      const page = await nodeStub("life-evict", node).events(since[i] as number);
      const aboutN1 = page.events.filter((event) => event.node === "n1" && event.type !== "state");
      expect(aboutN1, `events about n1 on ${node}`).toEqual([]);
    }
    for (const view of await views("life-evict", ["n0", "n2"])) {
      expect(memberOf(view, "n1")).toMatchObject({ generation: before?.generation, status: "alive" });
    }
  });

  it("stop refuses exchanges and start rejoins with a higher generation and its keys", async () => {
    const nodes = await cluster("life-restart", 3);
    await converged("life-restart", nodes);
    await nodeStub("life-restart", "n2").setKey("role", "cache");
    const stopped = await nodeStub("life-restart", "n2").stop();
    expect(stopped.running).toBe(false);
    const ping = { t: "ping", v: PROTOCOL_VERSION, c: "life-restart", f: "n0", g: 1, s: 1 };
    expect(await nodeStub("life-restart", "n2").gossip(ping)).toMatchObject({
      t: "refused",
      reason: "stopped",
    });
    expect(readNodeError(await errorOf(nodeStub("life-restart", "n2").setKey("x", "1")))?.code).toBe(
      "stopped",
    );
    expect(
      await runInDurableObject(nodeStub("life-restart", "n2"), (_node, state) => state.storage.getAlarm()),
    ).toBeNull();
    const restarted = await nodeStub("life-restart", "n2").start();
    expect(restarted.running).toBe(true);
    expect(restarted.generation).toBeGreaterThan(stopped.generation);
    expect(restarted.self.state).toEqual({ role: "cache" });
    await waitFor("peers to see the new generation with its keys", async () =>
      (await views("life-restart", ["n0", "n1"])).every((view) => {
        const member = memberOf(view, "n2");
        return (
          member?.generation === restarted.generation &&
          member.status === "alive" &&
          member.state.role === "cache"
        );
      }),
    );
  });

  it("leave is announced to every peer and ends the loop", async () => {
    const nodes = await cluster("life-leave", 3);
    await converged("life-leave", nodes);
    const left = await nodeStub("life-leave", "n2").leave();
    expect(left).toMatchObject({ running: false, status: "left" });
    await waitFor("peers to see n2 left", async () =>
      (await views("life-leave", ["n0", "n1"])).every((view) => memberOf(view, "n2")?.status === "left"),
    );
    expect(readNodeError(await errorOf(nodeStub("life-leave", "n2").setKey("x", "1")))?.code).toBe("left");
  });

  it("registers configured nodes and the cron keeper re-arms a lost alarm", async () => {
    await cluster("life-keeper", 2);
    const registry = env.CLUSTER_REGISTRY.getByName("registry");
    expect(await registry.nodes("life-keeper")).toEqual(["n0", "n1"]);
    expect(await registry.clusters()).toContain("life-keeper");
    await nodeStub("life-keeper", "n1").stop();
    await runInDurableObject(nodeStub("life-keeper", "n0"), (_node, state) => state.storage.deleteAlarm());
    // An alarm may be mid-flight (a round re-arms first thing): wait until n0 has no alarm
    // and no round running that could arm one.
    await waitFor("n0's alarm to be gone", async () => {
      return runInDurableObject(nodeStub("life-keeper", "n0"), async (node, state) => {
        await state.storage.deleteAlarm();
        const idle = (node as unknown as { roundsInFlight: number }).roundsInFlight === 0;
        return idle && (await state.storage.getAlarm()) === null;
      });
    });
    const roundsBefore = ((await nodeStub("life-keeper", "n0").view()) as NodeView).counters.rounds;
    const report = await keepNodesRunning(env); // what scheduled() runs
    expect(report.rearmed).toContain("life-keeper/n0");
    expect(report.rearmed).not.toContain("life-keeper/n1");
    await worker.scheduled(createScheduledController(), env, createExecutionContext()); // and it runs
    // The running node's rounds resume; the stopped one stays without an alarm.
    await waitFor("n0's rounds to resume", async () => {
      const view = (await nodeStub("life-keeper", "n0").view()) as NodeView;
      return view.counters.rounds >= roundsBefore + 3;
    });
    const n1Alarm = await runInDurableObject(nodeStub("life-keeper", "n1"), (_n, state) =>
      state.storage.getAlarm(),
    );
    expect(n1Alarm).toBeNull();
  });
});
