/**
 * The cron keeper within the subrequest budget: each tick visits one page of the nodes the
 * registry lists as running (one call each, the page derived from the budget), successive
 * ticks cover a registry of several pages, and stopped, left or deregistered nodes are never
 * visited, while a node started again is.
 */
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { keepNodesRunning } from "../../src/node/keeper.js";
import { KEEPER_PAGE, SUBREQUEST_BUDGET } from "../../src/node/subrequests.js";
import { names, nodeStub, startCluster, stopAll, waitFor } from "./support/nodes.js";

const registry = () => env.CLUSTER_REGISTRY.getByName("registry");

/** Runs `count` keeper ticks; the names each tick visited. */
async function ticks(count: number): Promise<string[][]> {
  const out: string[][] = [];
  for (let i = 0; i < count; i++) out.push((await keepNodesRunning(env)).visited);
  return out;
}

const started: Array<[string, string[]]> = [];
afterAll(async () => {
  for (const [cluster, nodes] of started) await stopAll(cluster, nodes);
});

describe("the cron keeper", { timeout: 90_000 }, () => {
  it("visits a page per tick within the subrequest budget and covers every running node over ticks", async () => {
    // Registered, never configured: the keeper's call finds nothing to re-arm and stores nothing.
    const many = Array.from({ length: 2 * KEEPER_PAGE + 5 }, (_, i) => `r${String(i).padStart(3, "0")}`);
    await registry().register("keep-many", many);
    expect(KEEPER_PAGE + 1).toBeLessThanOrEqual(SUBREQUEST_BUDGET); // the page and the registry call
    const total = (await registry().all()).filter((entry) => entry.running).length;
    const needed = Math.ceil(total / KEEPER_PAGE);
    const pages = await ticks(needed);
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(KEEPER_PAGE);
    expect(pages[0]?.length).toBe(KEEPER_PAGE);
    const seen = new Set(pages.flat());
    for (const node of many) expect(seen).toContain(`keep-many/${node}`);
    // and it starts over: the next tick visits the first page again
    const again = await ticks(needed);
    expect(new Set(again.flat())).toEqual(seen);
  });

  it("never visits stopped or left nodes, and visits a node started again", async () => {
    const cluster = "keep-stop";
    const nodes = names(4);
    started.push([cluster, nodes]);
    await startCluster(cluster, nodes.length, ["n0"]);
    await nodeStub(cluster, "n2").stop();
    await waitFor("n3 to have a peer to tell of its leave", async () => {
      const view = await nodeStub(cluster, "n3").view();
      return (view?.members.length ?? 0) > 1;
    });
    await nodeStub(cluster, "n3").leave();
    const running = (await registry().all()).filter((entry) => entry.cluster === cluster);
    expect(running.map(({ node, running }) => [node, running])).toEqual([
      ["n0", true],
      ["n1", true],
      ["n2", false],
      ["n3", false],
    ]);
    const cover = Math.ceil((await registry().all()).filter((entry) => entry.running).length / KEEPER_PAGE);
    let seen = new Set((await ticks(cover)).flat());
    expect(seen).toContain(`${cluster}/n0`);
    expect(seen).toContain(`${cluster}/n1`);
    expect(seen).not.toContain(`${cluster}/n2`);
    expect(seen).not.toContain(`${cluster}/n3`);

    await nodeStub(cluster, "n2").start();
    seen = new Set((await ticks(cover)).flat());
    expect(seen).toContain(`${cluster}/n2`);
    expect(seen).not.toContain(`${cluster}/n3`);
  });

  it("a stopped node the registry still counts as running is visited once, then not again", async () => {
    const cluster = "keep-stale";
    started.push([cluster, ["n0"]]);
    await startCluster(cluster, 1, []);
    await nodeStub(cluster, "n0").stop();
    // As a registry saved before the running flag, or a lost notice, would have it.
    await registry().register(cluster, ["n0"]);
    const cover = () =>
      registry()
        .all()
        .then((all) => Math.ceil(all.filter((e) => e.running).length / KEEPER_PAGE));
    const first = new Set((await ticks(await cover())).flat());
    expect(first).toContain(`${cluster}/n0`);
    const entry = (await registry().all()).find((e) => e.cluster === cluster && e.node === "n0");
    expect(entry?.running).toBe(false);
    const later = new Set((await ticks(await cover())).flat());
    expect(later).not.toContain(`${cluster}/n0`);
  });
});
