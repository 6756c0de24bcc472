/**
 * What the Worker keeps per isolate between requests stays within its budget: 100 distinct
 * members queries over members with about 1 KB of state each (issue 19, item 9) leave the
 * members cache within MEMBERS_CACHE_LIMITS, and a page too large to keep is answered, never
 * kept.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import {
  cachedMembers,
  checkMembersQuery,
  MEMBERS_CACHE_LIMITS,
  membersCacheSize,
} from "../../src/api/directory-query.js";
import type { GossipNode } from "../../src/node/gossip-node.js";
import { call } from "./support/api.js";
import { nodeStub, startCluster, stopAll } from "./support/nodes.js";

const started: Array<[string, string[]]> = [];
afterAll(async () => {
  for (const [cluster, nodes] of started) await stopAll(cluster, nodes);
});

/** One node hosting `agents` agents, each with `bytes` of state. */
async function heavyCluster(cluster: string, agents: number, bytes: number, keys = 1): Promise<void> {
  started.push([cluster, ["n0"]]);
  await startCluster(cluster, 1, []);
  const state = Object.fromEntries(Array.from({ length: keys }, (_, k) => [`blob${k}`, "x".repeat(bytes)]));
  await runInDurableObject(nodeStub(cluster, "n0"), async (instance: GossipNode) => {
    for (let i = 0; i < agents; i++) await instance.agentHeartbeat(`a${i}`, { intervalMs: 60_000, state });
  });
}

describe("the members cache", { timeout: 60_000 }, () => {
  it("stays within its byte budget over 100 distinct queries of ~1 KB members", async () => {
    const cluster = "cache-members";
    await heavyCluster(cluster, 60, 1000);
    let answered = 0;
    for (let i = 0; i < 100; i++) {
      const query = checkMembersQuery({ limit: 100 + i, keys: ["blob0"] });
      const { json } = await cachedMembers(env, cluster, query);
      expect(json.length).toBeGreaterThan(60_000); // every page carries every member's ~1 KB
      answered += json.length;
      expect(membersCacheSize().bytes).toBeLessThanOrEqual(MEMBERS_CACHE_LIMITS.maxBytes);
    }
    // The pages answered hold more than the budget: the cache dropped the oldest to stay in it.
    expect(2 * answered).toBeGreaterThan(MEMBERS_CACHE_LIMITS.maxBytes);
    expect(membersCacheSize().entries).toBeLessThan(100);
  });

  it("answers a page too large to keep without keeping it", async () => {
    const cluster = "cache-large";
    await heavyCluster(cluster, 64, 4000, 3);
    const before = membersCacheSize();
    const { json } = await cachedMembers(env, cluster, checkMembersQuery({ keys: ["*"] }));
    expect(2 * json.length).toBeGreaterThan(MEMBERS_CACHE_LIMITS.maxEntryBytes);
    expect(JSON.parse(json).members).toHaveLength(65);
    expect(membersCacheSize().bytes).toBeLessThanOrEqual(before.bytes);
  });
});

describe("the cluster summary", { timeout: 60_000 }, () => {
  it("answers with an ETag, 304 on If-None-Match, and reuses a page without asking the nodes again", async () => {
    const cluster = "cache-summary";
    started.push([cluster, ["n0", "n1"]]);
    const boot = await call("POST", `/v1/clusters/${cluster}/bootstrap`, { body: { size: 2 } });
    expect(boot.status).toBe(200);
    let briefs = 0;
    const bindings = {
      GOSSIP_NODE: {
        getByName: (name: string) => {
          const stub = env.GOSSIP_NODE.getByName(name);
          return new Proxy(stub, {
            get(target, prop) {
              const value = Reflect.get(target, prop);
              if (prop !== "brief" || typeof value !== "function") return value;
              return (...args: unknown[]) => {
                briefs++;
                return Reflect.apply(value, target, args);
              };
            },
          });
        },
      },
    } as unknown as Partial<Cloudflare.Env>;
    const first = await call("GET", `/v1/clusters/${cluster}`, { env: bindings });
    expect(first.status).toBe(200);
    const tag = first.headers.get("etag");
    expect(tag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(first.headers.get("cache-control")).toContain("max-age=");
    expect(((await first.json()) as { nodes: unknown[] }).nodes).toHaveLength(2);
    expect(briefs).toBe(2);
    const again = await call("GET", `/v1/clusters/${cluster}`, {
      env: bindings,
      headers: { "if-none-match": tag as string },
    });
    expect(again.status).toBe(304);
    expect(briefs).toBe(2);
  });
});
