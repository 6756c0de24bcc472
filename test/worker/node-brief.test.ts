/**
 * A node's brief is kept as membership changes (no view built), and still says exactly what
 * its full view would: the same status counts, member count and fingerprint, through joins,
 * writes, agents, a stopped peer, a leave and a wake-up from storage.
 */
import { runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import type { GossipNode } from "../../src/node/gossip-node.js";
import { briefOf } from "../../src/node/node-brief.js";
import { evictAndWait, names, nodeStub, startCluster, stopAll, views, waitFor } from "./support/nodes.js";

const CLUSTER = "brief-tally";
afterAll(async () => {
  await stopAll(CLUSTER, names(4));
});

/** Whether the node's brief and the brief made from its full view agree (read in one call). */
async function agrees(node: string): Promise<boolean> {
  return runInDurableObject(nodeStub(CLUSTER, node), async (instance: GossipNode) => {
    const brief = await instance.brief(false);
    const view = await instance.view();
    if (!brief || !view) return false;
    const full = briefOf(view, false);
    return (
      brief.viewHash === full.viewHash &&
      brief.memberCount === full.memberCount &&
      JSON.stringify(brief.members) === JSON.stringify(full.members)
    );
  });
}

async function allAgree(step: string, nodes: readonly string[]): Promise<void> {
  for (const node of nodes) await waitFor(`${node}'s brief to match its view ${step}`, () => agrees(node));
}

describe("a node's brief", { timeout: 60_000 }, () => {
  it("matches its full view through every kind of membership change", async () => {
    const all = names(4);
    await startCluster(CLUSTER, 4, ["n0"]);
    await allAgree("while joining", all);
    await waitFor("every node to see four alive", async () =>
      (await views(CLUSTER, all)).every((v) => v.members.filter((m) => m.status === "alive").length === 4),
    );
    await allAgree("once joined", all);
    await nodeStub(CLUSTER, "n1").setKey("endpoint", "10.0.0.1");
    await nodeStub(CLUSTER, "n1").agentHeartbeat("edge-1", { intervalMs: 60_000, state: { load: "3" } });
    await allAgree("after a write and an agent", all);
    await nodeStub(CLUSTER, "n3").stop();
    const live = ["n0", "n1", "n2"];
    await waitFor("n0 to see n3 not alive", async () => {
      const [n0] = await views(CLUSTER, ["n0"]);
      return n0?.members.find((m) => m.node === "n3")?.status !== "alive";
    });
    await allAgree("with a stopped peer", live);
    await nodeStub(CLUSTER, "n1").agentLeave("edge-1");
    await allAgree("after the agent left", live);
    await evictAndWait(CLUSTER, "n0");
    await allAgree("after a wake-up", live);
    const [n0] = await views(CLUSTER, ["n0"]);
    expect(n0?.members.length).toBe(5);
  });
});
