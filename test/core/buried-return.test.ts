/**
 * A member its peers buried (dead, then forgotten) that is heard from again is told so and
 * refutes: it is alive everywhere within a few rounds, never shunned until the grave expires
 * (issue 19, item 1). Both ways back: a hang past the dead grace (the same generation resumes),
 * and a partition past it, after which each side has buried the other. An agent hosted across
 * such a partition comes back too: its home is told of the grave and refutes.
 */
import { describe, expect, it } from "vitest";
import { MemoryCluster } from "./support/memory-cluster.js";

// Graves outlive the test by far: only being told can bring n5 back.
const config = { intervalMs: 200, deadGraceMs: 2_000, leftGraceMs: 3_600_000 };
const everyone = ["n0", "n1", "n2", "n3", "n4", "n5"];
const others = everyone.filter((name) => name !== "n5");

/** Every running node but `name` has forgotten it. */
function forgottenEverywhere(cluster: MemoryCluster, name: string): boolean {
  return cluster.running().every((node) => node.name === name || node.statusOf(name) === undefined);
}

describe("a buried member heard from again", () => {
  it.each([0, 0.05])(
    "after a hang past the dead grace (loss %d): every node lists it alive within 30 rounds",
    async (loss) => {
      const cluster = new MemoryCluster({ size: 6, start: "converged", config, loss });
      const before = cluster.node("n5").incarnation;
      cluster.crash("n5");
      await cluster.runUntil(() => forgottenEverywhere(cluster, "n5"), 200);
      expect(cluster.running().every((node) => node.graves().some((grave) => grave.name === "n5"))).toBe(
        true,
      );
      cluster.resume("n5");
      expect(await cluster.runUntil(() => cluster.everyoneSeesAlive(everyone), 30)).toBeLessThanOrEqual(30);
      expect(cluster.node("n5").incarnation).toBeGreaterThan(before);
      expect(cluster.total("buriedTold")).toBeGreaterThan(0);
    },
  );

  it("after a partition past the dead grace: both sides take each other back within 30 rounds", async () => {
    const cluster = new MemoryCluster({ size: 6, start: "converged", config });
    cluster.side = (name) => (name === "n5" ? 1 : 0);
    await cluster.runUntil(
      () =>
        forgottenEverywhere(cluster, "n5") &&
        others.every((name) => cluster.node("n5").statusOf(name) === undefined),
      300,
    );
    cluster.side = null;
    expect(await cluster.runUntil(() => cluster.everyoneSeesAlive(everyone), 30)).toBeLessThanOrEqual(30);
  });

  it("after a partition past the dead grace, with no seed to reach across: buried nodes are tried, and all are back within 30 rounds", async () => {
    // No chance contact with a seed: each side has forgotten the other, so only trying a
    // buried node now and then (as Serf's reconnect does) reaches across.
    const cluster = new MemoryCluster({
      size: 6,
      start: "converged",
      config: { ...config, seedProbability: 0 },
    });
    const cut = new Set(["n3", "n4", "n5"]);
    cluster.side = (name) => (cut.has(name) ? 1 : 0);
    await cluster.runUntil(
      () =>
        cluster
          .running()
          .every((node) =>
            everyone.every(
              (name) => cut.has(name) === cut.has(node.name) || node.statusOf(name) === undefined,
            ),
          ),
      300,
    );
    cluster.side = null;
    expect(await cluster.runUntil(() => cluster.everyoneSeesAlive(everyone), 30)).toBeLessThanOrEqual(30);
  });

  it("after a partition past the dead grace: an agent hosted on the far side is alive everywhere within 30 rounds", async () => {
    const cluster = new MemoryCluster({ size: 6, start: "converged", config });
    const beat = () => cluster.node("n5").hostHeartbeat("a1", config.intervalMs, undefined, () => {});
    const seesAgent = () => cluster.running().every((node) => node.statusOf("a1") === "alive");
    beat();
    await cluster.runUntil(() => {
      beat();
      return seesAgent();
    }, 30);
    expect(seesAgent()).toBe(true);
    cluster.side = (name) => (name === "n5" ? 1 : 0);
    await cluster.runUntil(() => {
      beat();
      return others.every((name) => cluster.node(name).statusOf("a1") === undefined);
    }, 300);
    expect(
      cluster
        .node("n0")
        .graves()
        .some((grave) => grave.name === "a1"),
    ).toBe(true);
    cluster.side = null;
    const rounds = await cluster.runUntil(() => {
      beat();
      return cluster.everyoneSeesAlive(everyone) && seesAgent();
    }, 30);
    expect(rounds).toBeLessThanOrEqual(30);
    expect(seesAgent()).toBe(true);
  });
});
