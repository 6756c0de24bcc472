import { describe, expect, it } from "vitest";
import { PLUMTREE_LIMITS } from "../../src/core/index.js";
import { resolveSimOptions, type SimOptionsInput } from "../../src/sim/options.js";
import { runSimulation } from "../../src/sim/run.js";

const small: SimOptionsInput = { nodes: 24, trials: 2, seed: 5 };

async function run(input: SimOptionsInput) {
  return (await runSimulation(resolveSimOptions({ ...small, ...input }))).figures;
}

describe("scenarios at small N", { timeout: 60_000 }, () => {
  it("spread: every node gets the write within a few rounds, none lost", async () => {
    const f = await run({ scenario: "spread", loss: 0.05 });
    expect(f.unfinishedTrials).toBe(0);
    expect(f.keysLost).toBe(0);
    expect(f.residue).toBe(0);
    expect(f.roundsMax).toBeGreaterThan(0);
    // Along the tree, and under 5% loss the few nodes it and its grafts miss are found by the
    // exchanges of those that hold the write, within PLUMTREE_LIMITS.writePauseRounds (1.28
    // measured over two trials; with exchanges left at their quiet pace, 26 rounds).
    expect(f.roundsMax).toBeLessThan(PLUMTREE_LIMITS.writePauseRounds + 1);
    expect(f.tAve).toBeLessThanOrEqual(f.tLast as number);
    expect(f.bytesPerNodeRound).toBeGreaterThan(0);
  });

  it("detect: a crashed node is suspected, then declared dead, everywhere", async () => {
    const f = await run({ scenario: "detect" });
    expect(f.unfinishedTrials).toBe(0);
    // Measured with 1.5 probes a round and 16 rounds per quiet wake: non-alive everywhere in
    // 2.9 rounds (worst of two 4.3), dead in 6.9. At N = 1000 the goals are p99 4 and 10
    // (bench/results/sim/detect-1000.json); two trials at N = 24 are a looser check.
    expect(f.roundsMean).toBeGreaterThan(0.5);
    expect(f.roundsP99).toBeLessThanOrEqual(6);
    expect(f.deadRoundsMean).toBeGreaterThan(f.roundsMean as number);
    expect(f.deadRoundsP99).toBeLessThanOrEqual(10);
    expect(f.falseSuspicions).toBe(0);
    expect(f.falseDeaths).toBe(0);
  });

  it("join: a newcomer is seen alive by all and sees all alive", async () => {
    const f = await run({ scenario: "join" });
    expect(f.unfinishedTrials).toBe(0);
    expect(f.roundsMax).toBeLessThan(3); // 0.64 measured
  });

  it("partition: after the heal membership and state reconverge, with no write lost", async () => {
    const f = await run({ scenario: "partition", partitionRounds: 15 });
    expect(f.unfinishedTrials).toBe(0);
    expect(f.keysLost).toBe(0);
    expect(f.roundsMax).toBeLessThan(15); // 7.6 measured
  });

  it("steady: quiescent traffic is counted and no node is falsely suspected without loss", async () => {
    const f = await run({ scenario: "steady", durationS: 120, trials: 1 });
    expect(f.messagesPerNodeRound).toBeGreaterThan(1);
    expect(f.falseSuspicions).toBe(0);
    // Quiet: every exchange ends at the fingerprint, about 224 bytes per node per round.
    expect(f.quietExchangeFraction).toBe(1);
    expect(f.bytesPerNodeRound).toBeLessThan(300);
    expect(f.roundsMean).toBeUndefined();
  });

  it("spread with churn still loses no acknowledged write", async () => {
    const f = await run({ scenario: "spread", churn: "crash=20,restart=20,join=10,leave=10", trials: 3 });
    expect(f.keysLost).toBe(0);
  });

  it("classic strategies report residue, traffic and times", async () => {
    const anti = await run({ scenario: "spread", strategy: "anti-entropy", nodes: 200 });
    expect(anti.residue).toBe(0);
    expect(anti.tLast).toBeGreaterThan(anti.tAve as number);
    const blind = await run({
      scenario: "spread",
      strategy: "rumor",
      interest: "blind",
      stop: "coin",
      k: 1,
      nodes: 200,
      trials: 10,
    });
    expect(blind.residue).toBeGreaterThan(0.8);
    const flood = await run({ scenario: "spread", strategy: "flood", nodes: 50 });
    expect(flood.residue).toBe(0);
    expect(flood.traffic).toBeCloseTo(49, 5);
  });
});

describe("determinism", { timeout: 60_000 }, () => {
  it("the same seed gives identical figures, another seed different ones", async () => {
    const a = await run({ scenario: "spread", loss: 0.1 });
    const b = await run({ scenario: "spread", loss: 0.1 });
    const c = await run({ scenario: "spread", loss: 0.1, seed: 6 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    const r1 = await run({ scenario: "spread", strategy: "rumor", nodes: 100 });
    const r2 = await run({ scenario: "spread", strategy: "rumor", nodes: 100 });
    expect(r2).toEqual(r1);
  });
});
