/**
 * The service binding: HearsayService called the way another Worker calls it. Through the
 * example consumer Worker (examples/consumer, an auxiliary Worker with a HEARSAY binding) and
 * directly through the main module's entrypoint: the members query, a node's view, a write,
 * the same validation codes as HTTP, and an agent's heartbeat.
 */
import { env, exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readServiceError } from "../../src/api/service.js";
import { call, callJson, eventually } from "./support/api.js";

vi.setConfig({ testTimeout: 40_000 });

const CONFIG = { intervalMs: 200 };
const NODES = ["n0", "n1", "n2"];
const consumer = (env as unknown as { CONSUMER: Fetcher }).CONSUMER;
const service = exports.HearsayService;

/** The error a service call rejects with, read back as `{code, message}`. */
async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  const read = readServiceError(error);
  if (!read) throw new Error(`expected a service error, got ${String(error)}`);
  return read;
}

beforeAll(async () => {
  expect(
    (await callJson("POST", "/v1/clusters/demo/bootstrap", { body: { size: 3, config: CONFIG } })).status,
  ).toBe(200);
});

afterAll(async () => {
  for (const node of NODES) await call("POST", `/v1/clusters/demo/nodes/${node}/stop`);
});

describe("through the example consumer Worker", () => {
  it("env.HEARSAY.members('demo', {status: ['alive']}) lists the alive members", async () => {
    const body = await eventually(
      async () => {
        const res = await consumer.fetch("http://consumer/alive?cluster=demo");
        const json = (await res.json()) as { alive?: string[] };
        return res.status === 200 && json.alive?.length === NODES.length && json;
      },
      20_000,
      "the consumer to see every node alive",
    );
    expect(body).toMatchObject({ cluster: "demo", alive: NODES });
  });

  it("an unknown cluster comes back as not_found", async () => {
    const res = await consumer.fetch("http://consumer/alive?cluster=nowhere");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});

describe("HearsayService methods", () => {
  it("setKey writes, node reads it back, members projects it", async () => {
    const written = await service.setKey("demo", "n1", "endpoint", "10.0.0.1:80");
    expect(written).toMatchObject({ cluster: "demo", node: "n1", key: "endpoint", value: "10.0.0.1:80" });
    expect(written.version).toBeGreaterThan(0);
    const view = await service.node("demo", "n1");
    expect(view.self.state).toMatchObject({ endpoint: "10.0.0.1:80" });
    const page = await service.members("demo", { from: "n1", keys: ["endpoint"] });
    expect(page.members.find((m) => m.node === "n1")?.state).toEqual({ endpoint: "10.0.0.1:80" });
  });

  it("refuses bad input with the HTTP routes' codes", async () => {
    expect((await failure(service.members("Demo"))).code).toBe("invalid_request");
    const badStatus = await failure(service.members("demo", { status: ["sleepy" as "alive"] }));
    expect(badStatus.code).toBe("invalid_request");
    expect(badStatus.message).toContain("status");
    expect((await failure(service.members("demo", { limit: 0 }))).code).toBe("invalid_request");
    expect((await failure(service.node("demo", "n9"))).code).toBe("not_found");
    expect((await failure(service.setKey("demo", "n1", "bad key", "v"))).code).toBe("invalid_request");
    expect((await failure(service.setKey("demo", "n1", "k", "x".repeat(5000)))).code).toBe("invalid_request");
  });

  it("takes an agent's heartbeat through the same function as PUT .../agents/:agent", async () => {
    const claim = await service.agentHeartbeat("demo", "svc-agent", {
      intervalMs: 60_000,
      state: { endpoint: "https://svc.example" },
    });
    expect(claim).toMatchObject({
      cluster: "demo",
      agent: "svc-agent",
      status: "alive",
      outcome: "registered",
    });
    expect(NODES).toContain(claim.node);
    const again = await service.agentHeartbeat("demo", "svc-agent", { intervalMs: 60_000 });
    expect(again).toMatchObject({ node: claim.node, generation: claim.generation, outcome: "heartbeat" });
    expect((await failure(service.agentHeartbeat("demo", "svc-agent", { intervalMs: 5 }))).code).toBe(
      "invalid_request",
    );
    expect((await failure(service.agentHeartbeat("demo", "Bad_Name", { intervalMs: 500 }))).code).toBe(
      "invalid_request",
    );
  });
});
