/**
 * One registry per cluster (issue 19, item 8): a cluster's nodes are listed by a registry
 * object of its own, never by one that serves every cluster; a read of an unknown cluster
 * stores nothing and is answered from a short negative cache when repeated; a failing or slow
 * registry leaves readers (agent homes among them) with the last list they had; and the rows
 * of the one registry of old are copied into the clusters' own registries by the keeper.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { REGISTRY_CACHE_MS } from "../../src/api/registry-cache.js";
import type { GossipNode } from "../../src/node/gossip-node.js";
import { keepNodesRunning } from "../../src/node/keeper.js";
import { readNodeError } from "../../src/node/node-error.js";
import { markRunning } from "../../src/node/registration.js";
import { KEEPER_DIRECTORY } from "../../src/node/rpc-types.js";
import { KEEPER_TICK_SUBREQUESTS, SUBREQUEST_BUDGET } from "../../src/node/subrequests.js";
import { callJson } from "./support/api.js";
import { names, nodeStub, stopAll, waitFor } from "./support/nodes.js";

const started: Array<[string, number]> = [];
afterAll(async () => {
  for (const [cluster, size] of started) await stopAll(cluster, names(size));
});
afterEach(() => {
  vi.useRealTimers();
});

async function bootstrap(cluster: string, size: number): Promise<void> {
  started.push([cluster, size]);
  const res = await callJson("POST", `/v1/clusters/${cluster}/bootstrap`, {
    body: { size, config: { intervalMs: 200 } },
  });
  expect(res.status).toBe(200);
}

/** Registry calls the Worker makes, by registry name; `behave` may replace a registry's answer. */
function watchedRegistries(behave?: (name: string, method: string) => Promise<unknown> | undefined) {
  const calls: string[] = [];
  const bindings = {
    CLUSTER_REGISTRY: {
      getByName: (name: string) => {
        const stub = env.CLUSTER_REGISTRY.getByName(name);
        return new Proxy(stub, {
          get(target, prop) {
            const value = Reflect.get(target, prop);
            if (typeof value !== "function") return value;
            return (...args: unknown[]) => {
              calls.push(`${name}.${String(prop)}`);
              return behave?.(name, String(prop)) ?? Reflect.apply(value, target, args);
            };
          },
        });
      },
    },
  } as unknown as Partial<Cloudflare.Env>;
  return { calls, bindings };
}

