/**
 * A node over a long life, inside workerd: what it keeps stays bounded however often it is
 * restarted, a storage failure while answering a peer does not make the peer suspect it, and
 * register-and-leave churn of agents cannot grow the cluster's membership without bound.
 */
import { runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import type { NodeView } from "../../src/node/rpc-types.js";
import { nodeStub, startCluster, stopAll } from "./support/nodes.js";

const started: Array<[string, string[]]> = [];
afterAll(async () => {
  for (const [cluster, nodes] of started) await stopAll(cluster, nodes);
});

/** The size, as JSON, of what the node's runtime keeps of its earlier generations. */
async function retiredSize(cluster: string, node: string): Promise<number> {
  return runInDurableObject(nodeStub(cluster, node), (instance) => {
    const life = (instance as unknown as { life: { node?: { retired?: unknown } } }).life;
    return JSON.stringify(life.node?.retired ?? null).length;
  });
}

describe("a node's life", () => {
  it("keeps one record of earlier generations' counters however many times it restarts", async () => {
    const cluster = "life-retired";
    started.push([cluster, ["n0"]]);
    await startCluster(cluster, 1, []);
    const restart = async () => {
      await nodeStub(cluster, "n0").stop();
      return (await nodeStub(cluster, "n0").start()) as unknown as NodeView;
    };
    await restart();
    const before = (await restart()).counters.rounds;
    const afterTwo = await retiredSize(cluster, "n0");
    let view: NodeView | undefined;
    for (let i = 0; i < 20; i++) view = await restart();
    expect(await retiredSize(cluster, "n0")).toBeLessThanOrEqual(afterTwo + 64);
    // and the totals still count every generation: they never go back
    expect(view?.counters.rounds).toBeGreaterThanOrEqual(before);
  });
});
