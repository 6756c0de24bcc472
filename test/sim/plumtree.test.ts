/**
 * The broadcast tree in the simulator: a write costs about one push message per node once the
 * tree has formed (Plumtree), where the N log N forwarding it replaced cost about 7 N, and the
 * write still reaches every node at once, under loss too. And the `lifetime` scenario, short:
 * it runs its fault schedule and reports every invariant.
 */
import { describe, expect, it } from "vitest";
import { LIFETIME_LOSS, resolveSimOptions, type SimOptionsInput } from "../../src/sim/options.js";
import { runSimulation } from "../../src/sim/run.js";
import { buildCluster } from "../../src/sim/scenarios/common.js";
import { LIFETIME_GOALS } from "../../src/sim/scenarios/lifetime.js";
import { pushMessages } from "../../src/sim/scenarios/spread.js";

async function run(input: SimOptionsInput) {
  return (await runSimulation(resolveSimOptions({ trials: 2, seed: 7, ...input }))).figures;
}

describe("writes along the broadcast tree", { timeout: 120_000 }, () => {
  it("cost at most 1.5 N push messages a write in steady state, reaching everyone (within a round without loss)", async () => {
    for (const loss of [0, 0.05]) {
      const f = await run({ scenario: "spread", nodes: 64, loss });
      expect(f.keysLost).toBe(0);
      expect(f.residue).toBe(0);
      expect(f.unfinishedTrials).toBe(0);
      // Under loss a subtree the write missed is repaired by notices and grafts, or anti-entropy.
      expect(f.roundsMax).toBeLessThan(loss === 0 ? 1 : 3);
      expect(f.pushMessagesPerWritePerNode).toBeLessThanOrEqual(1.5);
      expect(f.pushMessagesPerWrite).toBeGreaterThan(0);
      // The first write floods the fresh tree's links before they prune: dearer, still bounded.
      expect(f.pushMessagesFirstWrite).toBeGreaterThan(f.pushMessagesPerWrite as number);
    }
  });
});

describe("the tree after a membership change", { timeout: 120_000 }, () => {
  it("reaches every live node after a node on it crashes, and costs about N again once repaired", async () => {
    const cluster = buildCluster(resolveSimOptions({ nodes: 64 }), 11);
    await cluster.runRounds(1);
    cluster.write("n1", "k", "a");
    await cluster.runRounds(1);
    cluster.crash("n5");
    await cluster.runRounds(20);
    const held = (writer: string, version: number) =>
      cluster
        .live()
        .every((n) => n.name === writer || (n.gossiper.stateOf(writer)?.maxVersion ?? 0) >= version);
    for (const writer of ["n2", "n3"]) {
      const before = pushMessages(cluster);
      const version = cluster.write(writer, "k", "b");
      const deadline = cluster.now + 3 * cluster.config.intervalMs;
      expect(await cluster.clock.advanceUntil(() => held(writer, version), deadline)).toBe(true);
      await cluster.runRounds(1);
      if (writer === "n3") expect(pushMessages(cluster) - before).toBeLessThanOrEqual(1.5 * 63);
    }
  });
});

describe("lifetime scenario, short", { timeout: 120_000 }, () => {
  it("runs one trial at 1% loss unless told otherwise", () => {
    const options = resolveSimOptions({ scenario: "lifetime", days: 2 });
    expect(options).toMatchObject({ days: 2, loss: LIFETIME_LOSS, trials: 1 });
    expect(resolveSimOptions({ scenario: "lifetime", loss: 0 }).loss).toBe(0);
  });

  it("runs crashes, hangs, partitions, agents and writes, and reports every invariant", async () => {
    const f = await run({
      scenario: "lifetime",
      nodes: 12,
      trials: 1,
      days: 0.05,
      core: { deadGraceMs: 60_000 },
    });
    for (const key of Object.keys(LIFETIME_GOALS)) expect(f[key], key).toBeTypeOf("number");
    expect(f.faults).toBeGreaterThanOrEqual(3);
    expect(f.writes).toBeGreaterThan(0);
    expect(f.falseDeaths).toBe(0);
    // Two random nodes name the same owners after every fault is taken back.
    expect(f.ownersAgreement).toBe(1);
    expect(f.pushMessagesPerWritePerNode).toBeLessThanOrEqual(
      LIFETIME_GOALS.pushMessagesPerWritePerNode as number,
    );
  });
});
