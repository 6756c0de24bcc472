/**
 * The metrics text in plain Node, from made-up briefs: `promtool check metrics` accepts it
 * (promtool must be installed: a missing one fails, as CI installs it), unreadable nodes are
 * left out of the node series, label values are escaped, and the Grafana dashboard in docs/
 * queries only series the route exports.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { BriefPage } from "../../src/api/convergence.js";
import { renderMetrics } from "../../src/api/metrics-text.js";
import type { NodeBrief } from "../../src/node/node-brief.js";
import { promtoolCheckMetrics } from "../../tools/prometheus.js";

function brief(node: string, viewHash: string, region?: string): NodeBrief {
  const counters = Object.fromEntries(
    ["rounds", "wakes", "probesSent", "storageRowsWritten", "storageErrors", "agentsHosted"].map((k) => [
      k,
      7,
    ]),
  );
  return {
    cluster: "demo",
    node,
    running: true,
    generation: 1,
    status: "alive",
    heartbeat: 3,
    maxVersion: 0,
    ...(region ? { region } : {}),
    members: { alive: 2 },
    memberCount: 2,
    viewHash,
    rounds: 7,
    alarmsRun: 7,
    wakeRounds: 1,
    counters: counters as unknown as NodeBrief["counters"],
    at: 0,
  };
}

const PAGE: BriefPage = {
  registered: 3,
  limit: 40,
  next: null,
  nodes: [
    { node: "n0", brief: brief("n0", "aa", "weur") },
    { node: "n1", brief: brief("n1", "bb") },
    { node: "n2", brief: null, error: "overloaded: busy" },
  ],
};

describe("metrics text", () => {
  const text = renderMetrics("demo", PAGE);

  it("passes promtool check metrics", async () => {
    const { code, output } = await promtoolCheckMetrics(text);
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  it("has a sample per readable node and the cluster's verdict", () => {
    expect(text).toContain('hearsay_node_rounds_total{cluster="demo",node="n0",region="weur"} 7');
    expect(text).toContain('hearsay_node_rounds_total{cluster="demo",node="n1",region=""} 7');
    expect(text).not.toContain('node="n2"');
    expect(text).toContain('hearsay_cluster_converged{cluster="demo"} 0');
    expect(text).toContain('hearsay_cluster_fingerprints{cluster="demo"} 2');
    expect(text).toContain('hearsay_cluster_registered_nodes{cluster="demo"} 3');
    // Counters the brief lacks read 0, never "undefined".
    expect(text).not.toMatch(/undefined|NaN/);
  });

  it("the Grafana dashboard queries only exported series", async () => {
    const exported = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));
    const dashboard = await readFile(new URL("../../docs/grafana-dashboard.json", import.meta.url), "utf8");
    const used = new Set([...dashboard.matchAll(/hearsay_[a-z_]+/g)].map((m) => m[0]));
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(exported, name).toContain(name);
  });
});
