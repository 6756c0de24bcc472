/**
 * Wake-ups that cover several rounds: the pure schedule, and what a user of a mesh sees from it
 * in the simulator — the same probing and detection with a fraction of the wakes (alarms).
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/index.js";
import { chanceOver, roundsCovered, wakeRounds } from "../../src/core/wake.js";
import { SimCluster } from "../../src/sim/cluster.js";
import { fixedLatency } from "../../src/sim/latency.js";

describe("the wake schedule", () => {
  it("waits one round while busy, the Trickle pause when quiet, never more than roundsPerWake", () => {
    expect(wakeRounds(8, true, 16)).toBe(1);
    expect(wakeRounds(8, false, 1)).toBe(1);
    expect(wakeRounds(8, false, 4)).toBe(4);
    expect(wakeRounds(8, false, 16)).toBe(8);
    expect(wakeRounds(1, false, 16)).toBe(1);
  });

  it("covers the whole rounds since the last wake, at least one, at most roundsPerWake", () => {
    expect(roundsCovered(null, 1000, 8)).toBe(1);
    expect(roundsCovered(0, 1000, 8)).toBe(1);
    expect(roundsCovered(1090, 1000, 8)).toBe(1);
    expect(roundsCovered(8_700, 1000, 8)).toBe(8);
    expect(roundsCovered(600_000, 1000, 8)).toBe(8);
    expect(roundsCovered(4_400, 1000, 8)).toBe(4);
  });

  it("takes a per-round chance once for several rounds", () => {
    expect(chanceOver(0.1, 1)).toBeCloseTo(0.1);
    expect(chanceOver(0.1, 2)).toBeCloseTo(0.19);
    expect(chanceOver(0, 8)).toBe(0);
    expect(chanceOver(1, 8)).toBe(1);
  });

  it("rejects a wake longer than the longest anti-entropy pause", () => {
    expect(() => resolveConfig({ roundsPerWake: 16, maxBackoffRounds: 8 })).toThrow(/roundsPerWake/);
    expect(resolveConfig({ roundsPerWake: 16, maxBackoffRounds: 16 }).roundsPerWake).toBe(16);
  });
});

function mesh(roundsPerWake: number) {
  return new SimCluster({
    size: 40,
    config: resolveConfig({ roundsPerWake, maxBackoffRounds: Math.max(8, roundsPerWake) }),
    seed: 7,
    loss: 0,
    latency: fixedLatency(5),
    start: "converged",
    seeds: 2,
  });
}

describe("several rounds per wake, in the simulator", { timeout: 60_000 }, () => {
  it("probes at the same rate with about 1/roundsPerWake of the wakes once quiet", async () => {
    const every = mesh(1);
    const batched = mesh(10);
    for (const sim of [every, batched]) await sim.runRounds(30);
    const snapshot = (sim: SimCluster) => ({ wakes: sim.total("wakes"), probes: sim.total("probesSent") });
    const [a, b] = [snapshot(every), snapshot(batched)];
    for (const sim of [every, batched]) await sim.runRounds(60);
    const wakes = (sim: SimCluster, from: { wakes: number }) => sim.total("wakes") - from.wakes;
    const probes = (sim: SimCluster, from: { probes: number }) => sim.total("probesSent") - from.probes;
    expect(wakes(batched, b)).toBeLessThan(wakes(every, a) / 5);
    expect(probes(batched, b)).toBeGreaterThan(probes(every, a) * 0.8);
    expect(batched.falseSuspicions).toBe(0);
  });

  it("detects a crashed member everywhere about as fast, and declares it dead", async () => {
    const sim = mesh(10);
    await sim.runRounds(30);
    sim.crash("n4");
    const start = sim.now;
    const noticed = await sim.clock.advanceUntil(
      () => sim.live().every((node) => node.gossiper.statusOf("n4") !== "alive"),
      start + 20_000,
    );
    expect(noticed).toBe(true);
    // A node holding a suspicion wakes every round, so the death comes at the suspicion timeout.
    const dead = await sim.clock.advanceUntil(
      () => sim.live().every((node) => node.gossiper.statusOf("n4") === "dead"),
      sim.now + 30_000,
    );
    expect(dead).toBe(true);
    expect(sim.falseSuspicions).toBe(0);
  });
});
