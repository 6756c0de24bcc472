/**
 * The broadcast tree outlives hibernation. A quiet object is evicted from memory between its
 * wakes; if its eager links lived in memory only, every node would grow a new tree at the next
 * write, pushing it to a few random peers each and pruning the duplicates: several messages a
 * node for a write that costs about one on a settled tree. Each node saves its eager peers when
 * they change and takes them back on waking, so the first write after every node of the
 * cluster was evicted costs what a settled write does.
 */
import { evictDurableObject } from "cloudflare:test";
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

const SIZE = 12;
const NODES = names(SIZE);
const CLUSTER = "tree-hibernation";
const WRITER = "n5";

afterEach(async () => {
  await stopAll(CLUSTER, NODES);
});

/** Messages the tree sent, summed over the cluster: eager pushes, prunes and grafts. */
function treeMessages(all: readonly NodeView[]): number {
  return all.reduce(
    (sum, view) => sum + view.counters.treePushesSent + view.counters.prunesSent + view.counters.graftsSent,
    0,
  );
}

/** Writes `value` at WRITER and returns the tree messages it took to reach every node. */
async function writeCost(value: string): Promise<number> {
  const before = treeMessages(await views(CLUSTER, NODES));
  await nodeStub(CLUSTER, WRITER).setKey("tree", value);
  const reached = await waitFor(
    `write ${value} to reach every node`,
    async () => {
      const all = await views(CLUSTER, NODES);
      const everywhere = all.every(
        (view) => view.members.find((member) => member.node === WRITER)?.state.tree === value,
      );
      return everywhere && all;
    },
    30_000,
    50,
  );
  // Prunes answer duplicates a moment after the write lands: let them arrive before counting.
  let settled = treeMessages(reached);
  await waitFor(
    "the tree's answers to settle",
    async () => {
      const now = treeMessages(await views(CLUSTER, NODES));
      const still = now === settled;
      settled = now;
      return still;
    },
    10_000,
    300,
  );
  return settled - before;
}

describe("the broadcast tree across hibernation", () => {
  it("costs a write no more after every node was evicted than on the settled tree", {
    timeout: 180_000,
  }, async () => {
    // Links are saved at most once per snapshotEveryMs; 0 saves each change, so the eviction
    // below finds the settled tree saved however fast the writes before it came.
    await startCluster(CLUSTER, SIZE, ["n0", "n1"], TEST_CONFIG, { ...TEST_OPTIONS, snapshotEveryMs: 0 });
    await waitFor(
      "the cluster to converge",
      async () =>
        (await views(CLUSTER, NODES)).every(
          (view) => view.members.length === SIZE && view.members.every((member) => member.status === "alive"),
        ),
      60_000,
      100,
    );
    // Writes until the tree has settled: the cost of one write stops falling.
    const costs: number[] = [];
    for (let i = 0; i < 8; i++) costs.push(await writeCost(`w${i}`));
    const settled = Math.max(...costs.slice(-2));
    console.log(`[tree] write costs while settling: ${costs.join(", ")}`);
    expect(settled).toBeLessThanOrEqual(1.5 * SIZE);

    for (const node of NODES) await evictDurableObject(nodeStub(CLUSTER, node));
    const woken = await writeCost("after-eviction");
    console.log(`[tree] the first write after every node was evicted: ${woken} messages`);
    expect(woken).toBeLessThanOrEqual(Math.max(settled, SIZE - 1) + 2);
  });
});
