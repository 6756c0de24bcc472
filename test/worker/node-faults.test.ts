/**
 * The soak's fault injections on one GossipNode: `evict` drops the object's memory as
 * hibernation would (storage kept, same generation, the loop goes on), and `deleteAlarm`
 * loses the pending alarm so that only the cron keeper restarts the loop. Both over RPC and
 * through their API routes, which need the write token.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { keepNodesRunning } from "../../src/node/keeper.js";
import type { NodeView } from "../../src/node/rpc-types.js";
import { call, callJson } from "./support/api.js";
import { names, nodeStub, startCluster, stopAll, views, waitFor } from "./support/nodes.js";

const started: Array<{ cluster: string; nodes: string[] }> = [];

afterEach(async () => {
  for (const { cluster, nodes } of started.splice(0)) await stopAll(cluster, nodes);
});

async function cluster(name: string, size: number): Promise<string[]> {
  const nodes = names(size);
  started.push({ cluster: name, nodes });
  await startCluster(name, size, ["n0"]);
  return nodes;
}

async function view(name: string, node: string): Promise<NodeView> {
  return (await views(name, [node]))[0] as NodeView;
}

/** A marker kept in the object's memory only: gone after a real reset. */
async function markMemory(name: string, node: string): Promise<void> {
  await runInDurableObject(nodeStub(name, node), (instance) => {
    (instance as unknown as { soakMarker?: string }).soakMarker = "here";
  });
}

async function memoryMarked(name: string, node: string): Promise<boolean> {
  return runInDurableObject(
    nodeStub(name, node),
    (instance) => (instance as unknown as { soakMarker?: string }).soakMarker === "here",
  );
}

async function alarmOf(name: string, node: string): Promise<number | null> {
  return runInDurableObject(nodeStub(name, node), (_instance, state) => state.storage.getAlarm());
}

describe("fault injection: evict", () => {
  it("drops memory, keeps storage and the generation, and the loop goes on", async () => {
    const nodes = await cluster("fault-evict", 2);
    await nodeStub("fault-evict", "n1").setKey("color", "blue");
    // The peer knows n1 before the eviction, so that it could tell a restart if there were one.
    await waitFor("the peer to see n1 alive", async () =>
      (await view("fault-evict", nodes[0] as string)).members.some(
        (member) => member.node === "n1" && member.status === "alive",
      ),
    );
    const before = await view("fault-evict", "n1");
    await markMemory("fault-evict", "n1");
    expect(await memoryMarked("fault-evict", "n1")).toBe(true);

    expect(await nodeStub("fault-evict", "n1").evict()).toEqual({ evicted: true });
    await waitFor("the object to reset", async () => !(await memoryMarked("fault-evict", "n1")), 10_000);

    const after = await view("fault-evict", "n1");
    expect(after.generation).toBe(before.generation);
    expect(after.running).toBe(true);
    expect(after.self.state).toEqual({ color: "blue" });
    // Rebuilt from storage, its rounds resume (counters restart on wake-up).
    await waitFor(
      "rounds after the wake-up",
      async () => (await view("fault-evict", "n1")).counters.alarmsRun > 0,
    );
    // The peer never saw a restart: same generation, never dead.
    const peer = await view("fault-evict", nodes[0] as string);
    const seen = peer.members.find((member) => member.node === "n1");
    expect(seen?.generation).toBe(before.generation);
  });

  it("is a route behind the write token", async () => {
    await cluster("fault-evict-api", 1);
    const path = "/v1/clusters/fault-evict-api/nodes/n0/evict";
    expect((await call("POST", path, { token: null })).status).toBe(401);
    await markMemory("fault-evict-api", "n0");
    const answered = await callJson("POST", path);
    expect(answered.status).toBe(200);
    expect(answered.json).toEqual({ cluster: "fault-evict-api", node: "n0", evicted: true });
    await waitFor("the object to reset", async () => !(await memoryMarked("fault-evict-api", "n0")), 10_000);
    expect((await callJson("POST", "/v1/clusters/fault-evict-api/nodes/nobody/evict")).status).toBe(404);
  });
});

describe("fault injection: deleteAlarm", () => {
  it("loses the alarm of a running node until the keeper re-arms it", async () => {
    await cluster("fault-alarm", 1);
    const stub = () => nodeStub("fault-alarm", "n0");
    // getAlarm answers null while an alarm runs: wait for one pending.
    await waitFor("an alarm pending", async () => (await alarmOf("fault-alarm", "n0")) !== null);
    // An alarm running at that moment arms the next one first (and getAlarm answers null
    // while it runs): delete until none is left a moment later.
    let gone = 0;
    await waitFor("the alarm to stay gone over three checks", async () => {
      if ((await alarmOf("fault-alarm", "n0")) === null) return ++gone >= 3;
      gone = 0;
      await stub().deleteAlarm();
      return false;
    });
    expect(await stub().deleteAlarm()).toEqual({ deleted: false });
    const rounds = (await view("fault-alarm", "n0")).counters.alarmsRun;
    const stalled = await view("fault-alarm", "n0");
    expect(stalled.running).toBe(true);
    expect(await alarmOf("fault-alarm", "n0")).toBeNull();

    const report = await keepNodesRunning(env);
    expect(report.rearmed).toContain("fault-alarm/n0");
    expect(await alarmOf("fault-alarm", "n0")).not.toBeNull();
    await waitFor("rounds again", async () => (await view("fault-alarm", "n0")).counters.alarmsRun > rounds);
  });

  it("is a route behind the write token", async () => {
    await cluster("fault-alarm-api", 1);
    const path = "/v1/clusters/fault-alarm-api/nodes/n0/alarm";
    expect((await call("DELETE", path, { token: null })).status).toBe(401);
    const answered = await waitFor("a pending alarm deleted", async () => {
      const res = await callJson("DELETE", path);
      return res.status === 200 && (res.json as { deleted: boolean }).deleted ? res : undefined;
    });
    expect(answered.json).toEqual({ cluster: "fault-alarm-api", node: "n0", deleted: true });
    expect((await callJson("DELETE", "/v1/clusters/fault-alarm-api/nodes/nobody/alarm")).status).toBe(404);
  });
});
