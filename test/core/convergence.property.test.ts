/**
 * Convergence, not agreement (fast-check over whole clusters): under any schedule of writes,
 * deletes, loss, partitions, hangs and stops, once the faults end every node comes to hold
 * the same digest (equal fingerprints), sees every node alive, and holds every owner's keys as
 * the owner does. Nothing acknowledged is lost, and nobody stays dead that is running.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryCluster } from "./support/memory-cluster.js";

const SIZE = 16;
const nodeArb = fc.integer({ min: 0, max: SIZE - 1 }).map((i) => `n${i}`);

type Step =
  | { do: "write"; node: string; key: string; value: string }
  | { do: "delete"; node: string; key: string }
  | { do: "crash" | "stop" | "resume"; node: string }
  | { do: "split"; cut: number }
  | { do: "heal" }
  | { do: "loss"; loss: number }
  | { do: "rounds"; count: number };

const keyArb = fc.constantFrom("a", "b", "c");
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      do: fc.constant("write" as const),
      node: nodeArb,
      key: keyArb,
      value: fc.string({ maxLength: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ do: fc.constant("delete" as const), node: nodeArb, key: keyArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      do: fc.constantFrom("crash" as const, "stop" as const, "resume" as const),
      node: nodeArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ do: fc.constant("split" as const), cut: fc.integer({ min: 1, max: SIZE - 1 }) }),
  },
  { weight: 1, arbitrary: fc.record({ do: fc.constant("heal" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ do: fc.constant("loss" as const), loss: fc.constantFrom(0, 0.1, 0.3) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ do: fc.constant("rounds" as const), count: fc.integer({ min: 1, max: 6 }) }),
  },
);

async function play(cluster: MemoryCluster, step: Step): Promise<void> {
  const running = cluster.modes.get("node" in step ? step.node : "") === "running";
  switch (step.do) {
    case "write":
      if (running) await cluster.write(step.node, step.key, step.value);
      break;
    case "delete":
      if (running) cluster.node(step.node).deleteKey(step.key);
      break;
    case "crash":
      cluster.crash(step.node);
      break;
    case "stop":
      cluster.stop(step.node);
      break;
    case "resume":
      cluster.resume(step.node);
      break;
    case "split":
      cluster.side = (name) => (Number(name.slice(1)) < step.cut ? 0 : 1);
      break;
    case "heal":
      cluster.side = null;
      break;
    case "loss":
      cluster.loss = step.loss;
      break;
    case "rounds":
      await cluster.rounds(step.count);
      break;
  }
}

/** A state as text, keys sorted (a peer holds the keys in version order, the owner in write order). */
function sorted(state: Record<string, string> | undefined): string {
  return JSON.stringify(Object.entries(state ?? {}).sort(([a], [b]) => a.localeCompare(b)));
}

/** Every node holds one digest, sees everyone alive, and holds each owner's keys as it does. */
function settled(cluster: MemoryCluster): boolean {
  const nodes = cluster.running();
  const fingerprint = nodes[0]?.fingerprint;
  return nodes.every(
    (node) =>
      node.fingerprint === fingerprint &&
      nodes.every(
        (owner) =>
          node.statusOf(owner.name) === "alive" &&
          sorted(node.memberView(owner.name)?.state) === sorted(owner.memberView(owner.name)?.state),
      ),
  );
}

describe("convergence", () => {
  it("after any schedule of faults ends, every node converges to the owners' state, all alive", async () => {
    const worst = { rounds: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 25 }), fc.nat(), async (steps, seed) => {
        const cluster = new MemoryCluster({ size: SIZE, seed, start: "converged" });
        for (const step of steps) await play(cluster, step);
        cluster.side = null;
        cluster.loss = 0;
        for (const name of cluster.nodes.keys()) cluster.resume(name);
        const rounds = await cluster.runUntil(() => settled(cluster), 40);
        worst.rounds = Math.max(worst.rounds, rounds);
        // At most 5 rounds over 240 runs (8 seeds): a node believed dead refutes on its first
        // exchange and the dead are tried every round. It was 14 and 19 before those fixes.
        expect(rounds).toBeLessThanOrEqual(10);
      }),
      { numRuns: 30 },
    );
    console.log(`[core-cluster] convergence after random faults, 16 nodes: worst ${worst.rounds} rounds`);
  }, 120_000);
});
