/**
 * A quiet wake runs the probes of every round it covers: `probesPerRound` times its rounds,
 * each a different member, so every member is still probed at the protocol period although
 * the node wakes only every `roundsPerWake` rounds.
 */
import { describe, expect, it } from "vitest";
import { loneNode as converged } from "../../src/sim/lone-node.js";

describe("a quiet wake's probes", () => {
  it("are as many as its rounds' credit, each a different member, also when the probe order runs out mid-wake", () => {
    const size = 32;
    const { gossiper, tick } = converged(size);
    const { intervalMs, roundsPerWake, probesPerRound } = gossiper.config;
    gossiper.beginRound();
    const perWake = Math.floor(roundsPerWake * probesPerRound);
    expect(perWake).toBeLessThan(size - 1);
    const short: number[] = [];
    for (let wake = 0; wake < 40; wake++) {
      tick(roundsPerWake * intervalMs);
      const targets = gossiper.beginRound().probes.map((p) => p.target);
      gossiper.takeOutbox();
      expect(new Set(targets).size).toBe(targets.length);
      if (targets.length < perWake) short.push(targets.length);
    }
    // The order of 31 members runs out in most wakes of 24 probes: none may end early.
    expect(short).toEqual([]);
  });

  it("probe each member once when the wake covers more probes than there are members", () => {
    const { gossiper, tick } = converged(8);
    gossiper.beginRound();
    tick(gossiper.config.roundsPerWake * gossiper.config.intervalMs);
    const targets = gossiper.beginRound().probes.map((p) => p.target);
    expect(targets.sort()).toEqual(["n1", "n2", "n3", "n4", "n5", "n6", "n7"]);
  });
});
