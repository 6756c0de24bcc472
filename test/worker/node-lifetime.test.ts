/**
 * A node over a long life, inside workerd: what it keeps stays bounded however often it is
 * restarted, a storage failure while answering a peer does not make the peer suspect it, and
 * register-and-leave churn of agents cannot grow the cluster's membership without bound.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import type { GossipNode } from "../../src/node/gossip-node.js";
import { MAX_DEPARTED_AGENTS_PER_CLUSTER } from "../../src/node/limits.js";
import { readNodeError } from "../../src/node/node-error.js";
import type { NodeView } from "../../src/node/rpc-types.js";
import { pace } from "../../tools/poll.js";
import {
  evictAndWait,
  nodeStub,
  startCluster,
  stopAll,
  TEST_CONFIG,
  TEST_OPTIONS,
  views,
  waitFor,
} from "./support/nodes.js";

const started: Array<[string, string[]]> = [];
afterAll(async () => {
  for (const [cluster, nodes] of started) await stopAll(cluster, nodes);
});

/** The size, as JSON, of what the node's runtime keeps of its earlier generations. */
async function retiredSize(cluster: string, node: string): Promise<number> {
  return runInDurableObject(nodeStub(cluster, node), (instance) => {
    const life = (instance as unknown as { life: { node?: { retired?: unknown } } }).life;
    return JSON.stringify(life.node?.retired ?? null).length;
  });
}

describe("a node's life", () => {
  it("keeps one record of earlier generations' counters however many times it restarts", async () => {
    const cluster = "life-retired";
    started.push([cluster, ["n0"]]);
    await startCluster(cluster, 1, []);
    const restart = async () => {
      await nodeStub(cluster, "n0").stop();
      return (await nodeStub(cluster, "n0").start()) as unknown as NodeView;
    };
    await restart();
    const before = (await restart()).counters.rounds;
    const afterTwo = await retiredSize(cluster, "n0");
    let view: NodeView | undefined;
    for (let i = 0; i < 20; i++) view = await restart();
    expect(await retiredSize(cluster, "n0")).toBeLessThanOrEqual(afterTwo + 64);
    // and the totals still count every generation: they never go back
    expect(view?.counters.rounds).toBeGreaterThanOrEqual(before);
  });

  it("answers a peer even when saving membership fails, and counts the failure", async () => {
    const cluster = "life-chunk-fail";
    started.push([cluster, ["n0", "n1"]]);
    await startCluster(cluster, 1, []);
    await runInDurableObject(nodeStub(cluster, "n0"), (instance: GossipNode) => {
      instance.faults.failMemberChunkSaves = 1;
    });
    await nodeStub(cluster, "n1").configure({
      cluster,
      node: "n1",
      seeds: ["n0"],
      config: TEST_CONFIG,
      options: TEST_OPTIONS,
    });
    await waitFor("n0 to count the failed save", async () => {
      const [n0] = await views(cluster, ["n0"]);
      return (n0?.counters.storageErrors ?? 0) >= 1;
    });
    await waitFor("both to see each other alive", async () => {
      const all = await views(cluster, ["n0", "n1"]);
      return all.every((v) => v.members.length === 2 && v.members.every((m) => m.status === "alive"));
    });
    const [, n1] = await views(cluster, ["n0", "n1"]);
    expect(n1?.counters.suspicionsRaised ?? 0).toBe(0);
  });

  it("refuses a new agent, 429-style, once the cluster remembers its maximum of departed agents", async () => {
    const cluster = "life-churn";
    started.push([cluster, ["n0"]]);
    await startCluster(cluster, 1, [], { ...TEST_CONFIG, leftGraceMs: 3_600_000 });
    const node = () => nodeStub(cluster, "n0");
    // Inside the object (no RPC per call), as many agents as the maximum register and leave.
    await runInDurableObject(node(), async (instance: GossipNode) => {
      for (let i = 0; i < MAX_DEPARTED_AGENTS_PER_CLUSTER; i++) {
        await instance.agentHeartbeat(`a${i}`, { intervalMs: 60_000 });
        await instance.agentLeave(`a${i}`);
      }
    });
    const error = await node()
      .agentHeartbeat("one-more", { intervalMs: 60_000 })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(readNodeError(error)?.code).toBe("too_many_departed_agents");
    const [view] = await views(cluster, ["n0"]);
    expect(view?.members.filter((m) => m.kind === "agent").length).toBe(MAX_DEPARTED_AGENTS_PER_CLUSTER);
    // A departed agent coming back is no new member: it registers again.
    const back = await node().agentHeartbeat("a0", { intervalMs: 60_000 });
    expect(back.outcome).toBe("registered");
  });

  it("does not suspect a healthy agent after its home wakes up from storage", async () => {
    const cluster = "life-agent-wake";
    started.push([cluster, ["n0"]]);
    await startCluster(cluster, 1, []);
    const home = () => nodeStub(cluster, "n0");
    // The agent beats every 200 ms for a while: only its registration is saved (a heartbeat
    // alone is saved at most every 10 s), so the saved last heartbeat grows old.
    const beatUntil = Date.now() + 2_500;
    while (Date.now() < beatUntil) {
      await home().agentHeartbeat("w", { intervalMs: 200 });
      await pace(200); // the agent's own heartbeat interval
    }
    await evictAndWait(cluster, "n0");
    // Read back from storage; its round runs before the agent's next heartbeat.
    await runDurableObjectAlarm(home());
    const [view] = await views(cluster, ["n0"]);
    expect(view?.members.find((m) => m.node === "w")?.status).toBe("alive");
    expect(view?.counters.suspicionsRaised).toBe(0);
  });
});
