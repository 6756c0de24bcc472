/**
 * A whole cluster through the HTTP API, inside workerd: bootstrap, the summary and its
 * convergence verdict, a write that reaches every node, a stop the others notice, a leave
 * the others learn, and a restart. Short intervals; every node is stopped afterwards.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { GossipNode } from "../../src/node/gossip-node.js";
import { call, callJson, eventually } from "./support/api.js";

// Gossip takes seconds on a busy machine; each wait below has its own deadline.
vi.setConfig({ testTimeout: 40_000 });

const CONFIG = { intervalMs: 200, probeTimeoutMs: 100, suspicionMult: 5 };
const CLUSTER = "/v1/clusters/api-mesh";
const SIZE = 5;

interface MemberView {
  node: string;
  status: string;
  state: Record<string, string>;
}

async function statusSeenBy(observer: string, member: string): Promise<MemberView | undefined> {
  const { json } = await callJson("GET", `${CLUSTER}/nodes/${observer}`);
  return (json.members as MemberView[]).find((m) => m.node === member);
}

afterAll(async () => {
  for (const cluster of ["api-mesh", "api-one", "api-seeds", "api-partial"]) {
    const { json } = await callJson("GET", `/v1/clusters/${cluster}`);
    for (const node of json.nodes ?? [])
      await call("POST", `/v1/clusters/${cluster}/nodes/${node.node}/stop`);
  }
});

describe("bootstrap", () => {
  it("starts n0..n{size-1} with seeds n0, n1 and answers the resolved config", async () => {
    const { status, json } = await callJson("POST", `${CLUSTER}/bootstrap`, {
      body: { size: SIZE, config: CONFIG },
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      cluster: "api-mesh",
      nodes: ["n0", "n1", "n2", "n3", "n4"],
      seeds: ["n0", "n1"],
    });
    expect(json.config).toMatchObject({
      intervalMs: 200,
      suspicionMult: 5,
      detector: "swim",
      fanout: 2,
      phiThreshold: 8,
    });
  });

  it("a one-node bootstrap seeds itself; explicit seeds are kept", async () => {
    const one = await callJson("POST", "/v1/clusters/api-one/bootstrap", {
      body: { size: 1, config: CONFIG },
    });
    expect(one.json.seeds).toEqual(["n0"]);
    const seeded = await callJson("POST", "/v1/clusters/api-seeds/bootstrap", {
      body: { size: 3, seeds: ["n2"], config: CONFIG },
    });
    expect(seeded.json.seeds).toEqual(["n2"]);
    expect((await callJson("GET", "/v1/clusters/api-seeds/nodes/n0")).json.seeds).toEqual(["n2"]);
  });
  it("a node that fails does not stop the others: a 503 names it, and a repeat starts it", async () => {
    const n2 = env.GOSSIP_NODE.getByName("api-partial/n2");
    await runInDurableObject(n2, (node: GossipNode) => {
      node.faults.failConfigures = 1;
    });
    const first = await callJson("POST", "/v1/clusters/api-partial/bootstrap", {
      body: { size: 4, config: CONFIG },
    });
    expect(first.status).toBe(503);
    expect(first.json.error.code).toBe("bootstrap_incomplete");
    expect(first.json.error.message).toMatch(
      /^3 of 4 nodes started; failed: n2 \(internal: internal error\)/,
    );
    expect(first.json.error.message).not.toMatch(/injected/);
    // The others were started all the same; n2 was left as it was (never configured).
    for (const node of ["n0", "n1", "n3"]) {
      expect((await call("GET", `/v1/clusters/api-partial/nodes/${node}`)).status).toBe(200);
    }
    expect((await call("GET", "/v1/clusters/api-partial/nodes/n2")).status).toBe(404);
    const again = await callJson("POST", "/v1/clusters/api-partial/bootstrap", {
      body: { size: 4, config: CONFIG },
    });
    expect(again.status).toBe(200);
    expect((await call("GET", "/v1/clusters/api-partial/nodes/n2")).status).toBe(200);
  });
});

describe("summary and convergence", () => {
  it("reports every node and converges with everyone alive", async () => {
    const summary = await eventually(
      async () => {
        const { json } = await callJson("GET", CLUSTER);
        return json.converged &&
          json.nodes.every((n: { members: { alive?: number } }) => n.members.alive === SIZE)
          ? json
          : undefined;
      },
      20_000,
      "five nodes that all see five alive members",
    );
    expect(summary).toMatchObject({
      cluster: "api-mesh",
      registered: SIZE,
      live: SIZE,
      differing: [],
      majority: SIZE,
    });
    expect(summary.nodes.map((n: { node: string }) => n.node)).toEqual(["n0", "n1", "n2", "n3", "n4"]);
    for (const node of summary.nodes) {
      expect(node).toMatchObject({ configured: true, running: true, live: true, agrees: true });
      expect(node.viewHash).toBe(summary.nodes[0].viewHash);
      expect(node).not.toHaveProperty("digest");
    }
  });

  it("includes each node's digest on request", async () => {
    const { json } = await callJson("GET", `${CLUSTER}?digests=true`);
    for (const node of json.nodes) {
      expect(node.digest.length).toBeGreaterThan(0);
      // [name, generation, incarnation, status code, maxVersion]
      expect(node.digest[0]).toEqual([
        expect.any(String),
        expect.any(Number),
        expect.any(Number),
        expect.any(Number),
        expect.any(Number),
      ]);
    }
  });
});

describe("a write, a stop, a leave, a restart", () => {
  it("a key written on n0 reaches every other node", async () => {
    const put = await callJson("PUT", `${CLUSTER}/nodes/n0/state/endpoint`, {
      body: { value: "10.0.0.1:443" },
    });
    expect(put.status).toBe(200);
    for (const observer of ["n1", "n2", "n3", "n4"]) {
      await eventually(
        async () => (await statusSeenBy(observer, "n0"))?.state.endpoint === "10.0.0.1:443",
        15_000,
        `${observer} to see n0's endpoint`,
      );
    }
    const { json } = await callJson("GET", CLUSTER);
    expect(json.nodes.find((n: { node: string }) => n.node === "n0").maxVersion).toBeGreaterThanOrEqual(
      put.json.version,
    );
  });

  it("a stopped node is no longer live and the others stop seeing it alive", async () => {
    expect((await callJson("POST", `${CLUSTER}/nodes/n3/stop`)).json.running).toBe(false);
    const { json } = await callJson("GET", CLUSTER);
    expect(json.nodes.find((n: { node: string }) => n.node === "n3")).toMatchObject({
      running: false,
      live: false,
      agrees: null,
    });
    expect(json.live).toBe(SIZE - 1);
    for (const observer of ["n0", "n1", "n2", "n4"]) {
      await eventually(
        async () => {
          const seen = await statusSeenBy(observer, "n3");
          return seen !== undefined && seen.status !== "alive";
        },
        20_000,
        `${observer} to stop seeing n3 alive`,
      );
    }
  });

  it("a node that leaves is seen as left by the others", async () => {
    const left = await callJson("POST", `${CLUSTER}/nodes/n4/leave`);
    expect(left.json).toMatchObject({ status: "left", running: false });
    for (const observer of ["n0", "n1", "n2"]) {
      await eventually(
        async () => (await statusSeenBy(observer, "n4"))?.status === "left",
        15_000,
        `${observer} to see n4 left`,
      );
    }
  });

  it("a restarted node is alive again everywhere and the cluster converges", async () => {
    expect((await callJson("POST", `${CLUSTER}/nodes/n3/start`)).json.running).toBe(true);
    await eventually(
      async () => {
        const { json } = await callJson("GET", CLUSTER);
        const n0 = json.nodes.find((n: { node: string }) => n.node === "n0");
        return json.converged && json.live === SIZE - 1 && n0.members.alive === SIZE - 1;
      },
      20_000,
      "four live nodes that agree n3 is alive again",
    );
  });
});
