/**
 * After a partition heals, each side still holds the deaths it judged of the other. Those
 * reach the side that reached the member throughout through anti-entropy, and must not kill
 * it there: a death heard that way of a member held alive is taken as a suspicion, which the
 * member refutes (issue 19's `falseDeaths`: running, reachable nodes declared dead).
 */
import { describe, expect, it } from "vitest";
import { MemoryCluster } from "./support/memory-cluster.js";

// The dead grace outlives the test: both sides still hold their deaths, not graves, at the heal.
const config = { intervalMs: 200, deadGraceMs: 3_600_000 };
const everyone = ["n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"];
const far = new Set(["n6", "n7"]);
const sideOf = (name: string) => (far.has(name) ? 1 : 0);

describe("a partition healing", () => {
  it.each([0, 0.05])(
    "(loss %d): no node is declared dead by one on its own side, and all are alive again",
    async (loss) => {
      const cluster = new MemoryCluster({ size: everyone.length, start: "converged", config, loss });
      cluster.side = sideOf;
      // Each side has declared the other dead.
      const deadAcross = () =>
        cluster
          .running()
          .every((node) =>
            everyone.every((name) => sideOf(name) === sideOf(node.name) || node.statusOf(name) === "dead"),
          );
      await cluster.runUntil(deadAcross, 400);
      expect(deadAcross()).toBe(true);
      const healedAt = cluster.events.length;
      cluster.side = null;
      expect(await cluster.runUntil(() => cluster.everyoneSeesAlive(everyone), 60)).toBeLessThanOrEqual(60);
      // Deaths raised after the heal, of members on the observer's own side: none.
      const sameSideDeaths = cluster.events
        .slice(healedAt)
        .filter(([observer, event]) => event.type === "dead" && sideOf(observer) === sideOf(event.node));
      expect(sameSideDeaths).toEqual([]);
      expect(cluster.total("deathsDoubted")).toBeGreaterThan(0);
    },
  );
});
