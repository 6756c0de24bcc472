/**
 * Issue 10, defect 3: a node that hibernates between every two rounds must still declare a
 * stopped member dead. Its suspicion's timer runs from when it began (saved at once), so a
 * wake-up resumes detection instead of starting it over from "alive".
 */
import { evictDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import type { NodeView } from "../../src/node/rpc-types.js";
import { names, nodeStub, startCluster, stopAll, TEST_CONFIG, views, waitFor } from "./support/nodes.js";

const CLUSTER = "wakeups";
const NODES = names(3);

afterAll(async () => {
  await stopAll(CLUSTER, NODES);
});

function statusOf(view: NodeView, node: string) {
  return view.members.find((member) => member.node === node)?.status;
}

describe("detection across wake-ups", () => {
  it("declares a stopped node dead though the observers are evicted between every two rounds", {
    timeout: 60_000,
  }, async () => {
    await startCluster(CLUSTER, 3, ["n0"]);
    await waitFor("the cluster to converge", async () =>
      (await views(CLUSTER, NODES)).every((view) => view.members.every((m) => m.status === "alive")),
    );
    await nodeStub(CLUSTER, "n2").stop();
    // A suspicion survives a wake-up: n0 does not see n2 alive again after losing its memory.
    await waitFor("n0 to suspect n2", async () => {
      const [view] = await views(CLUSTER, ["n0"]);
      return statusOf(view as NodeView, "n2") !== "alive";
    });
    await evictDurableObject(nodeStub(CLUSTER, "n0"));
    const [woken] = await views(CLUSTER, ["n0"]);
    expect(statusOf(woken as NodeView, "n2")).not.toBe("alive");
    let evictions = 0;
    const interval = TEST_CONFIG.intervalMs as number;
    const observers = ["n0", "n1"];
    await waitFor(
      "n2 dead at n0 and n1, with evictions between rounds",
      async () => {
        const before = await views(CLUSTER, observers);
        if (before.every((view) => statusOf(view, "n2") === "dead")) return true;
        // Wait for one more round on each, then drop their memory.
        await waitFor(
          "a round on each observer",
          async () => {
            const now = await views(CLUSTER, observers);
            return now.every((view, i) => view.counters.rounds > (before[i] as NodeView).counters.rounds);
          },
          10 * interval,
          interval / 4,
        );
        for (const node of observers) await evictDurableObject(nodeStub(CLUSTER, node));
        evictions++;
        return false;
      },
      45_000,
      0,
    );
    expect(evictions).toBeGreaterThan(2);
  });
});
