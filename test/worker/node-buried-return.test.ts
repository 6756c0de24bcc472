/**
 * A node back from a hang longer than the dead grace is taken back, not shunned until its grave
 * expires (issue 19, item 1, as seen over HTTP): peers that forgot it tell it it was declared
 * dead, it refutes, and every node lists it alive again at the same generation.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { NodeView } from "../../src/node/rpc-types.js";
import { names, nodeStub, startCluster, stopAll, TEST_CONFIG, views, waitFor } from "./support/nodes.js";

const CLUSTER = "buried-return";
const NODES = names(6);
const OTHERS = NODES.filter((node) => node !== "n5");
// Graves outlive the test by far: only being told can bring n5 back.
const config = { ...TEST_CONFIG, deadGraceMs: 2_000, leftGraceMs: 600_000 };

afterAll(async () => {
  await stopAll(CLUSTER, NODES);
});

function memberOf(view: NodeView, node: string) {
  return view.members.find((member) => member.node === node);
}

describe("a node back from a hang past the dead grace", () => {
  it("is alive again at every node, at the same generation", { timeout: 120_000 }, async () => {
    await startCluster(CLUSTER, 6, ["n0", "n1"], config);
    await waitFor(
      "the cluster to converge",
      async () =>
        (await views(CLUSTER, NODES)).every(
          (view) => view.members.length === 6 && view.members.every((m) => m.status === "alive"),
        ),
      30_000,
    );
    const [before] = await views(CLUSTER, ["n5"]);
    await nodeStub(CLUSTER, "n5").hang();
    await waitFor(
      "every peer to forget n5",
      async () => (await views(CLUSTER, OTHERS)).every((view) => memberOf(view, "n5") === undefined),
      60_000,
    );
    await nodeStub(CLUSTER, "n5").start();
    await waitFor(
      "n5 alive at every node",
      async () =>
        (await views(CLUSTER, NODES)).every((view) => {
          const member = memberOf(view, "n5");
          return member?.status === "alive" && member.generation === before?.generation;
        }),
      20_000,
    );
    const all = await views(CLUSTER, OTHERS);
    expect(all.reduce((sum, view) => sum + view.counters.buriedTold, 0)).toBeGreaterThan(0);
  });
});
