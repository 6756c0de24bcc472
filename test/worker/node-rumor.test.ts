/**
 * Does pushing a write at once (the `rumor` option) make it reach a 16-node cluster sooner?
 * Runs the same writes on one cluster without rumor and one with it, one after the other,
 * and prints the mean and worst spread times and the extra RPC calls. Both must spread.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { NodeView } from "../../src/node/rpc-types.js";
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
let running: string | null = null;

afterEach(async () => {
  if (running) await stopAll(running, NODES);
  running = null;
});

function total(all: NodeView[], pick: (view: NodeView) => number): number {
  return all.reduce((sum, view) => sum + pick(view), 0);
}

async function spreadTimes(cluster: string, rumor: boolean): Promise<number[]> {
  running = cluster;
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
  const before = await views(cluster, NODES);
  const times: number[] = [];
  for (const [i, writer] of WRITERS.entries()) {
    const t0 = Date.now();
    await nodeStub(cluster, writer).setKey("probe", String(i));
    await waitFor(
      `write ${i} to spread`,
      async () =>
        (await views(cluster, NODES)).every(
          (view) => view.members.find((m) => m.node === writer)?.state.probe === String(i),
        ),
      20_000,
      25,
    );
    times.push(Date.now() - t0);
  }
  const after = await views(cluster, NODES);
  const calls =
    total(after, (view) => view.counters.rpcCallsMade) - total(before, (view) => view.counters.rpcCallsMade);
  const rounds = total(after, (view) => view.counters.rounds) - total(before, (view) => view.counters.rounds);
  const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
  console.log(
    `[rumor=${rumor}] write spread to ${SIZE} nodes: mean ${mean.toFixed(0)} ms, worst ${Math.max(...times)} ms ` +
      `(${times.join(", ")}); ${(calls / rounds).toFixed(2)} RPC calls per round meanwhile`,
  );
  return times;
}

describe("rumor: pushing a write at once", () => {
  it("spreads writes without rumor", { timeout: 120_000 }, async () => {
    expect(await spreadTimes("rumor-off", false)).toHaveLength(WRITERS.length);
  });

  it("spreads writes with rumor", { timeout: 120_000 }, async () => {
    expect(await spreadTimes("rumor-on", true)).toHaveLength(WRITERS.length);
  });
});
