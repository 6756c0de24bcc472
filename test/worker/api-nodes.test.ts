/**
 * One node through the HTTP API, inside workerd: start it, read its view, write and delete
 * state (and the per-node key limit), stop, start, leave, restart. Each case's refusals are
 * 4xx in the API's error shape. Every node a test starts is stopped afterwards.
 */
import { afterAll, describe, expect, it } from "vitest";
import { call, callJson, expectError } from "./support/api.js";

const CONFIG = { intervalMs: 200, probeTimeoutMs: 100, suspicionMult: 5 };
const started: string[] = [];

async function startNode(cluster: string, node: string, seeds: string[] = []) {
  const res = await callJson("PUT", `/v1/clusters/${cluster}/nodes/${node}`, {
    body: { seeds, config: CONFIG },
  });
  expect(res.status).toBe(200);
  started.push(`/v1/clusters/${cluster}/nodes/${node}`);
  return res.json;
}

afterAll(async () => {
  for (const path of started) await call("POST", `${path}/stop`);
});

describe("PUT and GET a node", () => {
  it("starts a node and answers its view", async () => {
    const view = await startNode("api-node", "solo");
    expect(view).toMatchObject({ cluster: "api-node", node: "solo", running: true, seeds: [] });
    expect(["joining", "alive"]).toContain(view.status);
    expect(view.config).toMatchObject({
      intervalMs: 200,
      fanout: 2,
      mode: "push-pull",
      suspicionMult: 5,
      detector: "swim",
    });
    expect(view.self).toMatchObject({ node: "solo", status: view.status });
    expect(view.members.map((m: { node: string }) => m.node)).toEqual(["solo"]);

    const read = await callJson("GET", "/v1/clusters/api-node/nodes/solo", { token: null });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ cluster: "api-node", node: "solo", generation: view.generation });
    for (const field of ["counters", "digest", "at", "options"]) expect(read.json).toHaveProperty(field);
  });

  it("PUT again restarts the node with a higher generation and keeps its keys", async () => {
    const first = await startNode("api-node", "again");
    await callJson("PUT", "/v1/clusters/api-node/nodes/again/state/kept", { body: { value: "yes" } });
    const second = await startNode("api-node", "again", ["solo"]);
    expect(second.generation).toBeGreaterThan(first.generation);
    expect(second.seeds).toEqual(["solo"]);
    expect(second.self.state).toMatchObject({ kept: "yes" });
  });
});

describe("state", () => {
  const NODE = "/v1/clusters/api-node/nodes/writer";

  it("writes, reads back, deletes, and refuses to delete a missing key", async () => {
    await startNode("api-node", "writer");
    const put = await callJson("PUT", `${NODE}/state/load:cpu`, { body: { value: "0.42" } });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ cluster: "api-node", node: "writer", key: "load:cpu", value: "0.42" });
    expect(put.json.version).toBeGreaterThan(0);

    const unicode = "é".repeat(2048); // 4096 bytes of UTF-8: the largest value
    expect((await callJson("PUT", `${NODE}/state/name`, { body: { value: unicode } })).status).toBe(200);

    const view = (await callJson("GET", NODE)).json;
    expect(view.self.state).toMatchObject({ "load:cpu": "0.42", name: unicode });
    expect(view.self.maxVersion).toBeGreaterThan(put.json.version);

    const del = await callJson("DELETE", `${NODE}/state/load:cpu`);
    expect(del.status).toBe(200);
    expect(del.json).toMatchObject({ key: "load:cpu" });
    expect(del.json.version).toBeGreaterThan(put.json.version);
    expect((await callJson("GET", NODE)).json.self.state).not.toHaveProperty("load:cpu");

    const again = await callJson("DELETE", `${NODE}/state/load:cpu`);
    expect(again.status).toBe(404);
    expect(expectError(again.json).code).toBe("not_found");
  });

  it("holds at most 256 keys and says so with a 409", async () => {
    await startNode("api-node", "full");
    const path = "/v1/clusters/api-node/nodes/full/state";
    for (let batch = 0; batch < 256; batch += 16) {
      const statuses = await Promise.all(
        Array.from({ length: 16 }, async (_, i) => {
          const res = await call("PUT", `${path}/k${batch + i}`, { body: { value: "v" } });
          return res.status === 200 ? 200 : `${res.status} ${await res.text()}`;
        }),
      );
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
    }
    const over = await callJson("PUT", `${path}/one-too-many`, { body: { value: "v" } });
    expect(over.status).toBe(409);
    expect(expectError(over.json).code).toBe("too_many_keys");
    // Overwriting an existing key is still fine.
    expect((await callJson("PUT", `${path}/k0`, { body: { value: "w" } })).status).toBe(200);
  }, 30_000);
});

describe("stop, start, leave", () => {
  const NODE = "/v1/clusters/api-node/nodes/cycler";

  it("stop refuses writes, start resumes with a new generation, leave is final until restarted", async () => {
    const first = await startNode("api-node", "cycler");

    const stopped = await callJson("POST", `${NODE}/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.json.running).toBe(false);
    const write = await callJson("PUT", `${NODE}/state/k`, { body: { value: "v" } });
    expect(write.status).toBe(409);
    expect(expectError(write.json).code).toBe("node_stopped");
    const leaveStopped = await callJson("POST", `${NODE}/leave`);
    expect(leaveStopped.status).toBe(409);
    expect(expectError(leaveStopped.json).code).toBe("node_stopped");

    const resumed = await callJson("POST", `${NODE}/start`);
    expect(resumed.status).toBe(200);
    expect(resumed.json.running).toBe(true);
    expect(["joining", "alive"]).toContain(resumed.json.status);
    expect(resumed.json.generation).toBeGreaterThan(first.generation);

    const left = await callJson("POST", `${NODE}/leave`);
    expect(left.status).toBe(200);
    expect(left.json).toMatchObject({ running: false, status: "left" });
    const afterLeave = await callJson("PUT", `${NODE}/state/k`, { body: { value: "v" } });
    expect(afterLeave.status).toBe(409);
    expect(expectError(afterLeave.json).code).toBe("node_left");
  });

  it("takes no body: a broken or non-empty one is a 400 and the node keeps running; none or {} is fine", async () => {
    await startNode("api-node", "no-body");
    const node = "/v1/clusters/api-node/nodes/no-body";
    for (const action of ["stop", "hang", "leave", "start", "evict"]) {
      const broken = await callJson("POST", `${node}/${action}`, { body: "{" });
      expect(broken.status, action).toBe(400);
      expect(expectError(broken.json).code).toBe("invalid_json");
      const filled = await callJson("POST", `${node}/${action}`, { body: { seeds: ["n0"] } });
      expect(filled.status, action).toBe(400);
      expect(expectError(filled.json).code).toBe("invalid_request");
    }
    expect((await callJson("GET", node)).json).toMatchObject({ running: true });
    expect((await callJson("POST", `${node}/stop`, { body: {} })).status).toBe(200);
    expect((await callJson("POST", `${node}/start`)).status).toBe(200);
  });
});
