/**
 * What `npm run docs:figures` writes into the docs: tables rendered from bench and simulator
 * result files, and the configuration table from the core's `CONFIG_LIMITS`, each between
 * `<!-- figures:NAME -->` and `<!-- /figures:NAME -->` markers. Pure functions of their
 * inputs (no clock, no files), so the same results always render to the same text and
 * `--check` can compare.
 */
import { type BenchConfig, baseDeadlineSeconds, parseBenchArgs, USAGE } from "../../bench/args.js";
import {
  type BenchResult,
  BenchResultSchema,
  costTable,
  detectorTable,
  figuresTable,
  markdownTable,
  tradeoffTable,
} from "../../bench/bench-result.js";
import { p50p90Cell, type TrialFigures } from "../../bench/trials.js";
import { CONFIG_LIMITS, DETECTORS, MODES, resolveConfig } from "../../src/core/config.js";
import { DEFAULTS as SIM_DEFAULTS } from "../../src/sim/options.js";
import { formatNumber } from "../../src/sim/sim-report.js";
import { CLUSTER_BOUNDS, type ClusterBound } from "../../tools/cluster-bounds.js";
import { bootstrapPagesBlock } from "./page-facts.js";
import { type WatchSource, watchBlock } from "./watch-block.js";

const DASH = "—";

/** A bench result file: its path from the repository root, and its parsed content. */
export interface BenchSource {
  path: string;
  result: BenchResult;
}

/** A simulator JSON report (`npm run sim -- ... --json FILE`), as written by `jsonReport`. */
export interface SimReport {
  config: Record<string, unknown>;
  figures: Record<string, unknown>;
}

export interface SimSource {
  path: string;
  report: SimReport;
}

export interface Sources {
  bench: BenchSource | null;
  sims: SimSource[];
  /** The newest `npm run bench:watch` result (watch-block.ts). */
  watch?: WatchSource | null;
}

/** Where a block is rendered: links are written relative to the document's folder. */
export interface Target {
  /** Prefix from the document to the repository root: "" for README.md, "../" for docs/. */
  root: string;
}

