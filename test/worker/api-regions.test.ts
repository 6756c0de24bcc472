/**
 * Regions inside workerd: a bootstrap places nodes round-robin over location hints; each node
 * publishes its region, so views, the members query (and its region filter) and the cluster
 * summary report it; a node keeps its region across a restart and a wake-up; a bad hint is a
 * 400 that changes nothing.
 */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readNodeError } from "../../src/node/node-error.js";
import { call, callJson, eventually, expectError } from "./support/api.js";

vi.setConfig({ testTimeout: 40_000 });

const CONFIG = { intervalMs: 200, probeTimeoutMs: 100, suspicionMult: 5 };
const CLUSTER = "/v1/clusters/api-regions";
const NODES = ["n0", "n1", "n2", "n3"];
const PLACED = { n0: "weur", n1: "enam", n2: "weur", n3: "enam" };

interface Member {
  node: string;
  region?: string;
  status: string;
}

beforeAll(async () => {
  const boot = await callJson("POST", `${CLUSTER}/bootstrap`, {
    body: { size: 4, config: CONFIG, regions: ["weur", "enam"] },
  });
  expect(boot.status).toBe(200);
  expect(boot.json.regions).toEqual(PLACED);
  // Every node knows every member's region (it rides with the member's state).
  await eventually(
    async () => {
      for (const node of NODES) {
        const { json } = await callJson("GET", `${CLUSTER}/members?from=${node}`);
        const members = json.members as Member[];
        if (members.length !== 4 || members.some((m) => m.status !== "alive" || m.region === undefined))
          return false;
      }
      return true;
    },
    20_000,
    "every node to see every member's region",
  );
});

afterAll(async () => {
  for (const node of [...NODES, "solo"]) await call("POST", `${CLUSTER}/nodes/${node}/stop`);
});

describe("regions", () => {
  it("members report each node's region, and the region filter keeps one region", async () => {
    const all = await callJson("GET", `${CLUSTER}/members?from=n1`);
    expect(Object.fromEntries((all.json.members as Member[]).map((m) => [m.node, m.region]))).toEqual(PLACED);
    const weur = await callJson("GET", `${CLUSTER}/members?region=weur&from=n3`);
    expect((weur.json.members as Member[]).map((m) => m.node)).toEqual(["n0", "n2"]);
  });

  it("a node's view reports its own region and every member's; its state hides the reserved key", async () => {
    const { status, json } = await callJson("GET", `${CLUSTER}/nodes/n1`);
    expect(status).toBe(200);
    expect(json.self.region).toBe("enam");
    expect(json.self.state).toEqual({});
    for (const member of json.members) expect(member.region).toBe(PLACED[member.node as keyof typeof PLACED]);
  });

  it("the cluster summary reports each node's region", async () => {
    const { json } = await callJson("GET", CLUSTER);
    const regions = Object.fromEntries(
      (json.nodes as Array<{ node: string; region?: string }>).map((n) => [n.node, n.region]),
    );
    expect(regions).toEqual(PLACED);
  });

  it("PUT node places one node; a retry without a region keeps it, and so do a restart and a wake-up", async () => {
    const path = `${CLUSTER}/nodes/solo`;
    const first = await callJson("PUT", path, { body: { seeds: ["n0"], config: CONFIG, region: "apac" } });
    expect(first.status).toBe(200);
    expect(first.json.self.region).toBe("apac");
    const retry = await callJson("PUT", path, { body: { seeds: ["n0"], config: CONFIG } });
    expect(retry.json.generation).toBe(first.json.generation);
    expect(retry.json.self.region).toBe("apac");
    await call("POST", `${path}/stop`);
    const restarted = await callJson("POST", `${path}/start`);
    expect(restarted.json.generation).toBeGreaterThan(first.json.generation);
    expect(restarted.json.self.region).toBe("apac");
    await evictDurableObject(env.GOSSIP_NODE.getByName("api-regions/solo"));
    const woken = await callJson("GET", path);
    expect(woken.json.generation).toBe(restarted.json.generation);
    expect(woken.json.self.region).toBe("apac");
    const moved = await callJson("PUT", path, { body: { seeds: ["n0"], config: CONFIG, region: "oc" } });
    expect(moved.json.generation).toBeGreaterThan(restarted.json.generation);
    expect(moved.json.self.region).toBe("oc");
    await eventually(
      async () => {
        const { json } = await callJson("GET", `${CLUSTER}/members?from=n0&region=oc`);
        return (json.members as Member[]).some((m) => m.node === "solo");
      },
      20_000,
      "n0 to learn solo's new region",
    );
  });

  it("a bad location hint is a 400 that starts nothing", async () => {
    const boot = await callJson("POST", "/v1/clusters/api-regions-bad/bootstrap", {
      body: { size: 2, regions: ["weur", "mars"] },
    });
    expect(boot.status).toBe(400);
    expect(expectError(boot.json).message).toMatch(/location hint.*wnam/);
    const put = await callJson("PUT", "/v1/clusters/api-regions-bad/nodes/n0", {
      body: { seeds: [], region: "WEUR" },
    });
    expect(put.status).toBe(400);
    expect(expectError(put.json).code).toBe("invalid_request");
    const empty = await callJson("POST", "/v1/clusters/api-regions-bad/bootstrap", {
      body: { size: 2, regions: [] },
    });
    expect(empty.status).toBe(400);
    expect((await callJson("GET", "/v1/clusters/api-regions-bad")).status).toBe(404);
  });

  it("the node itself refuses a region that is not a location hint (it trusts no caller)", async () => {
    let refused: unknown = null;
    try {
      await env.GOSSIP_NODE.getByName("api-regions-bad/direct").configure({
        cluster: "api-regions-bad",
        node: "direct",
        seeds: [],
        region: "mars",
      });
    } catch (error) {
      refused = error;
    }
    expect(readNodeError(refused)).toEqual({
      code: "invalid_config",
      message: expect.stringContaining("region: must be one of wnam"),
    });
    expect(await env.GOSSIP_NODE.getByName("api-regions-bad/direct").view()).toBeNull();
  });
});
