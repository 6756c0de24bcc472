/**
 * Where the simulator's false suspicions without loss came from (`detect`, N = 1000, seed 11,
 * trial 3: n219 crashed 21 ms after its wake, with a probe of n429 in flight). The crashed
 * node's probe ran on: its replies were dropped, so after one direct timeout and two waves of
 * indirect probes (200 + 400 + 400 ms) it declared n429 suspect and pushed that to live nodes,
 * which counted as false suspicions. A crashed process sends nothing and its own log is gone:
 * the simulator now drops what a crashed life sends and counts no event of it.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/index.js";
import { SimCluster } from "../../src/sim/cluster.js";
import { fixedLatency } from "../../src/sim/latency.js";

describe("a node crashed with a probe in flight", { timeout: 30_000 }, () => {
  it("accuses nobody: its last probe times out, but what it would send never leaves", async () => {
    const sim = new SimCluster({
      size: 12,
      config: resolveConfig({}),
      seed: 7,
      loss: 0,
      latency: fixedLatency(5),
      start: "converged",
      seeds: 2,
    });
    await sim.runRounds(2);
    const victim = sim.node("n5");
    const sentBefore = victim.gossiper.counters.probesSent;
    let crashedAt: number | null = null;
    sim.onTouch = (node) => {
      // Right after its wake sent a probe, before the ack is back (5 ms away).
      if (crashedAt === null && node === victim && node.gossiper.counters.probesSent > sentBefore) {
        crashedAt = sim.now;
        sim.crash(node.name);
      }
    };
    await sim.runRounds(20);
    expect(crashedAt).not.toBeNull();
    // The victim's own probe did end silent: it would have accused its target.
    expect(victim.gossiper.counters.probesFailed).toBeGreaterThan(0);
    expect(sim.falseSuspicions).toBe(0);
    expect(sim.falseDeaths).toBe(0);
  });
});
