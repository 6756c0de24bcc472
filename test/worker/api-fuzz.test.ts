/**
 * API fuzzing inside workerd (issue 10): arbitrary methods, paths, headers and bodies, with no
 * token, a wrong one, or the right one with a body that cannot be valid. Whatever comes in,
 * the API answers a 4xx in its JSON error shape (never a 5xx, never anything else), and
 * nothing changes: the registry, the set of Durable Objects and a running node's state are
 * the same afterwards.
 */
import { env, listDurableObjectIds } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { NodeView } from "../../src/node/rpc-types.js";
import { BASE, call, callJson, TOKEN } from "./support/api.js";

vi.setConfig({ testTimeout: 120_000 });

const CLUSTER = "api-fuzz";
const SENTINEL = `/v1/clusters/${CLUSTER}/nodes/n0`;
const CONFIG = { intervalMs: 1000 };

/** What must not change: the registry, which objects exist, the sentinel's own record. */
async function snapshot() {
  const registry = (await env.CLUSTER_REGISTRY.getByName("registry").all()) as unknown;
  const objects = (await listDurableObjectIds(env.GOSSIP_NODE)).map((id) => id.toString()).sort();
  const view = (await callJson<NodeView>("GET", SENTINEL)).json;
  return {
    registry,
    objects,
    node: {
      generation: view.generation,
      running: view.running,
      status: view.status,
      maxVersion: view.self.maxVersion,
      state: view.self.state,
    },
  };
}

const segment = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.constantFrom("n0", "..", "%", "%zz", "%00", "a".repeat(70), "Capital", "-x", "ok-name"),
);
const otherCluster = segment.filter((s) => s !== CLUSTER);
const suffix = fc.oneof(
  fc.constant(""),
  fc.constantFrom("/bootstrap", "/members", "/members?limit=0", "/members?cursor=%%", "/members?status=x"),
  segment.map((n) => `/nodes/${n}`),
  fc
    .tuple(segment, fc.constantFrom("events", "stop", "start", "leave", "state"))
    .map(([n, a]) => `/nodes/${n}/${a}`),
  fc.tuple(segment, segment).map(([n, k]) => `/nodes/${n}/state/${k}`),
  segment.map((s) => `/${s}`),
);

/** Reads of other clusters, and anything at all with no or a wrong token. */
const path = fc.oneof(
  fc.tuple(otherCluster, suffix).map(([c, s]) => `/v1/clusters/${c}${s}`),
  suffix.map((s) => `/v1/clusters/${CLUSTER}${s}`),
  segment.map((s) => `/v1/${s}`),
);

const headerName = fc
  .stringMatching(/^[a-z][a-z-]{0,15}$/)
  .filter(
    (name) => !["host", "content-length", "transfer-encoding", "connection", "authorization"].includes(name),
  );
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/).map((v) => v.trim());
const headers = fc.dictionary(headerName, headerValue, { maxKeys: 4 });

/** Bodies: junk, JSON of any shape, or nothing. */
const anyBody = fc.option(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 3 })), {
  nil: undefined,
});
/** With the right token only bodies that cannot be valid: not JSON objects. */
const invalidBody = fc.oneof(
  fc.string({ maxLength: 200 }).filter((text) => !isJsonObject(text)),
  fc.constantFrom(
    "{",
    "[]",
    "null",
    '{"seeds": "n0"}',
    '{"size": 0}',
    '{"value": 1}',
    '{"seeds": [], "x": 1}',
  ),
);

function isJsonObject(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

const request = fc.oneof(
  // No token or a wrong one: any method, any path.
  fc.record({
    method: fc.constantFrom("GET", "PUT", "POST", "DELETE", "PATCH"),
    path,
    headers,
    body: anyBody,
    token: fc.option(
      fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/).filter((t) => t !== TOKEN),
      { nil: null },
    ),
  }),
  // The right token, a body that cannot be valid, any path except the sentinel's reads. Not
  // DELETE: it reads no body, so with the right token it is a valid call (it deregistered the
  // sentinel in one run).
  fc.record({
    method: fc.constantFrom("PUT", "POST"),
    path,
    headers,
    body: invalidBody,
    token: fc.constant(TOKEN),
  }),
);

beforeAll(async () => {
  const started = await callJson("PUT", SENTINEL, { body: { seeds: [], config: CONFIG } });
  expect(started.status).toBe(200);
  expect((await callJson("PUT", `${SENTINEL}/state/kept`, { body: { value: "yes" } })).status).toBe(200);
});

afterAll(async () => {
  await call("POST", `${SENTINEL}/stop`);
});

describe("API fuzzing", () => {
  it("answers every bad request with a JSON 4xx and changes nothing", async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        // Reads are public here: a read of the sentinel's cluster may rightly succeed.
        if (r.method === "GET" && r.path.startsWith(`/v1/clusters/${CLUSTER}`) && !r.path.includes("?"))
          return;
        const body = r.method === "GET" || r.body === undefined ? undefined : String(r.body);
        const res = await call(r.method, r.path, {
          token: r.token,
          headers: body === undefined ? r.headers : { "content-type": "application/json", ...r.headers },
          body,
        });
        const text = await res.text();
        const where = `${r.method} ${BASE}${r.path} -> ${res.status} ${text.slice(0, 200)}`;
        expect(res.status, where).toBeGreaterThanOrEqual(400);
        expect(res.status, where).toBeLessThan(500);
        expect(res.headers.get("content-type"), where).toContain("application/json");
        const json = JSON.parse(text);
        expect(typeof json.error?.code, where).toBe("string");
        expect(typeof json.error?.message, where).toBe("string");
      }),
      { numRuns: 300 },
    );
    expect(await snapshot()).toEqual(before);
  });
});
