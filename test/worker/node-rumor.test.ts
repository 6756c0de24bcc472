/**
 * Does pushing a write at once (the `rumor` option) make it reach a 16-node cluster sooner?
 * The same writes run on one cluster with rumor and one without, and each write's spread is
 * counted in the writer's own rounds (so a slow machine slows both sides alike): without
 * rumor the writes still reach every node, by anti-entropy alone, but the median write takes
 * more rounds than with rumor. (The core's cluster test bounds the same figure exactly, on a
 * lossy in-memory network: `hotWrite` in tools/cluster-bounds.ts.)
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  names,
  nodeStub,
  startCluster,
  stopAll,
  TEST_CONFIG,
  TEST_OPTIONS,
  views,
  waitFor,
} from "./support/nodes.js";

const SIZE = 16;
const NODES = names(SIZE);
const WRITERS = ["n3", "n8", "n11", "n14", "n15"];
const running: string[] = [];

afterEach(async () => {
  for (const cluster of running.splice(0)) await stopAll(cluster, NODES);
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Writer rounds from each write until every node held it. */
async function writeSpread(cluster: string, rumor: boolean): Promise<number[]> {
  running.push(cluster);
  await startCluster(cluster, SIZE, ["n0", "n1"], TEST_CONFIG, { ...TEST_OPTIONS, rumor });
  await waitFor(
    `${cluster} to converge`,
    async () =>
      (await views(cluster, NODES)).every(
        (view) => view.members.length === SIZE && view.members.every((member) => member.status === "alive"),
      ),
    30_000,
    100,
  );
  const spread: number[] = [];
  for (const [i, writer] of WRITERS.entries()) {
    const before = (await nodeStub(cluster, writer).view())?.counters.rounds ?? 0;
    await nodeStub(cluster, writer).setKey("probe", String(i));
    const all = await waitFor(
      `write ${i} to spread`,
      async () => {
        const now = await views(cluster, NODES);
        return (
          now.every((view) => view.members.find((m) => m.node === writer)?.state.probe === String(i)) && now
        );
      },
      20_000,
      25,
    );
    spread.push((all.find((view) => view.node === writer)?.counters.rounds ?? 0) - before);
  }
  console.log(`[rumor=${rumor}] writer rounds to reach ${SIZE} nodes: ${spread.join(", ")}`);
  return spread;
}

describe("rumor: pushing a write at once", () => {
  it("gets writes everywhere in fewer rounds than anti-entropy alone", {
    timeout: 240_000,
  }, async () => {
    const on = await writeSpread("rumor-on", true);
    const off = await writeSpread("rumor-off", false);
    expect(median(off)).toBeGreaterThan(median(on));
  });
});