/** Checks a bench result against the bench's own schema; keeps every field (the schema strips). */
export function parseBenchResult(path: string, raw: unknown): BenchResult {
  const parsed = BenchResultSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: not a bench result (${issue?.path.join(".")}: ${issue?.message})`);
  }
  return raw as BenchResult;
}

/** Checks the outline of a simulator report. */
export function parseSimReport(path: string, raw: unknown): SimReport {
  const report = raw as SimReport;
  if (
    typeof report !== "object" ||
    report === null ||
    typeof report.config !== "object" ||
    report.config === null ||
    typeof report.figures !== "object" ||
    report.figures === null ||
    typeof report.config.scenario !== "string"
  ) {
    throw new Error(`${path}: not a simulator report ({"config": {"scenario", ...}, "figures": {...}})`);
  }
  return report;
}

/** The newest `YYYY-MM-DD.json` among file names, or null. */
export function newestBenchFile(names: readonly string[]): string | null {
  const dated = names.filter((name) => /^\d{4}-\d{2}-\d{2}\.json$/.test(name)).sort();
  return dated.at(-1) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Commands

const BENCH_FLAGS: Array<[keyof BenchConfig, string]> = [
  ["nodes", "--nodes"],
  ["intervalMs", "--interval"],
  ["steadyRounds", "--steady-rounds"],
  ["loadSeconds", "--duration"],
  ["connections", "--connections"],
  ["costMeshNodes", "--cost-mesh"],
  ["rpcWaitMs", "--rpc-wait-ms"],
  ["deadlineSeconds", "--deadline"],
  ["trials", "--trials"],
  ["seed", "--seed"],
];

/** The `npm run bench` command line that produced a result: its flags that differ from defaults. */
export function benchCommand(config: BenchResult["config"]): string {
  const tradeoff = (config as { tradeoff?: boolean }).tradeoff === true;
  const core = Object.entries((config as { core?: Record<string, number> }).core ?? {});
  const base = [...(config.quick ? ["--quick"] : []), ...(tradeoff ? ["--tradeoff"] : [])];
  if (core.length > 0) base.push("--core", core.map(([name, value]) => `${name}=${value}`).join(","));
  const defaults = parseBenchArgs(base);
  if (defaults === "help") throw new Error("unreachable");
  const args: string[] = [...base];
  for (const [key, flag] of BENCH_FLAGS) {
    // A key absent from an older result is left out (it ran before the flag existed), and such
    // a run's deadline is held to the default of its day.
    const fallback =
      key === "deadlineSeconds" && config.trials === undefined
        ? baseDeadlineSeconds(tradeoff)
        : defaults[key];
    if (config[key] !== undefined && config[key] !== fallback) args.push(flag, String(config[key]));
  }
  if (config.skipMesh) args.push("--skip-mesh");
  else {
    if (config.skipLoad) args.push("--skip-load");
    if ((config as { skipPhi?: boolean }).skipPhi) args.push("--skip-phi");
  }
  if (config.skipSwim) args.push("--skip-swim");
  return args.length ? `npm run bench -- ${args.join(" ")}` : "npm run bench";
}

/** Simulator options in the report's `config` (`configRecord`), their flags and `DEFAULTS` keys. */
const SIM_FLAGS: Array<[string, string, keyof typeof SIM_DEFAULTS]> = [
  ["strategy", "--strategy", "strategy"],
  ["detector", "--detector", "detector"],
  ["loss", "--loss", "loss"],
  ["fanout", "--fanout", "fanout"],
  ["mode", "--mode", "mode"],
  ["interest", "--interest", "interest"],
  ["stop", "--stop", "stop"],
  ["k", "--k", "k"],
  ["interval", "--interval", "intervalMs"],
  ["jitter", "--jitter", "jitter"],
  ["latency", "--latency", "latency"],
  ["maxRounds", "--max-rounds", "maxRounds"],
  ["partitionRounds", "--partition-rounds", "partitionRounds"],
  ["duration", "--duration", "durationS"],
  ["days", "--days", "days"],
  ["warmup", "--warmup", "warmupRounds"],
  ["start", "--start", "start"],
  ["seeds", "--seeds", "seeds"],
  ["seed", "--seed", "seed"],
  ["sizes", "--sizes", "sizes"],
];

function simDefault(key: keyof typeof SIM_DEFAULTS, config: Record<string, unknown>): unknown {
  const classic = config.strategy !== "hearsay" || config.scenario === "rumor-table";
  // null defaults are resolved per strategy, as resolveSimOptions does.
  if (key === "fanout") return SIM_DEFAULTS.fanout ?? (classic ? 1 : 2);
  if (key === "mode") {
    return (
      SIM_DEFAULTS.mode ??
      (config.strategy === "rumor" || config.scenario === "rumor-table" ? "push" : "push-pull")
    );
  }
  return SIM_DEFAULTS[key];
}

/** The `npm run sim` command line that wrote a report (options that differ from defaults). */
export function simCommand(report: SimReport, path: string): string {
  const c = report.config;
  // `scaling` builds one cluster per --sizes entry and runs no trials: --nodes and --trials
  // mean nothing to it.
  const args =
    c.scenario === "scaling"
      ? ["--scenario", "scaling"]
      : ["--scenario", String(c.scenario), "--nodes", String(c.nodes), "--trials", String(c.trials)];
  for (const [key, flag, option] of SIM_FLAGS) {
    if (c[key] === undefined || c[key] === simDefault(option, c)) continue;
    args.push(flag, String(c[key]));
  }
  if (c.sync === true) args.push("--sync");
  if (c.exactSizes === true) args.push("--exact-sizes");
  const churn = c.churn as Record<string, number> | undefined;
  if (churn && Object.values(churn).some((rate) => rate > 0)) {
    args.push(
      "--churn",
      Object.entries(churn)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    );
  }
  const core = c.core as Record<string, number> | undefined;
  if (core && Object.keys(core).length > 0) {
    args.push(
      "--core",
      Object.entries(core)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    );
  }
  args.push("--json", path);
  return `npm run sim -- ${args.join(" ")}`;
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** Numbers as the simulator prints them (null: a figure that could not be computed). */
export function formatFigure(value: unknown): string {
  if (value === null || value === undefined) return "n/a";
  return typeof value === "number" ? formatNumber(value) : String(value);
}

function seconds(ms: number | undefined | null): string {
  return ms === undefined || ms === null ? DASH : `${(ms / 1000).toFixed(2)} s`;
}

function dollars(value: number): string {
  return value < 0.01 && value > 0 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

function link(target: Target, path: string): string {
  return `[\`${path}\`](${target.root}${path})`;
}

function benchSourceLine(source: BenchSource, target: Target): string {
  const { config } = source.result;
  const m = config.machine;
  return (
    `From ${link(target, source.path)}, written by \`${benchCommand(config)}\` on ${config.date} ` +
    `(${m.platform}, ${m.cpus} CPUs, Node ${m.node}): ${config.nodes} nodes, ${config.intervalMs} ms rounds, ` +
    "everything on one machine." +
    (source.result.figures.mesh && !source.result.figures.mesh.detector
      ? " This run records no detector: it predates protocol v2, when phi accrual was the only one."
      : "")
  );
}

/** `figures:tradeoff` (README): detection against dollars from the newest bench run's `--tradeoff`. */
export function tradeoffBlock(sources: Sources, target: Target): string {
  const bench = sources.bench;
  const rows = bench?.result.figures.tradeoff;
  if (!bench || !rows || rows.length === 0) {
    return "No trade-off run yet: `npm run bench -- --tradeoff`, then `npm run docs:figures`.";
  }
  return [benchSourceLine(bench, target), "", tradeoffTable(rows)].join("\n");
}

const NO_BENCH =
  "No bench result yet: `npm run bench` writes `bench/results/<date>.json`, then `npm run docs:figures`.";

const NO_SIM =
  "No simulator results yet: run `npm run sim -- <options> --json bench/results/sim/<name>.json`, then `npm run docs:figures`.";

// ---------------------------------------------------------------------------------------------
// Blocks

/** The detection rows of the summary: p50 / p90 over the trials, or the one trial of older runs. */
const DETECTION_ROWS: Array<[string, keyof TrialFigures, "detectNonAlive" | "detectFaulty"]> = [
  ["a stopped node non-alive everywhere", "stoppedNonAlive", "detectNonAlive"],
  ["a stopped node dead everywhere (swim: faulty)", "stoppedDead", "detectFaulty"],
  ["a hung node non-alive everywhere", "hungNonAlive", "detectNonAlive"],
  ["a hung node dead everywhere (swim: faulty)", "hungDead", "detectFaulty"],
];

const TRIALS_NOTE =
  "Detection rows: p50 / p90 over the run's trials (their number in brackets); each trial stops one node and hangs another, different victims each time, on a mesh back to quiet.";

/** `figures:summary` (README): the headline figures of the newest bench run and every sim run. */
export function summaryBlock(sources: Sources, target: Target): string {
  const parts: string[] = [];
  const bench = sources.bench;
  if (!bench) parts.push(NO_BENCH);
  else {
    const f = bench.result.figures;
    const swim = f.swim?.status === "ok" ? f.swim.figures : undefined;
    const meshes = [f.mesh, f.meshPhi ?? null];
    const columns = meshes.map((mesh, i) =>
      mesh ? (mesh.detector ? `hearsay, detector "${mesh.detector}"` : i === 0 ? "hearsay" : null) : null,
    );
    const used = columns.flatMap((c, i) => (c ? [i] : []));
    const row = (label: string, values: Array<string | undefined>, swimValue: string): string[] | null => {
      const cells = used.map((i) => values[i] ?? DASH);
      // A row no column measured is left out (a run without a mesh keeps swim's rows).
      if (cells.every((c) => c === DASH) && (used.length > 0 || swimValue === DASH)) return null;
      return [label, ...cells, swimValue];
    };
    const elapsed = (pick: (m: NonNullable<typeof f.mesh>) => { ms: number } | null | undefined) =>
      meshes.map((m) => (m ? seconds(pick(m)?.ms) : undefined));
    const steady = (pick: (s: NonNullable<typeof f.mesh>["steady"]) => string) =>
      meshes.map((m) => (m?.steady.valid ? pick(m.steady) : undefined));
    const asRun = f.cost?.asRun ? `${dollars(f.cost.asRun.marginal.total)} as run; ` : "";
    const cost = f.cost
      ? `${asRun}${f.cost.intervals.map((c) => `${dollars(c.marginal.total)} at ${c.intervalMs / 1000} s`).join(", ")}`
      : undefined;
    const rows = [
      row(
        `full membership, ${bench.result.config.nodes} nodes from cold`,
        elapsed((m) => m.fullMembership),
        seconds(swim?.fullMembershipMs),
      ),
      row(
        "a write reaches every node",
        elapsed((m) => m.writeEverywhere),
        DASH,
      ),
      ...DETECTION_ROWS.map(([label, key, swimKey]) =>
        row(
          label,
          meshes.map((m) => (m ? (m.trials ? p50p90Cell(m.trials[key]) : seconds(m[key]?.ms)) : undefined)),
          f.swim?.status === "ok" && f.swim.trials
            ? p50p90Cell(f.swim.trials[swimKey])
            : seconds(swim?.[`${swimKey}Ms`]),
        ),
      ),
      row(
        "false suspicions",
        meshes.map((m) => (m ? String(m.falseSuspicions) : undefined)),
        swim ? String(swim.falseSuspicions) : DASH,
      ),
      row(
        "payload bytes / node / s",
        steady((s) => s.bytesSentPerNodePerSecond.toFixed(0)),
        swim ? swim.bytesSentPerNodePerSecond.toFixed(0) : DASH,
      ),
      row(
        "SQLite rows written / node / round",
        steady((s) => s.rowsWrittenPerNodePerRound.toFixed(2)),
        DASH,
      ),
      row("marginal $ / node-month", [cost], DASH),
    ].filter((r): r is string[] => r !== null);
    parts.push(
      benchSourceLine(bench, target),
      "",
      markdownTable(["figure", ...used.map((i) => columns[i] as string), "swim (npm)"], rows),
    );
    if (f.mesh?.trials) parts.push("", TRIALS_NOTE);
  }
  parts.push("");
  if (sources.sims.length === 0) parts.push(NO_SIM);
  else {
    const rows = sources.sims.map((sim) => {
      const c = sim.report.config;
      return [
        c.scenario === "scaling"
          ? `${link(target, sim.path)}: \`scaling\`, N=${c.sizes}`
          : `${link(target, sim.path)}: \`${c.scenario}\`, ${c.strategy === "hearsay" ? "" : `${c.strategy}, `}N=${c.nodes}, ${c.trials} trials`,
        ...headline(sim.report),
      ];
    });
    parts.push(
      "Simulator runs (rounds are protocol periods of virtual time; the commands are in [docs/simulator.md]" +
        `(${target.root}docs/simulator.md#measured)):`,
      "",
      markdownTable(["run", "detector", "rounds, mean", "dead, mean rounds", "false suspicions"], rows),
    );
  }
  return parts.join("\n");
}

/** Per detector column: the figures of that detector (or of the run's only one). */
function byDetector(report: SimReport): Array<[string, Record<string, unknown>]> {
  const split = report.figures.byDetector as Record<string, Record<string, unknown>> | undefined;
  if (split && typeof split === "object") return Object.entries(split);
  const { table: _table, byDetector: _by, scaling: _scaling, ...figures } = report.figures;
  const detector = report.config.strategy === "hearsay" ? String(report.config.detector ?? "") : "";
  return [[detector || DASH, figures]];
}

function headline(report: SimReport): string[] {
  if (Array.isArray(report.figures.table)) return [DASH, "see the table", DASH, DASH];
  const columns = byDetector(report);
  const each = (name: string) =>
    columns.map(([, f]) => (name in f ? formatFigure(f[name]) : DASH)).join(" / ");
  return [
    columns.map(([d]) => d).join(" / "),
    each("roundsMean"),
    each("deadRoundsMean"),
    each("falseSuspicions"),
  ];
}

/** `figures:bench` (docs/benchmarks.md): every table the bench prints, from the newest result. */
export function benchBlock(sources: Sources, target: Target): string {
  const bench = sources.bench;
  if (!bench) return NO_BENCH;
  const { figures } = bench.result;
  const swim = figures.swim;
  const parts = [benchSourceLine(bench, target), "", figuresTable(bench.result)];
  const detectors = detectorTable(bench.result);
  if (detectors) parts.push("", "hearsay's two detectors, same run:", "", detectors);
  if (swim?.status === "ok") {
    // Older results may lack the timeouts.
    const t = swim.figures.timeouts as typeof swim.figures.timeouts | undefined;
    if (t) {
      parts.push(
        "",
        `swim timeouts (its defaults scaled to the period): ping ${t.pingTimeout} ms, ping-req ${t.pingReqTimeout} ms, suspect ${t.suspectTimeout} ms.`,
      );
    }
  } else if (swim) {
    parts.push("", `swim peer ${swim.status}: ${swim.reason}`);
  }
  if (figures.cost) {
    parts.push(
      "",
      "Cost per node-month (list prices):",
      "",
      costTable(figures.cost),
      "",
      "Assumptions, as the run recorded them:",
      "",
    );
    for (const assumption of figures.cost.assumptions) parts.push(`- ${assumption}`);
  }
  if (figures.failures.length > 0) {
    parts.push("", "Parts of this run that failed:", "");
    for (const failure of figures.failures) parts.push(`- ${failure}`);
  }
  return parts.join("\n");
}

/** `figures:sim` (docs/simulator.md): one table per simulator report. */
export function simBlock(sources: Sources, target: Target): string {
  if (sources.sims.length === 0) return NO_SIM;
  const parts: string[] = [];
  for (const sim of sources.sims) {
    if (parts.length) parts.push("");
    parts.push(`${link(target, sim.path)}, from \`${simCommand(sim.report, sim.path)}\`:`, "");
    const table = sim.report.figures.table;
    const scaling = sim.report.figures.scaling;
    if (Array.isArray(table)) parts.push(rumorTable(table as Array<Record<string, unknown>>));
    else if (Array.isArray(scaling)) {
      parts.push(scalingTable(scaling as Array<Record<string, unknown>>), "");
      parts.push(figuresOf(sim.report));
    } else parts.push(figuresOf(sim.report));
  }
  return parts.join("\n");
}

/** A report's figures, one column per detector. */
function figuresOf(report: SimReport): string {
  const columns = byDetector(report);
  const names = [...new Set(columns.flatMap(([, f]) => Object.keys(f)))];
  const rows = names.map((name) => [
    name,
    ...columns.map(([, f]) => (name in f ? formatFigure(f[name]) : DASH)),
  ]);
  const header =
    columns.length > 1 || columns[0]?.[0] !== DASH ? columns.map(([d]) => `detector "${d}"`) : ["value"];
  return markdownTable(["figure", ...header], rows);
}

const SCALING_COLUMNS = [
  ["nodes", "nodes"],
  ["bytesPerNodeRound", "bytes per node-round"],
  ["messagesPerNodeRound", "messages per node-round"],
  ["coreMsPerNodeRound", "core ms per node-round"],
  ["loneCoreMsPerRound", "one node alone, ms per round"],
  ["heapBytesPerMember", "bytes per member"],
] as const;

/** `scaling`: one line per cluster size. */
function scalingTable(rows: Array<Record<string, unknown>>): string {
  return markdownTable(
    SCALING_COLUMNS.map(([, label]) => label),
    rows.map((row) => SCALING_COLUMNS.map(([key]) => formatFigure(row[key]))),
  );
}

const RUMOR_FIGURES = [
  ["residue", "residue"],
  ["traffic", "traffic"],
  ["tAve", "t_ave"],
  ["tLast", "t_last"],
] as const;

function rumorTable(rows: Array<Record<string, unknown>>): string {
  const paper = rows.some((r) => r.paper);
  const header = ["interest", "stop", "k"];
  for (const [, label] of RUMOR_FIGURES) header.push(label, ...(paper ? [`${label} (paper)`] : []));
  const body = rows.map((r) => {
    const cells = [String(r.interest), String(r.stop), String(r.k)];
    for (const [key] of RUMOR_FIGURES) {
      cells.push(formatFigure(r[key]));
      if (!paper) continue;
      const p = r.paper as Record<string, unknown> | undefined;
      const within = r.within as Record<string, boolean> | undefined;
      cells.push(p ? `${formatFigure(p[key])} ${within?.[key] ? "ok" : "MISS"}` : DASH);
    }
    return cells;
  });
  return markdownTable(header, body);
}

/** `figures:config` (docs/operations.md): every tunable, from the core's one declaration. */
export function configBlock(): string {
  const defaults = resolveConfig({});
  const other = resolveConfig({ intervalMs: 60_000 });
  const rows: string[][] = [
    [
      "`mode`",
      `\`${defaults.mode}\``,
      MODES.map((m) => `\`${m}\``).join(", "),
      "Who sends deltas to whom in an exchange.",
    ],
    [
      "`detector`",
      `\`${defaults.detector}\``,
      DETECTORS.map((d) => `\`${d}\``).join(", "),
      "SWIM probing, or phi accrual over relayed heartbeats.",
    ],
  ];
  for (const [field, rule] of Object.entries(CONFIG_LIMITS)) {
    const key = field as keyof typeof CONFIG_LIMITS;
    const value = defaults[key];
    const follows = other[key] !== value && key !== "intervalMs" ? " (follows `intervalMs`)" : "";
    const range = `${rule.integer ? "integer " : ""}${plain(rule.min)} .. ${plain(rule.max)}`;
    rows.push([`\`${field}\``, `${plain(value)}${follows}`, range, rule.description]);
  }
  return [
    "Generated from `CONFIG_LIMITS` and `resolveConfig` in `src/core/config.ts`; defaults are at the default interval.",
    "",
    markdownTable(["field", "default", "allowed", "meaning"], rows),
  ].join("\n");
}

function plain(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString("en-US") : String(value);
}

/** `figures:bench-usage` (docs/benchmarks.md): the bench's flags, as `--help` prints them. */
export function benchUsageBlock(): string {
  return ["```", USAGE.trimEnd(), "```"].join("\n");
}

/** `figures:core-bounds` (docs/protocol.md): what the 100-node core test asserts, from its bounds. */
export function coreBoundsBlock(): string {
  const rows = Object.values(CLUSTER_BOUNDS).map((b: ClusterBound) => [
    b.what,
    `${plain(b.bound)} ${b.bound === 1 ? b.unit.slice(0, -1) : b.unit}`,
    b.note ?? "",
  ]);
  return [
    "Generated from `CLUSTER_BOUNDS` in `tools/cluster-bounds.ts`.",
    "",
    markdownTable(["the test asserts", "at most", "note"], rows),
  ].join("\n");
}

export const BLOCKS = {
  summary: summaryBlock,
  tradeoff: tradeoffBlock,
  bench: benchBlock,
  "bench-usage": (_sources: Sources, _target: Target) => benchUsageBlock(),
  sim: simBlock,
  watch: (sources: Sources, target: Target) => watchBlock(sources.watch ?? null, target.root),
  config: (_sources: Sources, _target: Target) => configBlock(),
  "core-bounds": (_sources: Sources, _target: Target) => coreBoundsBlock(),
  "bootstrap-pages": (_sources: Sources, _target: Target) => bootstrapPagesBlock(),
} as const;

export type BlockName = keyof typeof BLOCKS;

const MARKER = /<!-- figures:([a-z-]+) -->\n[\s\S]*?<!-- \/figures:\1 -->/g;

/**
 * Rewrites every generated block of a document. Every `figures:NAME` opening must be a known
 * block with its closing marker; returns the new text, the blocks found and those that changed.
 */
export function rewriteBlocks(
  text: string,
  render: (name: BlockName) => string,
  document: string,
): { text: string; blocks: BlockName[]; changed: BlockName[] } {
  const opened = [...text.matchAll(/<!-- figures:([a-z-]+) -->/g)].map((m) => m[1] as string);
  const blocks: BlockName[] = [];
  const changed: BlockName[] = [];
  const out = text.replace(MARKER, (whole, name: string) => {
    if (!(name in BLOCKS)) throw new Error(`${document}: unknown block figures:${name}`);
    blocks.push(name as BlockName);
    const block = `<!-- figures:${name} -->\n${render(name as BlockName)}\n<!-- /figures:${name} -->`;
    if (block !== whole) changed.push(name as BlockName);
    return block;
  });
  for (const name of opened) {
    if (!blocks.includes(name as BlockName)) {
      throw new Error(
        `${document}: figures:${name} has no closing <!-- /figures:${name} --> on a line of its own`,
      );
    }
  }
  return { text: out, blocks, changed };
}
