/**
 * Turns a run into text and JSON: the configuration as used, then the figures as a table.
 */
import type { SimOptions } from "./options.js";
import type { SimResult } from "./run.js";
import type { Figures } from "./scenarios/common.js";
import { formatLifetime } from "./scenarios/lifetime.js";
import type { ScalingRow } from "./scenarios/scaling.js";
import { describeTolerance, FIGURES } from "./strategies/demers-paper.js";
import type { RumorRow } from "./strategies/rumor-table.js";

/** Every option as used, in CLI terms (the JSON report's `config`). */
export function configRecord(
  options: SimOptions,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...extra,
    scenario: options.scenario,
    strategy: options.strategy,
    nodes: options.nodes,
    ...(options.scenario === "scaling" ? { sizes: options.sizes.join(",") } : {}),
    ...(options.scenario === "lifetime" ? { days: options.days } : {}),
    trials: options.trials,
    seed: options.seed,
    loss: options.loss,
    fanout: options.fanout,
    mode: options.mode,
    interest: options.interest,
    stop: options.stop,
    k: options.k,
    sync: options.sync,
    interval: options.intervalMs,
    jitter: options.jitter,
    latency: options.latency.spec,
    churn: options.churn,
    maxRounds: options.maxRounds,
    partitionRounds: options.partitionRounds,
    duration: options.durationS,
    warmup: options.warmupRounds,
    start: options.start,
    seeds: options.seeds,
    exactSizes: options.exactSizes,
    detector: options.detector,
    regions: options.regions,
    crossLatency: options.crossLatencyMs,
    regionBlind: options.regionBlind,
    core: options.core,
    gossip: options.config,
  };
}

export function jsonReport(
  options: SimOptions,
  result: SimResult,
  extra: Record<string, unknown> = {},
): string {
  const figures: Record<string, unknown> = { ...result.figures };
  if (result.table) figures.table = result.table;
  if (result.scaling) figures.scaling = result.scaling;
  return `${JSON.stringify({ config: configRecord(options, extra), figures }, jsonNumbers, 2)}\n`;
}

function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? null : value;
}

export function formatConfig(options: SimOptions, extra: Record<string, unknown> = {}): string {
  const record = configRecord(options, extra);
  const churn = options.churn;
  const lines = Object.entries(record)
    .filter(([key]) => key !== "gossip" && key !== "churn" && key !== "core")
    .map(([key, value]) => `  ${key.padEnd(16)}${String(value)}`);
  lines.push(
    `  ${"churn".padEnd(16)}crash=${churn.crash} restart=${churn.restart} join=${churn.join} leave=${churn.leave} per virtual minute`,
  );
  const g = options.config;
  lines.push(
    `  ${"core".padEnd(16)}detector=${g.detector} probesPerRound=${g.probesPerRound} roundsPerWake=${g.roundsPerWake} probeTimeoutMs=${g.probeTimeoutMs} indirectChecks=${g.indirectChecks} suspicionMult=${g.suspicionMult} suspicionMaxMult=${g.suspicionMaxMult} maxBackoffRounds=${g.maxBackoffRounds} phiThreshold=${g.phiThreshold} maxDeltaBytes=${g.maxDeltaBytes} crossRegionProbability=${g.crossRegionProbability}`,
  );
  return `configuration\n${lines.join("\n")}\n`;
}

export function formatFigures(figures: Figures): string {
  const entries = Object.entries(figures);
  if (entries.length === 0) return "";
  const width = Math.max(...entries.map(([name]) => name.length)) + 2;
  return `figures\n${entries.map(([name, value]) => `  ${name.padEnd(width)}${formatNumber(value)}`).join("\n")}\n`;
}

/** The table; at the paper's n each measured figure is followed by the paper's and ok/MISS. */
export function formatRumorTable(rows: RumorRow[], options: SimOptions): string {
  const compared = rows.some((r) => r.paper);
  const labels = { residue: "residue", traffic: "traffic", tAve: "t_ave", tLast: "t_last" };
  const header = ["interest", "stop", "k"];
  for (const f of FIGURES) header.push(labels[f], ...(compared ? ["paper"] : []));
  const misses: string[] = [];
  let checked = 0;
  const body = rows.map((r) => {
    const cells = [r.interest, r.stop, String(r.k)];
    for (const f of FIGURES) {
      cells.push(formatNumber(r[f]));
      if (!compared) continue;
      if (!r.paper || !r.within) {
        cells.push("-");
        continue;
      }
      checked++;
      cells.push(`${formatNumber(r.paper[f])} ${r.within[f] ? "ok" : "MISS"}`);
      if (!r.within[f]) misses.push(`${r.interest}/${r.stop} k=${r.k} ${labels[f]}`);
    }
    return cells;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padStart(widths[i] as number)).join("  ")}`;
  const timing = options.sync ? "synchronous cycles" : "asynchronous rounds";
  const lines = [
    `rumor mongering, push, n=${options.nodes}, ${timing}, ${options.trials} trials per row`,
    line(header),
    ...body.map(line),
  ];
  if (compared) {
    lines.push(
      `paper: Demers et al. 1987, Table 1 (feedback/counter) and Table 2 (blind/coin); ${describeTolerance()}`,
      `${checked - misses.length} of ${checked} figures within tolerance${misses.length ? `; outside: ${misses.join(", ")}` : ""}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Figures of the same run under each detector, one column each. */
export function formatComparison(byDetector: Record<string, Figures>): string {
  const columns = Object.keys(byDetector);
  const names = [...new Set(columns.flatMap((column) => Object.keys(byDetector[column] ?? {})))];
  if (names.length === 0) return "";
  const width = Math.max(...names.map((name) => name.length)) + 2;
  const header = `  ${"".padEnd(width)}${columns.map((c) => c.padStart(12)).join("")}`;
  const rows = names.map(
    (name) =>
      `  ${name.padEnd(width)}${columns
        .map((c) => {
          const value = byDetector[c]?.[name];
          return (value === undefined ? "-" : formatNumber(value)).padStart(12);
        })
        .join("")}`,
  );
  return `figures by detector\n${header}\n${rows.join("\n")}\n`;
}

export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "n/a";
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && abs < 0.01) return value.toExponential(2);
  if (abs >= 1000) return value.toFixed(0);
  return value.toFixed(abs < 10 ? 3 : 2);
}

/** The scaling rows, one line per cluster size. */
export function formatScalingTable(rows: readonly ScalingRow[]): string {
  const header = [
    "nodes",
    "bytes/node-round",
    "messages/node-round",
    "core ms/node-round",
    "lone node ms/round",
    "bytes/member",
  ];
  const body = rows.map((r) => [
    String(r.nodes),
    formatNumber(r.bytesPerNodeRound),
    formatNumber(r.messagesPerNodeRound),
    formatNumber(r.coreMsPerNodeRound),
    formatNumber(r.loneCoreMsPerRound),
    formatNumber(r.heapBytesPerMember),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padStart(widths[i] as number)).join("  ")}`;
  return `quiet mesh per node-round, by cluster size\n${[line(header), ...body.map(line)].join("\n")}\n`;
}

export function formatResult(options: SimOptions, result: SimResult): string {
  if (result.table) return formatRumorTable(result.table, options);
  if (result.scaling) return formatScalingTable(result.scaling) + formatFigures(result.figures);
  if (options.scenario === "lifetime") return formatLifetime(result.figures);
  return formatFigures(result.figures);
}