describe("one registry per cluster", { timeout: 60_000 }, () => {
  it("lists a cluster's nodes in a registry of its own, and the keeper's directory", async () => {
    await bootstrap("reg-own-a", 2);
    await bootstrap("reg-own-b", 3);
    expect(await env.CLUSTER_REGISTRY.getByName("reg-own-a").nodes("reg-own-a")).toEqual(["n0", "n1"]);
    expect(await env.CLUSTER_REGISTRY.getByName("reg-own-b").nodes("reg-own-b")).toEqual(["n0", "n1", "n2"]);
    // a cluster's registry holds nothing of another cluster
    expect(await env.CLUSTER_REGISTRY.getByName("reg-own-a").clusters()).toEqual(["reg-own-a"]);
    const directory = await env.CLUSTER_REGISTRY.getByName(KEEPER_DIRECTORY).clusters();
    expect(directory).toEqual(expect.arrayContaining(["reg-own-a", "reg-own-b"]));
  });

  it("stores nothing for a read of an unknown cluster, and answers a repeat from its negative cache", async () => {
    const watch = watchedRegistries();
    for (let i = 0; i < 3; i++) {
      const res = await callJson("GET", "/v1/clusters/reg-nobody-here/members", { env: watch.bindings });
      expect(res.status).toBe(404);
    }
    expect(watch.calls).toEqual(["reg-nobody-here.nodes"]);
    const tables = await runInDurableObject(
      env.CLUSTER_REGISTRY.getByName("reg-nobody-here"),
      (_instance, state) =>
        state.storage.sql
          .exec<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'")
          .one().n,
    );
    expect(tables).toBe(0);
  });

  it("serves the last node list when the registry fails or is slow, so agents keep heartbeating", async () => {
    const cluster = "reg-stale";
    await bootstrap(cluster, 2);
    const beat = (bindings?: Partial<Cloudflare.Env>) =>
      callJson("PUT", `/v1/clusters/${cluster}/agents/edge-1`, {
        body: { intervalMs: 1000 },
        ...(bindings ? { env: bindings } : {}),
      });
    expect((await beat()).status).toBe(200);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 2 * REGISTRY_CACHE_MS);
    const failing = watchedRegistries(() => Promise.reject(new Error("registry down")));
    const down = await beat(failing.bindings);
    expect(down.status).toBe(200);
    expect(failing.calls).toEqual([`${cluster}.nodes`]);
    vi.setSystemTime(Date.now() + 2 * REGISTRY_CACHE_MS);
    const slow = watchedRegistries(() => new Promise(() => {}));
    const began = performance.now();
    expect((await beat(slow.bindings)).status).toBe(200);
    expect(performance.now() - began).toBeLessThan(5_000);
  });

  it("fails clearly with no list to fall back on: 503 registry_unavailable, and configure changes nothing", async () => {
    const failing = watchedRegistries(() => Promise.reject(new Error("registry down")));
    const res = await callJson("GET", "/v1/clusters/reg-never-seen/members", { env: failing.bindings });
    expect(res.status).toBe(503);
    expect(res.json.error.code).toBe("registry_unavailable");
    const error = await markRunning(
      { ...env, ...failing.bindings } as Cloudflare.Env,
      "reg-never-seen",
      "n0",
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(readNodeError(error)?.code).toBe("registry_unavailable");
  });

  it("copies the rows the one registry of old held into each cluster's own registry", async () => {
    // a tick's calls: the page, one per node on it, the rows to copy, two per cluster copied
    expect(KEEPER_TICK_SUBREQUESTS).toBeLessThanOrEqual(SUBREQUEST_BUDGET);
    // As a registry written before registries were per cluster holds them: not yet listed.
    await env.CLUSTER_REGISTRY.getByName(KEEPER_DIRECTORY).register("reg-legacy", ["n0", "n1"]);
    await runInDurableObject(env.CLUSTER_REGISTRY.getByName(KEEPER_DIRECTORY), (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE members SET listed = 0, running = 0 WHERE cluster = 'reg-legacy' AND node = 'n1'",
      );
      state.storage.sql.exec("UPDATE members SET listed = 0 WHERE cluster = 'reg-legacy'");
    });
    expect(await env.CLUSTER_REGISTRY.getByName("reg-legacy").nodes("reg-legacy")).toEqual([]);
    let migrated: string[] = [];
    for (let tick = 0; tick < 20 && !migrated.includes("reg-legacy"); tick++)
      migrated = (await keepNodesRunning(env)).migrated;
    expect(migrated).toContain("reg-legacy");
    const own = await env.CLUSTER_REGISTRY.getByName("reg-legacy").all();
    expect(own).toEqual([
      { cluster: "reg-legacy", node: "n0", running: true },
      { cluster: "reg-legacy", node: "n1", running: false },
    ]);
    expect((await keepNodesRunning(env)).migrated).not.toContain("reg-legacy");
  });

  it("finds a running node registered before registries were per cluster at its next round, before any keeper tick", async () => {
    const cluster = "reg-upgraded";
    await bootstrap(cluster, 2);
    // As stored before the split: the cluster's registry empty (first, so that no round lists a
    // node before the rows go), and the node not marked listed. The flag is cleared in memory
    // too, in the same turn: every round saves the record, and a round between clearing the row
    // and the eviction would write the flag back (it did under the whole suite's load in CI).
    await runInDurableObject(env.CLUSTER_REGISTRY.getByName(cluster), (_instance, state) => {
      state.storage.sql.exec("DELETE FROM members");
    });
    expect(await env.CLUSTER_REGISTRY.getByName(cluster).nodes(cluster)).toEqual([]);
    for (const node of ["n0", "n1"]) {
      await runInDurableObject(nodeStub(cluster, node), (instance: GossipNode, state) => {
        state.storage.sql.exec("UPDATE node SET listed = 0");
        // biome-ignore lint/complexity/useLiteralKeys: the lifecycle is protected; a test reaches in
        const life = instance["life"];
        if (life.state !== "unconfigured") life.node.record.listed = false;
      });
      await evictDurableObject(nodeStub(cluster, node));
    }
    const listed = await waitFor(
      "both nodes to list themselves",
      async () => {
        const all = await env.CLUSTER_REGISTRY.getByName(cluster).all();
        return all.length === 2 && all;
      },
      // A round each, after waking from eviction; the whole suite shares two cores in CI.
      45_000,
      50,
    );
    expect(listed).toEqual([
      { cluster, node: "n0", running: true },
      { cluster, node: "n1", running: true },
    ]);
    // Past the isolate's cached list, the API finds the cluster through its own registry.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 2 * REGISTRY_CACHE_MS);
    const res = await callJson("GET", `/v1/clusters/${cluster}/members`);
    expect(res.status).toBe(200);
    vi.useRealTimers();
    // Listed once: the flag is saved, so later rounds ask no registry.
    const flag = await runInDurableObject(nodeStub(cluster, "n0"), (_instance, state) =>
      state.storage.sql.exec<{ listed: number }>("SELECT listed FROM node").one(),
    );
    expect(flag.listed).toBe(1);
  });
});
