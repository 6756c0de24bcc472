/**
 * A joining node tries its seeds on its first wake and, while none answers, again after
 * pauses that double up to `maxBackoffRounds`: nodes started together do not keep seeds that
 * are too busy to answer in time busier still by retrying every round. The first answer ends
 * the pauses.
 */
import { describe, expect, it } from "vitest";
import { Gossiper, resolveConfig, seededRng } from "../../src/core/index.js";

function joiningNode(seed: number) {
  let now = 0;
  const gossiper = new Gossiper({
    cluster: "c",
    name: "n9",
    generation: 1,
    seeds: ["n0", "n1"],
    config: resolveConfig({}),
    clock: () => now,
    rng: seededRng(seed),
  });
  return {
    gossiper,
    /** One wake a round later; whether it planned exchanges with the seeds. */
    wake(): boolean {
      now += gossiper.config.intervalMs;
      const peers = gossiper.beginRound().exchanges.map((e) => e.peer);
      gossiper.takeOutbox();
      return peers.includes("n0") && peers.includes("n1");
    },
  };
}

describe("a joining node no seed answers", () => {
  it("tries the seeds at once, then after pauses that double up to maxBackoffRounds", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const node = joiningNode(seed);
      const { maxBackoffRounds } = node.gossiper.config;
      const tries: number[] = [];
      for (let round = 1; round <= 120; round++) if (node.wake()) tries.push(round);
      expect(tries[0]).toBe(1);
      const gaps = tries.slice(1).map((round, i) => round - (tries[i] as number));
      // Each pause is at least half of a doubling one, so the gaps grow...
      gaps.forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(Math.min(2 ** i, maxBackoffRounds) / 2);
        expect(gap).toBeLessThanOrEqual(Math.min(2 ** i, maxBackoffRounds) + 1);
      });
      // ...and it keeps trying, at most maxBackoffRounds + 1 rounds apart.
      expect(tries.length).toBeGreaterThan(8);
      expect(node.gossiper.wakeRounds()).toBe(1);
    }
  });
});
