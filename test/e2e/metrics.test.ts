/**
 * Metrics end to end: `wrangler dev` with READ_TOKEN set, a small cluster, its
 * `/v1/clusters/:c/metrics` passing `promtool check metrics`, and a real Prometheus server on
 * loopback scraping it every second with the bearer token: Prometheus itself must report
 * `up == 1` and the per-node series, through its own query API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../tools/poll.js";
import { type PrometheusServer, promtoolCheckMetrics, startPrometheus } from "../../tools/prometheus.js";
import { startWranglerDev, type WranglerDev } from "../../tools/wrangler-dev.js";

const CLUSTER = "e2e-metrics";
const NODES = 3;
const READ_TOKEN = "e2e-reader";
const PATH = `/v1/clusters/${CLUSTER}/metrics`;

describe("metrics over real HTTP", () => {
  let dev: WranglerDev;
  let prometheus: PrometheusServer | undefined;

  beforeAll(async () => {
    dev = await startWranglerDev({ vars: { READ_TOKEN } });
    const res = await fetch(`${dev.url}/v1/clusters/${CLUSTER}/bootstrap`, {
      method: "POST",
      headers: { authorization: `Bearer ${dev.token}`, "content-type": "application/json" },
      body: JSON.stringify({ size: NODES, config: { intervalMs: 500 } }),
    });
    expect(res.status, await res.text()).toBe(200);
  });

  afterAll(async () => {
    await prometheus?.stop();
    for (let i = 0; i < NODES; i++) {
      await fetch(`${dev.url}/v1/clusters/${CLUSTER}/nodes/n${i}/stop`, {
        method: "POST",
        headers: { authorization: `Bearer ${dev.token}` },
      }).catch(() => undefined);
    }
    await dev?.stop();
  });

  it("passes promtool check metrics", async () => {
    const res = await fetch(`${dev.url}${PATH}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`hearsay_node_rounds_total{cluster="${CLUSTER}",node="n0"`);
    const { code, output } = await promtoolCheckMetrics(text);
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  it("is scraped by a real Prometheus: up == 1 and a series per node", async () => {
    prometheus = await startPrometheus({
      address: new URL(dev.url).host,
      metricsPath: PATH,
      bearer: READ_TOKEN,
    });
    const server = prometheus;
    const context = () => `--- prometheus ---\n${server.output().slice(-2000)}`;
    await waitFor(
      "Prometheus to scrape the target with up == 1",
      async () => (await server.query('up{job="hearsay"}')).some((s) => s.value[1] === "1"),
      30_000,
      250,
      context,
    );
    const rounds = await waitFor(
      "a rounds series for every node",
      async () => {
        const result = await server.query(`hearsay_node_rounds_total{cluster="${CLUSTER}"}`);
        return result.length === NODES ? result : false;
      },
      30_000,
      250,
      context,
    );
    expect(rounds.map((s) => s.metric.node).sort()).toEqual(["n0", "n1", "n2"]);
    const alive = await server.query(`hearsay_node_members{cluster="${CLUSTER}",status="alive"}`);
    expect(alive).toHaveLength(NODES);
  });
});
