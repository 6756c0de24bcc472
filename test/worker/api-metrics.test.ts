/**
 * `GET /v1/clusters/:cluster/metrics` inside workerd: Prometheus text with every node's
 * counters and gauges labelled by cluster, node and region, the cluster gauges (converged once
 * the views agree), paging as the summary pages, read auth (READ_TOKEN, scoped tokens of the
 * cluster only), and 404 for an unknown cluster. promtool checks the format in the e2e test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE_COUNTERS } from "../../src/api/metrics-text.js";
import { call, callJson, eventually, expectError } from "./support/api.js";

const CLUSTER = "api-metrics";
const BASE = `/v1/clusters/${CLUSTER}`;
const NODES = ["n0", "n1", "n2"];

/** Samples of one metric: labels text -> value. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(\{[^}]*\}) (\S+)$/.exec(line);
    if (match && match[1] === name) out.set(match[2] as string, Number(match[3]));
  }
  return out;
}

async function metrics(query = ""): Promise<string> {
  const res = await call("GET", `${BASE}/metrics${query}`);
  expect(res.status).toBe(200);
  return res.text();
}

beforeAll(async () => {
  const boot = await callJson("POST", `${BASE}/bootstrap`, {
    body: { size: NODES.length, config: { intervalMs: 200 }, regions: ["weur", "enam"] },
  });
  expect(boot.status).toBe(200);
});

afterAll(async () => {
  for (const node of NODES) await call("POST", `${BASE}/nodes/${node}/stop`);
});

describe("metrics", () => {
  it("exports every node's counters and gauges, and the cluster's gauges, as Prometheus text", async () => {
    const res = await call("GET", `${BASE}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await eventually(
      async () => {
        const now = await metrics();
        return samples(now, "hearsay_cluster_converged").get(`{cluster="${CLUSTER}"}`) === 1 &&
          [...samples(now, "hearsay_node_rounds_total").values()].every((v) => v > 0)
          ? now
          : false;
      },
      20_000,
      "the cluster to converge and every node to run rounds",
    );
    for (const [name] of NODE_COUNTERS) {
      expect(text).toContain(`# TYPE hearsay_${name}_total counter`);
      expect(samples(text, `hearsay_${name}_total`).size).toBe(NODES.length);
    }
    const rounds = samples(text, "hearsay_node_rounds_total");
    expect([...rounds.keys()].sort()).toEqual([
      `{cluster="${CLUSTER}",node="n0",region="weur"}`,
      `{cluster="${CLUSTER}",node="n1",region="enam"}`,
      `{cluster="${CLUSTER}",node="n2",region="weur"}`,
    ]);
    expect(
      samples(text, "hearsay_node_members").get(
        `{cluster="${CLUSTER}",node="n0",region="weur",status="alive"}`,
      ),
    ).toBe(3);
    expect(
      samples(text, "hearsay_node_members").get(
        `{cluster="${CLUSTER}",node="n0",region="weur",status="dead"}`,
      ),
    ).toBe(0);
    expect(samples(text, "hearsay_node_wake_rounds").size).toBe(3);
    expect(samples(text, "hearsay_cluster_registered_nodes").get(`{cluster="${CLUSTER}"}`)).toBe(3);
    expect(samples(text, "hearsay_cluster_fingerprints").get(`{cluster="${CLUSTER}"}`)).toBe(1);
  });

  it("counts the agents a node hosts", async () => {
    const beat = await callJson("PUT", `${BASE}/agents/edge-1`, { body: { intervalMs: 60_000, node: "n1" } });
    expect(beat.status).toBe(200);
    await eventually(
      async () => {
        const hosted = samples(await metrics(), "hearsay_node_agents_hosted");
        return hosted.get(`{cluster="${CLUSTER}",node="n1",region="enam"}`) === 1;
      },
      10_000,
      "n1 to host edge-1 in its metrics",
    );
    expect((await callJson("DELETE", `${BASE}/agents/edge-1`)).status).toBe(200);
  });

  it("pages as the summary does", async () => {
    const first = await metrics("?limit=2");
    expect(samples(first, "hearsay_node_rounds_total").size).toBe(2);
    expect(samples(first, "hearsay_cluster_page_nodes").get(`{cluster="${CLUSTER}"}`)).toBe(2);
    const second = await metrics("?limit=2&cursor=n1");
    expect([...samples(second, "hearsay_node_rounds_total").keys()]).toEqual([
      `{cluster="${CLUSTER}",node="n2",region="weur"}`,
    ]);
    expect((await callJson("GET", `${BASE}/metrics?limit=0`)).status).toBe(400);
  });

  it("needs read auth as other reads, and a scoped token of this cluster", async () => {
    const env = { READ_TOKEN: "reader" };
    expect((await call("GET", `${BASE}/metrics`, { token: null, env })).status).toBe(401);
    expect((await call("GET", `${BASE}/metrics`, { token: "reader", env })).status).toBe(200);
    const mint = async (cluster: string) =>
      (await callJson("POST", "/v1/tokens", { body: { scope: "read", cluster } })).json.token as string;
    expect((await call("GET", `${BASE}/metrics`, { token: await mint(CLUSTER), env })).status).toBe(200);
    const other = await callJson("GET", `${BASE}/metrics`, { token: await mint("elsewhere"), env });
    expect(other.status).toBe(403);
    expect(expectError(other.json).code).toBe("forbidden");
  });

  it("answers 404 for a cluster with no nodes", async () => {
    const { status, json } = await callJson("GET", "/v1/clusters/no-such-cluster/metrics");
    expect(status).toBe(404);
    expect(expectError(json).code).toBe("not_found");
  });
});
