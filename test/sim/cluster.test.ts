/** The simulator's cluster: the core's driver on the virtual clock and network. */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/index.js";
import { SimCluster } from "../../src/sim/cluster.js";
import { fixedLatency } from "../../src/sim/latency.js";

function cluster(size: number, loss = 0) {
  return new SimCluster({
    size,
    config: resolveConfig({}),
    seed: 31,
    loss,
    latency: fixedLatency(5),
    start: "converged",
    seeds: 2,
  });
}

describe("SimCluster", { timeout: 30_000 }, () => {
  it("runs rounds of virtual time: every node runs about one round per interval", async () => {
    const sim = cluster(20);
    await sim.runRounds(80);
    expect(sim.now).toBe(80_000);
    const rounds = sim.total("rounds");
    // A quiet node counts its rounds when it wakes, up to roundsPerWake at a time: the rounds
    // since its last wake are not counted yet.
    const lag = 2 * sim.config.roundsPerWake;
    expect(rounds).toBeGreaterThanOrEqual(20 * (80 - lag));
    expect(rounds).toBeLessThanOrEqual(20 * 80);
    expect(sim.total("wakes")).toBeLessThan(rounds / 4);
    expect(sim.falseSuspicions).toBe(0);
  });

  it("takes a home's hosted-agent changes after each wake, as a shell does: none pile up", async () => {
    const sim = cluster(8);
    // Agents that register and fall silent: their home judges them suspect, then dead.
    for (let i = 0; i < 20; i++) sim.heartbeatAgent("n1", `agent-${i}`, 1_000, { load: "1" });
    await sim.runRounds(60);
    expect(sim.node("n2").gossiper.statusOf("agent-0")).toBe("dead");
    const { save, drop } = sim.node("n1").gossiper.takeHostedChanges();
    expect(save.length + drop.length).toBeLessThanOrEqual(2);
  });

  it("spreads a write to every node within a second of virtual time", async () => {
    const sim = cluster(50);
    await sim.runRounds(3);
    const version = sim.write("n7", "load", "0.9");
    expect(version).toBe(1);
    const start = sim.now;
    const reached = await sim.clock.advanceUntil(
      () => sim.live().every((node) => node.gossiper.memberView("n7")?.state.load === "0.9"),
      start + 5_000,
    );
    expect(reached).toBe(true);
    expect(sim.now - start).toBeLessThan(1_000);
  });

  it("counts a crashed node's detection as true, never as false suspicions or deaths", async () => {
    const sim = cluster(30);
    await sim.runRounds(3);
    sim.crash("n4");
    const start = sim.now;
    const dead = await sim.clock.advanceUntil(
      () => sim.live().every((node) => node.gossiper.statusOf("n4") === "dead"),
      start + 30_000,
    );
    expect(dead).toBe(true);
    expect(sim.trueSuspicions).toBeGreaterThan(0);
    expect(sim.falseSuspicions).toBe(0);
    expect(sim.falseDeaths).toBe(0);
  });

  it("a cluster started from two seeds knows itself whole within a few rounds (no split brain)", async () => {
    for (const seed of [1, 4, 9]) {
      const sim = new SimCluster({
        size: 32,
        config: resolveConfig({}),
        seed,
        loss: 0,
        latency: fixedLatency(5),
        start: "seeds",
        seeds: 2,
      });
      // Every node lists every other node.
      const whole = () => sim.live().every((node) => node.gossiper.membership().length === 31);
      expect(await sim.clock.advanceUntil(whole, 4_000)).toBe(true);
    }
  });

  it("is deterministic: the same seed gives the same counters", async () => {
    const a = cluster(20, 0.1);
    const b = cluster(20, 0.1);
    await a.runRounds(8);
    await b.runRounds(8);
    expect(a.total("bytesSent")).toBe(b.total("bytesSent"));
    expect(a.total("probesFailed")).toBe(b.total("probesFailed"));
  });
});
