/**
 * Every busy state ends (issue 19, items 2 to 4): a node with no one to join is alive at once
 * and goes quiet; a survivor whose peers are gone backs off to its longest wake instead of
 * retrying them every round; an agent that left does not keep its home waking every round; a
 * write that came along the broadcast tree does not wake its receivers every round.
 */
import { describe, expect, it } from "vitest";
import { PLUMTREE_LIMITS } from "../../src/core/index.js";
import { MemoryCluster } from "./support/memory-cluster.js";

const config = { intervalMs: 200, deadGraceMs: 60_000, leftGraceMs: 60_000 };

/** Rounds until `node` is back at its longest wake (throws past `max`). */
async function roundsUntilQuiet(cluster: MemoryCluster, node: string, max: number): Promise<number> {
  const gossiper = cluster.node(node);
  return cluster.runUntil(() => gossiper.wakeRounds() === gossiper.config.roundsPerWake, max);
}

describe("quiet returns", () => {
  it("a one-node cluster is alive at once and quiets down", async () => {
    const cluster = new MemoryCluster({ size: 1, seeds: [0], config });
    const n0 = cluster.node("n0");
    expect(n0.status).toBe("alive");
    expect(n0.statusOf("n0")).toBe("alive");
    expect(await roundsUntilQuiet(cluster, "n0", 40)).toBeLessThanOrEqual(32);
  });

  it("a survivor of four whose three peers stopped goes back to its longest wake", async () => {
    const cluster = new MemoryCluster({ size: 4, start: "converged", config });
    for (const name of ["n1", "n2", "n3"]) cluster.stop(name);
    await cluster.runUntil(
      () => ["n1", "n2", "n3"].every((n) => cluster.node("n0").statusOf(n) === "dead"),
      200,
    );
    // Exchanges with the dead and the (stopped) seeds keep failing: they back off.
    expect(await roundsUntilQuiet(cluster, "n0", 64)).toBeLessThanOrEqual(64);
    await cluster.rounds(32);
    expect(cluster.node("n0").wakeRounds()).toBe(cluster.node("n0").config.roundsPerWake);
  });

  it("an agent that left does not keep its home busy", async () => {
    const cluster = new MemoryCluster({ size: 3, start: "converged", config });
    const home = cluster.node("n0");
    home.hostHeartbeat("worker", 500, { load: "1" }, () => {});
    expect(home.wakeRounds()).toBe(1);
    home.leaveHosted("worker", () => {});
    expect(await roundsUntilQuiet(cluster, "n0", 64)).toBeLessThanOrEqual(64);
    expect(home.statusOf("worker")).toBe("left");
  });

  it("a write that came along the tree wakes its receivers no sooner than writePauseRounds", async () => {
    // The tree delivers a write and its notices and grafts repair it: the receivers' anti-entropy
    // need not start over at one round for it. Starting over cost every node about five extra
    // wakes and twenty messages per write, twenty times what the write itself costs.
    const cluster = new MemoryCluster({ size: 8, seed: 5, start: "converged", config });
    const quiet = () => cluster.running().every((n) => n.wakeRounds() === n.config.roundsPerWake);
    await cluster.write("n0", "k", "1"); // forms the tree
    await cluster.runUntil(quiet, 64);
    const version = await cluster.write("n0", "k", "2");
    const receivers = cluster.running().filter((n) => n.name !== "n0");
    for (const node of receivers) expect(node.stateOf("n0")?.maxVersion).toBe(version);
    for (const node of receivers) expect(node.wakeRounds()).toBe(PLUMTREE_LIMITS.writePauseRounds);
    await cluster.runUntil(quiet, 64);
  });
});
