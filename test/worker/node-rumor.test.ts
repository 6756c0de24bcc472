/**
 * Does pushing a write at once (the `rumor` option) make it reach a 16-node cluster sooner?
 * The same writes run on one cluster with rumor and one without. Each write's spread is read
 * from the nodes' own event logs (when the last node took it), not from when a poll of the
 * views saw it: under the whole suite's load a poll of 16 views takes longer than a round,
 * and once made both sides read alike. Without rumor the writes still reach every node, by
 * anti-entropy alone, but the median write takes longer than with rumor. (The core's cluster test bounds the same figure exactly, on a
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

/** Milliseconds from each write until the last other node took it, from their event logs. */
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
    const others = NODES.filter((node) => node !== writer);
    const cursors = await Promise.all(
      others.map(async (node) => (await nodeStub(cluster, node).events(0)).next),
    );
    const writtenAt = Date.now();
    await nodeStub(cluster, writer).setKey("probe", String(i));
    await waitFor(
      `write ${i} to spread`,
      async () =>
        (await views(cluster, others)).every(
          (view) => view.members.find((m) => m.node === writer)?.state.probe === String(i),
        ),
      20_000,
      25,
    );
    const taken = await Promise.all(
      others.map(async (node, j) => {
        const { events } = await nodeStub(cluster, node).events(cursors[j] as number);
        const event = events.find(
          (e) => e.type === "state" && e.node === writer && e.keys?.includes("probe"),
        );
        if (!event) throw new Error(`${node} holds write ${i} of ${writer} but logged no state event for it`);
        return event.at;
      }),
    );
    spread.push(Math.max(0, Math.max(...taken) - writtenAt));
  }
  console.log(`[rumor=${rumor}] ms for a write to reach ${SIZE} nodes: ${spread.join(", ")}`);
  return spread;
}

describe("rumor: pushing a write at once", () => {
  it("gets writes everywhere sooner than anti-entropy alone", {
    timeout: 240_000,
  }, async () => {
    const on = await writeSpread("rumor-on", true);
    const off = await writeSpread("rumor-off", false);
    expect(median(off)).toBeGreaterThan(median(on));
  });
});
