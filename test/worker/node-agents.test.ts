/**
 * A home node's agents in its Durable Object: the row it stores per hosted agent, a wake-up
 * (eviction) that keeps hosting and judging the agent in the same generation, and a silent
 * agent suspected by its home through phi over direct heartbeats, then revived by a heartbeat
 * with a higher incarnation.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import type { AgentClaim, NodeView } from "../../src/node/rpc-types.js";
import { pace, roundsPass } from "../../tools/poll.js";
import { names, nodeStub, startCluster, stopAll, views, waitFor } from "./support/nodes.js";

const stopped: Array<[string, string[]]> = [];

afterAll(async () => {
  for (const [cluster, nodes] of stopped) await stopAll(cluster, nodes);
});

async function beat(
  cluster: string,
  node: string,
  agent: string,
  intervalMs: number,
  state?: Record<string, string>,
) {
  return (await nodeStub(cluster, node).agentHeartbeat(agent, {
    intervalMs,
    ...(state ? { state } : {}),
  })) as AgentClaim;
}

async function agentAt(cluster: string, nodes: string[], agent: string) {
  return (await views(cluster, nodes)).map((view: NodeView) => view.members.find((m) => m.node === agent));
}

describe("a home node's agents", () => {
  it("stores a row per hosted agent and keeps hosting it across a wake-up", { timeout: 60_000 }, async () => {
    const cluster = "agents-wake";
    const nodes = names(3);
    stopped.push([cluster, nodes]);
    await startCluster(cluster, nodes.length, ["n0"]);
    const first = await beat(cluster, "n1", "w-1", 60_000, { endpoint: "e1" });
    expect(first).toMatchObject({ node: "n1", outcome: "registered", status: "alive" });
    const row = await runInDurableObject(nodeStub(cluster, "n1"), (_node, state) =>
      state.storage.sql
        .exec<{ name: string; interval_ms: number; state: string }>(
          "SELECT name, interval_ms, state FROM hosted_agents",
        )
        .toArray(),
    );
    expect(row).toHaveLength(1);
    expect(row[0]).toMatchObject({ name: "w-1", interval_ms: 60_000 });
    expect(JSON.parse(row[0]?.state ?? "{}").keys).toContainEqual(["endpoint", "e1", 3]);
    await evictDurableObject(nodeStub(cluster, "n1"));
    const after = await beat(cluster, "n1", "w-1", 60_000);
    expect(after).toMatchObject({ generation: first.generation, incarnation: 0, outcome: "heartbeat" });
    const view = (await nodeStub(cluster, "n1").view()) as NodeView;
    expect(view.members.find((m) => m.node === "w-1")).toMatchObject({
      kind: "agent",
      home: "n1",
      status: "alive",
      state: { endpoint: "e1" },
    });
  });

  it("an old home that resumes after a takeover drops the agent and its row, and never fights", {
    timeout: 60_000,
  }, async () => {
    const cluster = "agents-resume";
    const nodes = names(3);
    stopped.push([cluster, nodes]);
    await startCluster(cluster, nodes.length, ["n0"]);
    const first = await beat(cluster, "n1", "r-1", 60_000, { endpoint: "r" });
    await waitFor(
      "r-1 known everywhere",
      async () => (await agentAt(cluster, nodes, "r-1")).every((m) => m?.home === "n1"),
      10_000,
      100,
    );
    // The home hangs (same generation when it resumes, its agents still in memory).
    await nodeStub(cluster, "n1").hang();
    const taken = await beat(cluster, "n2", "r-1", 60_000);
    expect(taken).toMatchObject({ node: "n2", outcome: "takeover" });
    expect(taken.generation).toBeGreaterThan(first.generation);
    await nodeStub(cluster, "n1").start();
    await waitFor(
      "every node, the old home included, to agree on the new home",
      async () =>
        (await agentAt(cluster, nodes, "r-1")).every(
          (m) => m?.home === "n2" && m.generation === taken.generation && m.status === "alive",
        ),
      10_000,
      100,
    );
    await waitFor(
      "the old home's row to be gone",
      async () =>
        (
          await runInDurableObject(nodeStub(cluster, "n1"), (_node, state) =>
            state.storage.sql.exec("SELECT name FROM hosted_agents").toArray(),
          )
        ).length === 0,
      10_000,
      200,
    );
    // Still one home a few rounds later: no fight.
    await roundsPass(
      "three rounds on every node",
      async () => (await views(cluster, nodes)).map((view) => view.counters.rounds),
      3,
    );
    expect((await agentAt(cluster, nodes, "r-1")).every((m) => m?.home === "n2")).toBe(true);
  });

  it("suspects a silent agent by phi, then revives it with a higher incarnation", {
    timeout: 60_000,
  }, async () => {
    const cluster = "agents-judge";
    const nodes = names(3);
    stopped.push([cluster, nodes]);
    await startCluster(cluster, nodes.length, ["n0"]);
    for (let i = 0; i < 6; i++) {
      await beat(cluster, "n2", "j-1", 200);
      await pace(200); // the agent's own heartbeat period
    }
    await waitFor(
      "j-1 non-alive at every node",
      async () => (await agentAt(cluster, nodes, "j-1")).every((m) => m && m.status !== "alive"),
      10_000,
      100,
    );
    const revived = await beat(cluster, "n2", "j-1", 200);
    expect(revived.outcome).toBe("revived");
    expect(revived.incarnation).toBeGreaterThan(0);
    await waitFor(
      "j-1 alive again everywhere",
      async () =>
        (await agentAt(cluster, nodes, "j-1")).every(
          (m) => m?.status === "alive" && m.incarnation === revived.incarnation,
        ),
      10_000,
      100,
    );
  });
});
