/**
 * Fuzz-style, with fast-check inside workerd: tokens for cluster A (read, write, agent) never
 * act on cluster B, whatever the route, method or path encoding (%2F, percent-encoded letters,
 * case, double slashes, trailing slashes, `..` segments). Reads need a token here (READ_TOKEN
 * set), so a read of B is refused too. Every request is refused, and afterwards B's node,
 * its keys, its registry entry and its token epoch are exactly as before.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { clusterRegistry } from "../../src/node/registries.js";
import { call, callJson } from "./support/api.js";

vi.setConfig({ testTimeout: 120_000 });

const A = "fz-a";
const B = "fz-b";
const ENV = { READ_TOKEN: "fuzz-reader" };

/** Spellings of a path segment that names cluster B, or reach it through A. */
const B_SEGMENTS = [
  B,
  "%66z-b",
  "fz%2Db",
  "FZ-B",
  "Fz-b",
  `${A}/../${B}`,
  `${A}/%2e%2e/${B}`,
  `${A}%2F..%2F${B}`,
  `${A}%2f..%2f${B}`,
  `${A}%2F${B}`,
  `${B}/`,
  `/${B}`,
  `${B}%2F`,
  `.%2F${B}`,
  `./${B}`,
  `${B}%20`,
  `${B};x`,
  `${B}%00`,
  encodeURIComponent(`${B}/`),
];

/** Route shapes and the methods they answer: `{c}` is the cluster segment; nodes, keys and agents are B's. */
const ROUTES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["/v1/clusters/{c}", ["GET"]],
  ["/v1/clusters/{c}/bootstrap", ["POST"]],
  ["/v1/clusters/{c}/members", ["GET"]],
  ["/v1/clusters/{c}/metrics", ["GET"]],
  ["/v1/clusters/{c}/tokens/revoke", ["POST"]],
  ["/v1/clusters/{c}/nodes/n0", ["GET", "PUT", "DELETE"]],
  ["/v1/clusters/{c}/nodes/n1", ["PUT"]],
  ["/v1/clusters/{c}/nodes/n0/state/k", ["PUT", "DELETE"]],
  ["/v1/clusters/{c}/nodes/n0/stop", ["POST"]],
  ["/v1/clusters/{c}/nodes/n0/start", ["POST"]],
  ["/v1/clusters/{c}/nodes/n0/leave", ["POST"]],
  ["/v1/clusters/{c}/nodes/n0/hang", ["POST"]],
  ["/v1/clusters/{c}/nodes/n0/evict", ["POST"]],
  ["/v1/clusters/{c}/nodes/n0/alarm", ["DELETE"]],
  ["/v1/clusters/{c}/nodes/n0/events", ["GET"]],
  ["/v1/clusters/{c}/agents/edge-1", ["PUT", "DELETE"]],
  ["/v1/clusters/{c}/owners", ["GET", "POST"]],
];

const METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"];

/** A body each route would accept, so the token is the only thing in the way. */
function bodyFor(path: string): unknown {
  if (path.endsWith("/bootstrap")) return { size: 2 };
  if (path.includes("/state/")) return { value: "taken" };
  if (path.includes("/agents/")) return { intervalMs: 60_000 };
  if (/\/nodes\/n\d$/.test(path)) return { seeds: [] };
  return undefined;
}

/** Path-level damage: double slashes, a trailing slash, a case change of the prefix. */
function mangle(path: string, how: number): string {
  switch (how) {
    case 1:
      return path.replace("/clusters/", "//clusters/");
    case 2:
      return path.replace(/\/(nodes|agents)\//, "//$1/");
    case 3:
      return `${path}/`;
    case 4:
      return path.replace("/v1/", "/V1/");
    case 5:
      return `/${path}`;
    default:
      return path;
  }
}

interface Snapshot {
  generation: number;
  running: boolean;
  keys: string;
  nodes: string[];
  epoch: number;
}

async function snapshotB(): Promise<Snapshot> {
  const view = await callJson("GET", `/v1/clusters/${B}/nodes/n0`);
  expect(view.status).toBe(200);
  return {
    generation: view.json.generation,
    running: view.json.running,
    keys: JSON.stringify(view.json.self.state ?? {}),
    nodes: await clusterRegistry(env, B).nodes(B),
    epoch: await clusterRegistry(env, B).tokenEpoch(B),
  };
}

const tokens: Record<string, string> = {};
let before: Snapshot;

beforeAll(async () => {
  const boot = await callJson("POST", `/v1/clusters/${B}/bootstrap`, {
    body: { size: 1, config: { intervalMs: 1000 } },
  });
  expect(boot.status).toBe(200);
  for (const body of [
    { scope: "read", cluster: A },
    { scope: "write", cluster: A },
    { scope: "agent", cluster: A, agent: "edge-1" },
  ]) {
    const minted = await callJson("POST", "/v1/tokens", { body });
    expect(minted.status).toBe(200);
    tokens[body.scope] = minted.json.token;
  }
  before = await snapshotB();
});

afterAll(async () => {
  await call("POST", `/v1/clusters/${B}/nodes/n0/stop`);
});

describe("a token for cluster A never acts on cluster B", () => {
  it("whatever the route, method or path encoding", async () => {
    const seen: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("read", "write", "agent"),
        // Mostly a method the route answers, sometimes any.
        fc
          .constantFrom(...ROUTES)
          .chain(([route, methods]) =>
            fc.tuple(
              fc.constant(route),
              fc.oneof({ arbitrary: fc.constantFrom(...methods), weight: 3 }, fc.constantFrom(...METHODS)),
            ),
          ),
        fc.constantFrom(...B_SEGMENTS),
        // Mostly the path as it is, sometimes damaged.
        fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, fc.integer({ min: 1, max: 5 })),
        async (scope, [route, method], segment, how) => {
          const path = mangle(route.replace("{c}", segment), how);
          const body = method === "GET" || method === "HEAD" ? undefined : bodyFor(route);
          const res = await call(method, path, { token: tokens[scope] as string, env: ENV, body });
          await res.body?.cancel();
          seen.push(`${res.status}`);
          // Refused (401, 403), or not a route at all (400, 404, 405): never done.
          expect(res.status, `${scope} ${method} ${path}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${scope} ${method} ${path}`).not.toBeGreaterThanOrEqual(500);
        },
      ),
      { numRuns: 300 },
    );
    // Minting for B with an A token, or for anything with a scoped token, is refused too.
    for (const scope of ["read", "write", "agent"]) {
      const minted = await call("POST", "/v1/tokens", {
        token: tokens[scope] as string,
        env: ENV,
        body: { scope: "write", cluster: B },
      });
      expect(minted.status).toBe(403);
    }
    // The refusals were mostly the token's (403), not only unknown routes.
    expect(seen.filter((s) => s === "403").length).toBeGreaterThan(50);
    expect(await snapshotB()).toEqual(before);
  });

  it("while the same tokens do act on A (the refusals are about B)", async () => {
    const put = await callJson("PUT", `/v1/clusters/${A}/nodes/n0`, {
      token: tokens.write as string,
      env: ENV,
      body: { seeds: [] },
    });
    expect(put.status).toBe(200);
    const read = await call("GET", `/v1/clusters/${A}`, { token: tokens.read as string, env: ENV });
    expect(read.status).toBe(200);
    await call("POST", `/v1/clusters/${A}/nodes/n0/stop`);
  });
});
