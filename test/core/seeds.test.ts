/**
 * Seeds are not swamped as a cluster grows. Every node exchanges with a seed now and then
 * (it merges split brains at bootstrap), at a chance that shrinks as seeds/N: the extra load
 * on the seeds stays about `seedProbability` exchanges per round in all, whatever N. Without
 * the shrink, 200 quiet nodes would open about 10 exchanges a round with the two seeds, many
 * times what any other node receives.
 */
import { describe, expect, it } from "vitest";
import { MemoryCluster } from "./support/memory-cluster.js";

/** Exchanges (syns) each node receives over `rounds` quiet rounds of a converged cluster. */
async function synsReceived(size: number, rounds: number): Promise<Map<string, number>> {
  const cluster = new MemoryCluster({ size, seed: 7, start: "converged" });
  await cluster.rounds(30); // quiet: anti-entropy has backed off everywhere
  const received = new Map<string, number>();
  cluster.drop = (_from, to, message) => {
    if ((message as { t?: string }).t === "syn") received.set(to, (received.get(to) ?? 0) + 1);
    return false;
  };
  await cluster.rounds(rounds);
  return received;
}

describe("seeds", { timeout: 120_000 }, () => {
  it("receive about what any node receives at 200 nodes, not N x seedProbability more", async () => {
    const rounds = 100;
    const received = await synsReceived(200, rounds);
    const seeds = ["n0", "n1"].map((seed) => received.get(seed) ?? 0);
    const others = [...received].filter(([name]) => name !== "n0" && name !== "n1").map(([, n]) => n);
    const mean = others.reduce((sum, n) => sum + n, 0) / Math.max(1, others.length);
    console.log(
      `[core-seeds] 200 nodes, ${rounds} quiet rounds: seeds received ${seeds.join(" and ")} exchanges, other nodes ${mean.toFixed(1)} on average`,
    );
    // Unshrunk, each seed would take 200 x 0.05 / 2 = 5 extra a round: 500 over these rounds.
    for (const count of seeds) expect(count).toBeLessThan(2 * mean + 20);
  });
});
