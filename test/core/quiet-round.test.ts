/**
 * A quiet round costs the same whatever the cluster's size: no round walks every member. The
 * core counts members visited by whole-membership walks; rounds of a converged node, quiet or
 * judging a suspect, must not add to it at 200 members or at 4,000.
 */
import { describe, expect, it } from "vitest";
import { loneNode as converged } from "../../src/sim/lone-node.js";

/** Members visited by whole-membership walks over `rounds` rounds, after a first one. */
function visitsOverRounds(size: number, rounds: number, suspect?: string): number {
  const { gossiper, tick } = converged(size);
  gossiper.beginRound();
  if (suspect) gossiper.probeResult(suspect, "silent");
  const before = gossiper.memberVisits;
  for (let i = 0; i < rounds; i++) {
    tick(gossiper.config.intervalMs);
    gossiper.beginRound();
    gossiper.takeOutbox();
  }
  return gossiper.memberVisits - before;
}

describe("a quiet round", () => {
  it("visits no member by a walk over all of them, at 200 members or at 4,000", () => {
    expect(visitsOverRounds(200, 100)).toBe(0);
    expect(visitsOverRounds(4000, 100)).toBe(0);
  });

  it("judges a suspect to death without walking the members", () => {
    const { gossiper, tick } = converged(4000);
    gossiper.beginRound();
    gossiper.probeResult("n7", "silent");
    expect(gossiper.statusOf("n7")).toBe("suspect");
    const before = gossiper.memberVisits;
    for (let i = 0; i < 60 && gossiper.statusOf("n7") === "suspect"; i++) {
      tick(gossiper.config.intervalMs);
      gossiper.beginRound();
      gossiper.takeOutbox();
    }
    expect(gossiper.statusOf("n7")).toBe("dead");
    expect(gossiper.memberVisits - before).toBe(0);
  });

  it("forgets a dead member after its grace, from the queue, without a walk", () => {
    expect(visitsOverRounds(4000, 10, "n9")).toBe(0);
    const { gossiper, tick } = converged(300);
    gossiper.beginRound();
    gossiper.probeResult("n9", "silent");
    const graceRounds = Math.ceil(
      (gossiper.config.deadGraceMs + 60 * gossiper.config.intervalMs) / gossiper.config.intervalMs,
    );
    for (let i = 0; i < graceRounds + 2 && gossiper.statusOf("n9") !== undefined; i++) {
      tick(gossiper.config.intervalMs);
      gossiper.beginRound();
      gossiper.takeOutbox();
    }
    expect(gossiper.statusOf("n9")).toBeUndefined();
    expect(gossiper.graves().map((grave) => grave.name)).toContain("n9");
    expect(gossiper.size).toBe(299);
  });
});
