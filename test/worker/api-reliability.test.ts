/**
 * Reliability of the API (issue 10): a read of an unknown node creates no Durable Object; a
 * repeated PUT of a running node is a retry, not a restart; event streams are capped per node
 * by the node itself (429 `too_many_watchers`).
 */
import { env, listDurableObjectIds } from "cloudflare:test";
import { afterAll, describe, expect, it, vi } from "vitest";
import { SseReader } from "../../tools/sse-reader.js";
import { call, callJson, eventually, expectError } from "./support/api.js";
import { setWatchCap } from "./support/watch.js";

vi.setConfig({ testTimeout: 40_000 });

const CONFIG = { intervalMs: 200, probeTimeoutMs: 100, suspicionMult: 5 };
const CLUSTER = "/v1/clusters/api-rel";
const started: string[] = [];

async function startNode(node: string, body: unknown = { seeds: [], config: CONFIG }) {
  const res = await callJson("PUT", `${CLUSTER}/nodes/${node}`, { body });
  expect(res.status).toBe(200);
  started.push(node);
  return res.json;
}

afterAll(async () => {
  for (const node of started) await call("POST", `${CLUSTER}/nodes/${node}/stop`);
});

describe("unknown nodes", () => {
  it("reads and writes of an unknown node answer 404 and create no Durable Object", async () => {
    await startNode("known"); // the cluster exists; the node below does not
    const before = (await listDurableObjectIds(env.GOSSIP_NODE)).length;
    const ghost = `ghost-${crypto.randomUUID().slice(0, 8)}`;
    for (const [method, path, body] of [
      ["GET", `${CLUSTER}/nodes/${ghost}`, undefined],
      ["GET", `${CLUSTER}/nodes/${ghost}/events`, undefined],
      ["GET", `${CLUSTER}/members?from=${ghost}`, undefined],
      ["GET", `/v1/clusters/no-such-${ghost}/nodes/${ghost}`, undefined],
      ["PUT", `${CLUSTER}/nodes/${ghost}/state/k`, { value: "v" }],
      ["DELETE", `${CLUSTER}/nodes/${ghost}/state/k`, undefined],
      ["POST", `${CLUSTER}/nodes/${ghost}/stop`, undefined],
    ] as const) {
      const res = await callJson(method, path, { body, token: method === "GET" ? null : undefined });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(expectError(res.json).code).toBe("not_found");
    }
    expect((await listDurableObjectIds(env.GOSSIP_NODE)).length).toBe(before);
  });
});

describe("PUT a running node again", () => {
  it("with the same body is a retry: same generation, nothing restarted", async () => {
    const first = await startNode("steady");
    const again = await startNode("steady");
    expect(again.generation).toBe(first.generation);
    expect(again.running).toBe(true);
    // Defaults written out are the same config.
    const explicit = await startNode("steady", { seeds: [], config: { ...CONFIG, fanout: 2 } });
    expect(explicit.generation).toBe(first.generation);
  });

  it("with a changed config or seeds starts a new generation", async () => {
    const first = await startNode("changing");
    const config = await startNode("changing", { seeds: [], config: { ...CONFIG, fanout: 3 } });
    expect(config.generation).toBeGreaterThan(first.generation);
    const seeds = await startNode("changing", { seeds: ["steady"], config: { ...CONFIG, fanout: 3 } });
    expect(seeds.generation).toBeGreaterThan(config.generation);
  });

  it("on a stopped node restarts it", async () => {
    const first = await startNode("sleeper");
    await call("POST", `${CLUSTER}/nodes/sleeper/stop`);
    const again = await startNode("sleeper");
    expect(again.running).toBe(true);
    expect(again.generation).toBeGreaterThan(first.generation);
  });
});

describe("event streams", () => {
  it("are capped per node, over every isolate: the next one is a 429 too_many_watchers, and a closed one frees its slot", async () => {
    await startNode("busy");
    await setWatchCap("api-rel", "busy", 2);
    const openStream = () => call("GET", `${CLUSTER}/nodes/busy/events`, { token: null });
    const readers: SseReader[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const res = await openStream();
        expect(res.status).toBe(200);
        readers.push(new SseReader(res.body as ReadableStream<Uint8Array>));
        await readers[i]?.next(); // the retry line: the stream is open
      }
      const refused = await openStream();
      expect(refused.status).toBe(429);
      expect(expectError(await refused.json()).code).toBe("too_many_watchers");

      await readers.shift()?.cancel();
      const reopened = await eventually(
        async () => {
          const res = await openStream();
          if (res.status === 200) return res;
          await res.body?.cancel();
          return undefined;
        },
        10_000,
        "a slot to free up",
      );
      readers.push(new SseReader(reopened.body as ReadableStream<Uint8Array>));
    } finally {
      for (const reader of readers) await reader.cancel();
    }
  });
});
