/**
 * The Prometheus text (format 0.0.4) of `GET /v1/clusters/:cluster/metrics`, built from one page
 * of the nodes' briefs (brief-page.ts; never their views): per node (labels cluster, node,
 * region) the counters the node keeps and a few gauges, and per cluster the registered nodes,
 * whether the page's live nodes agree and how many fingerprints they hold. Pure: metrics.ts
 * reads the page and caches the text.
 *
 * Node counters live in memory and restart when a node's object restarts (as a process's do);
 * Prometheus' rate() and increase() handle such resets.
 */
import { MEMBER_STATUSES } from "../core/index.js";
import type { BriefCounters } from "../node/node-brief.js";
import { type BriefPage, summarizeCluster, summarizeNode } from "./convergence.js";

/** The media type of the text exposition format. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
/** Every metric name starts so. */
const PREFIX = "hearsay_";

/** Per-node counters: exported name (without prefix and `_total`), the brief's counter, help. */
export const NODE_COUNTERS: ReadonlyArray<readonly [string, keyof BriefCounters, string]> = [
  ["node_rounds", "rounds", "Protocol rounds run."],
  ["node_wakes", "wakes", "Wake-ups (alarms that ran rounds)."],
  ["node_probes_sent", "probesSent", "Direct probes sent."],
  ["node_probes_failed", "probesFailed", "Probes that got no ack, indirect ones included."],
  ["node_indirect_probes", "indirectProbesSent", "Indirect probe requests sent."],
  ["node_suspicions_raised", "suspicionsRaised", "Members this node began to suspect."],
  ["node_refutations", "refutations", "Suspicions of itself this node refuted."],
  [
    "node_deaths_doubted",
    "deathsDoubted",
    "Deaths heard through anti-entropy, of members held alive or suspect, taken as suspicions.",
  ],
  ["node_pushes", "pushesSent", "News pushed at once (eager pushes)."],
  [
    "node_forwards",
    "forwardsSent",
    "Fresh news forwarded once (membership news, or writes along the broadcast tree).",
  ],
  ["node_tree_pushes", "treePushesSent", "Writes pushed along the broadcast tree (a part of node_pushes)."],
  ["node_tree_prunes", "prunesSent", "Broadcast-tree links pruned (a write arrived twice)."],
  ["node_tree_grafts", "graftsSent", "Broadcast-tree grafts (a notice arrived before its write)."],
  ["node_tree_haves", "havesSent", '"I have" notices of writes piggybacked for the broadcast tree.'],
  ["node_bytes_sent", "bytesSent", "Bytes of gossip messages sent."],
  ["node_bytes_received", "bytesReceived", "Bytes of gossip messages received."],
  ["node_rows_written", "storageRowsWritten", "SQLite rows written, setAlarm included (each is billed)."],
  ["node_rejected_messages", "rejectedMessages", "Malformed or foreign peer messages rejected."],
  ["node_storage_errors", "storageErrors", "Rows that failed to save."],
];

/** Text of a label value, escaped as the format asks. */
function labelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${labelValue(v)}"`)
    .join(",")}}`;
}

/** Writes families: each HELP and TYPE once, then its samples. */
class Exposition {
  private readonly lines: string[] = [];

  family(
    name: string,
    type: "counter" | "gauge",
    help: string,
    samples: Array<[Record<string, string>, number]>,
  ) {
    this.lines.push(`# HELP ${PREFIX}${name} ${help}`, `# TYPE ${PREFIX}${name} ${type}`);
    // A value a node did not report (an older node's brief lacks counters) is left out, not 0.
    for (const [pairs, value] of samples) {
      if (Number.isFinite(value)) this.lines.push(`${PREFIX}${name}${labels(pairs)} ${value}`);
    }
  }

  text(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

/** The page's metrics as exposition text. */
export function renderMetrics(cluster: string, page: BriefPage): string {
  const read = page.nodes.flatMap(({ node, brief }) =>
    brief ? [{ brief, labels: { cluster, node, region: brief.region ?? "" } }] : [],
  );
  const out = new Exposition();
  for (const [name, key, help] of NODE_COUNTERS) {
    out.family(
      `${name}_total`,
      "counter",
      help,
      read.map((n) => [n.labels, n.brief.counters?.[key]]),
    );
  }
  out.family(
    "node_members",
    "gauge",
    "Members this node sees (itself included), by status.",
    read.flatMap((n) =>
      MEMBER_STATUSES.map((status): [Record<string, string>, number] => [
        { ...n.labels, status },
        n.brief.members[status] ?? 0,
      ]),
    ),
  );
  out.family(
    "node_wake_rounds",
    "gauge",
    "Rounds the node's next wake may wait: 1 while busy, up to roundsPerWake when quiet.",
    read.map((n) => [n.labels, n.brief.wakeRounds]),
  );
  out.family(
    "node_agents_hosted",
    "gauge",
    "Agents whose home is this node.",
    read.map((n) => [n.labels, n.brief.counters?.agentsHosted]),
  );
  out.family(
    "node_running",
    "gauge",
    "1 when the node is configured, running and has not left.",
    read.map((n) => [n.labels, n.brief.running && n.brief.status !== "left" ? 1 : 0]),
  );
  const summary = summarizeCluster(
    cluster,
    page.nodes.map(({ node, brief, error }) => summarizeNode(node, brief, error)),
    Date.now(),
    page,
  );
  const here = { cluster };
  out.family("cluster_registered_nodes", "gauge", "Nodes the cluster's registry lists.", [
    [here, page.registered],
  ]);
  out.family(
    "cluster_page_nodes",
    "gauge",
    "Nodes this page covers (all of them when the page is complete).",
    [[here, page.nodes.length]],
  );
  out.family(
    "cluster_converged",
    "gauge",
    "1 when every live node of the page holds the same view fingerprint.",
    [[here, summary.converged ? 1 : 0]],
  );
  out.family("cluster_fingerprints", "gauge", "Distinct view fingerprints among the page's live nodes.", [
    [here, Object.keys(summary.fingerprints).length],
  ]);
  return out.text();
}
