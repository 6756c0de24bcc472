/**
 * The bench's result: its JSON shape (checked with zod, so a test and readers of
 * bench/results can rely on it), the hearsay / swim ratios, and the markdown tables printed
 * at the end of a run.
 */
import { z } from "zod";
import type { BenchConfig } from "./args.js";
import type { AsRunCost, IntervalCost, PerRoundUsage, PerSecondUsage } from "./cost-model.js";
import type { LatencySample, LoadFigures } from "./load.js";
import type { MeshFigures } from "./mesh/run-mesh.js";
import type { SwimOutcome } from "./swim/run-swim.js";
import type { TradeoffRow } from "./tradeoff.js";
import {
  meshTrialsSchema,
  type P90Ratios,
  p50p90Cell,
  p90Ratios,
  p90RatiosSchema,
  swimTrialsSchema,
  type TrialFigures,
} from "./trials.js";

export interface CostFigures {
  perRound: PerRoundUsage;
  /** The configuration the bench ran, priced from the nodes' own counters over the steady window. */
  asRun?: AsRunCost & { perSecond: PerSecondUsage; assumptions: string[] };
  /** How activeSeconds was estimated, and other stated assumptions. */
  assumptions: string[];
  intervals: IntervalCost[];
}

/** hearsay value divided by swim value (below 1: hearsay is faster / smaller). */
export interface Ratios {
  fullMembership: number | null;
  detectNonAlive: number | null;
  detectDead: number | null;
  bytesPerNodePerSecond: number | null;
  /** A hung (silent) node against swim's detection of a stopped (silent) process. */
  hungNonAlive?: number | null;
  hungDead?: number | null;
  /** Over the trials: hearsay's p90 over swim's p90 (the issue's goals, trials.ts P90_GOALS). */
  p90?: P90Ratios;
}

export interface BenchFigures {
  /** The mesh under the default detector (swim). */
  mesh: MeshFigures | null;
  /** `--tradeoff`: the default configuration's row (from `mesh`), then the other variants. */
  tradeoff?: TradeoffRow[];
  /** The same measurement under `detector: "phi"`, in the same run (null when skipped). */
  meshPhi?: MeshFigures | null;
  /** Unloaded latency of GET node view, sequential. */
  latency: LatencySample | null;
  load: LoadFigures | null;
  swim: SwimOutcome | null;
  cost: CostFigures | null;
  ratios: Ratios | null;
  /** Parts that were asked for but failed, with why. */
  failures: string[];
  runSeconds: number;
}

export interface BenchResult {
  config: BenchConfig & { date: string; machine: { cpus: number; platform: string; node: string } };
  figures: BenchFigures;
}

const num = z.number().finite();
const elapsed = z.object({ ms: num, rounds: num });
const breakdown = z.object({ requests: num, rowsWritten: num, duration: num, total: num });
const nullableRatio = num.nullable();

/** One endpoint's figures under the API load. */
const endpointSchema = z.object({
  requestsPerSecond: z.number(),
  latencyP50Ms: z.number(),
  latencyP99Ms: z.number(),
  workerdCpuMsPerRequest: z.number().optional(),
});

const meshSchema = z
  .object({
    bootstrapCallMs: num,
    fullMembership: elapsed,
    fullMembershipMeasuredBy: z.enum(["events", "polls"]).optional(),
    fullMembershipPolled: elapsed.optional(),
    fullMembershipMedianNodeMs: num.nullable().optional(),
    fullMembershipLogError: z.string().nullable().optional(),
    fullMembershipLongestLog: num.nullable().optional(),
    coldMs: num.nullable().optional(),
    coldRounds: num.nullable().optional(),
    writeEverywhere: elapsed,
    stoppedNonAlive: elapsed,
    stoppedDead: elapsed,
    hungNonAlive: elapsed.nullable().optional(),
    hungDead: elapsed.nullable().optional(),
    detector: z.enum(["swim", "phi"]).optional(),
    falseSuspicions: z.number().int().nonnegative(),
    trials: meshTrialsSchema.optional(),
    steady: z.object({
      valid: z.boolean(),
      effectivePeriodMs: num,
      requestsPerNodePerRound: num,
      rowsWrittenPerNodePerRound: num,
      bytesSentPerNodePerSecond: num,
      cpuSecondsPerNodePerRound: num.nullable(),
      activeMsPerNodePerRound: num,
      perNodeSecond: z
        .object({
          rounds: num,
          wakes: num,
          alarms: num,
          peerCallsAnswered: num,
          clientCallsAnswered: num,
          rowsWritten: num,
          activeMs: num,
        })
        .optional(),
      cpuSecondsPerNodePerSecond: num.nullable().optional(),
    }),
  })
  .nullable();

/** The shape every bench/results/*.json file has. */
export const BenchResultSchema = z.object({
  config: z.object({
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    nodes: z.number().int().positive(),
    intervalMs: num,
    steadyRounds: num,
    loadSeconds: num,
    connections: num,
    costMeshNodes: num,
    rpcWaitMs: num,
    skipMesh: z.boolean(),
    skipLoad: z.boolean(),
    skipSwim: z.boolean(),
    quick: z.boolean(),
    deadlineSeconds: num,
    machine: z.object({ cpus: z.number().int(), platform: z.string(), node: z.string() }),
  }),
  figures: z.object({
    mesh: meshSchema,
    meshPhi: meshSchema.optional(),
    latency: z.object({ count: num, p50Ms: num, p99Ms: num }).nullable(),
    load: z
      .object({
        requestsPerSecond: num,
        latencyP50Ms: num,
        latencyP99Ms: num,
        members: endpointSchema.optional(),
        membersToViewRequestsRatio: num.optional(),
        membersNotModified: endpointSchema.optional(),
        membersNotModifiedToViewRequestsRatio: num.optional(),
        health: endpointSchema.optional(),
        healthToViewRequestsRatio: num.optional(),
        workerdCpuMsPerRequest: num.optional(),
      })
      .nullable(),
    swim: z
      .discriminatedUnion("status", [
        z.object({
          status: z.literal("ok"),
          figures: z.object({
            fullMembershipMs: num,
            detectNonAliveMs: num,
            detectFaultyMs: num,
            joinSeenByAllMs: num,
            bytesSentPerNodePerSecond: num,
            falseSuspicions: z.number().int().nonnegative(),
          }),
          trials: swimTrialsSchema.optional(),
        }),
        z.object({ status: z.enum(["unavailable", "failed"]), reason: z.string() }),
      ])
      .nullable(),
    cost: z
      .object({
        perRound: z.object({ requests: num, rowsWritten: num, activeSeconds: num }),
        asRun: z
          .object({
            perSecond: z.object({ rounds: num, requests: num, rowsWritten: num, activeSeconds: num }),
            usage: z.object({ rounds: num, requests: num, rowsWritten: num, gbSeconds: num }),
            marginal: breakdown,
            assumptions: z.array(z.string()),
          })
          .optional(),
        assumptions: z.array(z.string()),
        intervals: z.array(
          z.object({ intervalMs: num, marginal: breakdown, mesh: breakdown, meshNodes: num }),
        ),
      })
      .nullable(),
    tradeoff: z
      .array(
        z.object({
          label: z.string(),
          intervalMs: num,
          core: z.record(z.string(), z.unknown()),
          stoppedNonAliveMs: num,
          stoppedDeadMs: num,
          hungNonAliveMs: num.nullable(),
          hungDeadMs: num.nullable(),
          falseSuspicions: z.number().int().nonnegative(),
          marginal: breakdown.nullable(),
          trials: meshTrialsSchema.optional(),
        }),
      )
      .optional(),
    ratios: z
      .object({
        fullMembership: nullableRatio,
        detectNonAlive: nullableRatio,
        detectDead: nullableRatio,
        bytesPerNodePerSecond: nullableRatio,
        hungNonAlive: nullableRatio.optional(),
        hungDead: nullableRatio.optional(),
        p90: p90RatiosSchema.optional(),
      })
      .nullable(),
    failures: z.array(z.string()),
    runSeconds: num,
  }),
});

/** `2026-11-22.json` for a run on that (UTC) day. */
export function resultFileName(date: Date): string {
  return `${date.toISOString().slice(0, 10)}.json`;
}

function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !(b > 0)) return null;
  return a / b;
}

export function computeRatios(mesh: MeshFigures | null, swim: SwimOutcome | null): Ratios | null {
  if (!mesh || swim?.status !== "ok") return null;
  const s = swim.figures;
  return {
    fullMembership: ratio(mesh.fullMembership.ms, s.fullMembershipMs),
    detectNonAlive: ratio(mesh.stoppedNonAlive.ms, s.detectNonAliveMs),
    detectDead: ratio(mesh.stoppedDead.ms, s.detectFaultyMs),
    bytesPerNodePerSecond: mesh.steady.valid
      ? ratio(mesh.steady.bytesSentPerNodePerSecond, s.bytesSentPerNodePerSecond)
      : null,
    hungNonAlive: ratio(mesh.hungNonAlive?.ms, s.detectNonAliveMs),
    hungDead: ratio(mesh.hungDead?.ms, s.detectFaultyMs),
    ...(mesh.trials && swim.trials ? { p90: p90Ratios(mesh.trials, swim.trials) } : {}),
  };
}

const DASH = "—";

function seconds(ms: number | undefined): string {
  return ms === undefined ? DASH : `${(ms / 1000).toFixed(2)} s`;
}

function withRounds(e: { ms: number; rounds: number } | undefined): string {
  return e ? `${seconds(e.ms)} (${e.rounds} rounds)` : DASH;
}

/**
 * Full membership and how it was taken: from the nodes' event logs, with the polled time beside
 * it, or polled when a log fell short. Results from before the logs timed it say neither.
 */
export function fullMembershipCell(mesh: MeshFigures): string {
  const time = withRounds(mesh.fullMembership);
  if (mesh.fullMembershipMeasuredBy === "events") {
    const polled = mesh.fullMembershipPolled ? `; polled ${seconds(mesh.fullMembershipPolled.ms)}` : "";
    return `${time} from event logs${polled}`;
  }
  if (mesh.fullMembershipMeasuredBy === "polls") return `${time} polled (event logs fell short)`;
  return time;
}

/** One printed line on how full membership was timed (empty for results from before). */
export function fullMembershipLine(mesh: MeshFigures, capacity: number): string {
  if (mesh.fullMembershipMeasuredBy === undefined) return "";
  const polled = mesh.fullMembershipPolled ? `polled ${seconds(mesh.fullMembershipPolled.ms)}` : "not polled";
  const log =
    mesh.fullMembershipLongestLog === null || mesh.fullMembershipLongestLog === undefined
      ? ""
      : `, longest log ${mesh.fullMembershipLongestLog} of ${capacity} events`;
  if (mesh.fullMembershipMeasuredBy === "events") {
    const median = mesh.fullMembershipMedianNodeMs;
    const medianText = median === null || median === undefined ? "" : `, median node ${seconds(median)}`;
    return `full membership (${mesh.detector}): ${seconds(mesh.fullMembership.ms)} from the nodes' event logs${medianText}${log}; ${polled}`;
  }
  return `full membership (${mesh.detector}): ${seconds(mesh.fullMembership.ms)} polled; event logs fell short: ${mesh.fullMembershipLogError ?? "unknown"}${log}`;
}

function fixed(value: number | undefined | null, digits = 2): string {
  return value === undefined || value === null || !Number.isFinite(value) ? DASH : value.toFixed(digits);
}

function dollars(value: number): string {
  return value < 0.01 && value > 0 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

function millions(value: number): string {
  return `${(value / 1e6).toFixed(2)} M`;
}

/** The figures table: hearsay next to swim, with the ratio where both measured the same thing. */
export function figuresTable(result: BenchResult): string {
  const { swim, load, latency, ratios } = result.figures;
  const mesh = result.figures.mesh;
  // Steady-window figures of a window where nodes restarted are not shown as numbers.
  const steady = mesh?.steady.valid ? mesh : null;
  const invalid = mesh && !mesh.steady.valid ? "not measured: nodes restarted in the window" : DASH;
  const s = swim?.status === "ok" ? swim.figures : undefined;
  const n = result.config.nodes;
  const rows: string[][] = [
    [
      `full membership, ${n} nodes from cold`,
      mesh ? `${fullMembershipCell(mesh)}; bootstrap call ${seconds(mesh.bootstrapCallMs)}` : DASH,
      seconds(s?.fullMembershipMs),
      fixed(ratios?.fullMembership),
    ],
    ["a write reaches every node", withRounds(mesh?.writeEverywhere), DASH, DASH],
    [
      "stopped node non-alive everywhere",
      withRounds(mesh?.stoppedNonAlive),
      seconds(s?.detectNonAliveMs),
      fixed(ratios?.detectNonAlive),
    ],
    [
      "stopped node dead (swim: faulty) everywhere",
      withRounds(mesh?.stoppedDead),
      seconds(s?.detectFaultyMs),
      fixed(ratios?.detectDead),
    ],
    [
      "hung (silent) node non-alive everywhere",
      withRounds(mesh?.hungNonAlive ?? undefined),
      seconds(s?.detectNonAliveMs),
      fixed(ratios?.hungNonAlive),
    ],
    [
      "hung node dead (swim: faulty) everywhere",
      withRounds(mesh?.hungDead ?? undefined),
      seconds(s?.detectFaultyMs),
      fixed(ratios?.hungDead),
    ],
    ["a late join seen by all", DASH, seconds(s?.joinSeenByAllMs), DASH],
    [
      "false suspicions (observer, live node) pairs",
      mesh ? `${mesh.falseSuspicions} (${mesh.polls} polls + ${mesh.eventsRead} logged events)` : DASH,
      s ? `${s.falseSuspicions} (every update event)` : DASH,
      DASH,
    ],
    [
      "payload bytes sent / node / s",
      steady ? fixed(steady.steady.bytesSentPerNodePerSecond, 0) : invalid,
      fixed(s?.bytesSentPerNodePerSecond, 0),
      fixed(ratios?.bytesPerNodePerSecond),
    ],
    [
      "billed DO requests / node / round (alarms + calls received)",
      steady
        ? `${fixed(steady.steady.requestsPerNodePerRound)} (${fixed(steady.steady.alarmsPerNodePerRound)} + ${fixed(steady.steady.peerCallsReceivedPerNodePerRound)})`
        : invalid,
      DASH,
      DASH,
    ],
    [
      "SQLite rows written / node / round",
      steady ? fixed(steady.steady.rowsWrittenPerNodePerRound) : invalid,
      DASH,
      DASH,
    ],
    [
      "workerd CPU / node / round",
      steady?.steady.cpuSecondsPerNodePerRound != null
        ? `${fixed(steady.steady.cpuSecondsPerNodePerRound * 1000)} ms`
        : invalid,
      DASH,
      DASH,
    ],
    [
      "time in alarm and RPC handlers / node / round, by the nodes' own clock (I/O waits only)",
      steady ? `${fixed(steady.steady.activeMsPerNodePerRound)} ms` : invalid,
      DASH,
      DASH,
    ],
    [
      "measured period between rounds",
      steady ? `${fixed(steady.steady.effectivePeriodMs, 0)} ms` : invalid,
      DASH,
      DASH,
    ],
    [
      "GET node view, unloaded p50 / p99",
      latency ? `${fixed(latency.p50Ms, 1)} / ${fixed(latency.p99Ms, 1)} ms` : DASH,
      DASH,
      DASH,
    ],
    [
      `GET node view under load (${load?.connections ?? DASH} conns, ${load?.durationSeconds ?? DASH} s) p50 / p99`,
      load ? `${load.latencyP50Ms} / ${load.latencyP99Ms} ms` : DASH,
      DASH,
      DASH,
    ],
    ["GET node view requests / s", fixed(load?.requestsPerSecond, 0), DASH, DASH],
    ...endpointRows("GET members", load?.members, load?.membersToViewRequestsRatio),
    ...endpointRows(
      "GET members with If-None-Match (304)",
      load?.membersNotModified,
      load?.membersNotModifiedToViewRequestsRatio,
    ),
    ...endpointRows("GET /v1/health (the Worker's floor)", load?.health, load?.healthToViewRequestsRatio),
    [
      "workerd CPU per request under load, ms: view / members / members 304 / health",
      load?.workerdCpuMsPerRequest !== undefined
        ? [load, load.members, load.membersNotModified, load.health]
            .map((l) => fixed(l?.workerdCpuMsPerRequest, 2))
            .join(" / ")
        : DASH,
      DASH,
      DASH,
    ],
  ];
  return markdownTable(["figure", "hearsay", "swim", "hearsay / swim"], rows);
}

/** Two rows for one endpoint under the same load as the node view: latency, then rate. */
function endpointRows(
  what: string,
  figures: { requestsPerSecond: number; latencyP50Ms: number; latencyP99Ms: number } | undefined,
  toView: number | undefined,
): string[][] {
  return [
    [
      `${what} under the same load p50 / p99`,
      figures ? `${figures.latencyP50Ms} / ${figures.latencyP99Ms} ms` : DASH,
      DASH,
      DASH,
    ],
    [
      `${what} requests / s (x node view)`,
      figures ? `${fixed(figures.requestsPerSecond, 0)} (${fixed(toView, 1)}x)` : DASH,
      DASH,
      DASH,
    ],
  ];
}

/** The two detectors of hearsay side by side, from the same run. */
export function detectorTable(result: BenchResult): string {
  const swim = result.figures.mesh;
  const phi = result.figures.meshPhi;
  if (!swim || !phi) return "";
  const steadyBytes = (m: MeshFigures) =>
    m.steady.valid ? fixed(m.steady.bytesSentPerNodePerSecond, 0) : "not measured";
  const rows: string[][] = [
    ["full membership", withRounds(swim.fullMembership), withRounds(phi.fullMembership)],
    ["a write reaches every node", withRounds(swim.writeEverywhere), withRounds(phi.writeEverywhere)],
    ["stopped node non-alive everywhere", withRounds(swim.stoppedNonAlive), withRounds(phi.stoppedNonAlive)],
    ["stopped node dead everywhere", withRounds(swim.stoppedDead), withRounds(phi.stoppedDead)],
    [
      "hung node non-alive everywhere",
      withRounds(swim.hungNonAlive ?? undefined),
      withRounds(phi.hungNonAlive ?? undefined),
    ],
    [
      "hung node dead everywhere",
      withRounds(swim.hungDead ?? undefined),
      withRounds(phi.hungDead ?? undefined),
    ],
    ["false suspicions", String(swim.falseSuspicions), String(phi.falseSuspicions)],
    ["payload bytes sent / node / s", steadyBytes(swim), steadyBytes(phi)],
    [
      "SQLite rows written / node / round",
      fixed(swim.steady.rowsWrittenPerNodePerRound),
      fixed(phi.steady.rowsWrittenPerNodePerRound),
    ],
    [
      "billed DO requests / node / round",
      fixed(swim.steady.requestsPerNodePerRound),
      fixed(phi.steady.requestsPerNodePerRound),
    ],
  ];
  return markdownTable(["figure", 'detector "swim" (default)', 'detector "phi"'], rows);
}

/** The cost table: per node-month, marginal and within a mesh incl. allowances. */
export function costTable(cost: CostFigures): string {
  const rows = cost.intervals.map((c) => [
    `${c.intervalMs / 1000} s`,
    millions(c.usage.requests),
    millions(c.usage.rowsWritten),
    fixed(c.usage.gbSeconds, 0),
    `${dollars(c.marginal.total)} (${dollars(c.marginal.requests)} + ${dollars(c.marginal.rowsWritten)} + ${dollars(c.marginal.duration)})`,
    dollars(c.mesh.total),
  ]);
  const meshNodes = cost.intervals[0]?.meshNodes ?? 100;
  return markdownTable(
    [
      "interval",
      "requests / node-month",
      "rows written / node-month",
      "GB-s / node-month",
      "marginal $ / node-month (requests + rows + duration)",
      `$ / node-month in a ${meshNodes}-node mesh, allowance incl.`,
    ],
    rows,
  );
}

/** The cost of the configuration as run: a month of the measured rates, allowances ignored. */
export function asRunTable(asRun: NonNullable<CostFigures["asRun"]>): string {
  const { usage, marginal } = asRun;
  return markdownTable(
    [
      "rounds / node-month",
      "requests / node-month",
      "rows written / node-month",
      "GB-s / node-month",
      "marginal $ / node-month (requests + rows + duration)",
    ],
    [
      [
        millions(usage.rounds),
        millions(usage.requests),
        millions(usage.rowsWritten),
        fixed(usage.gbSeconds, 0),
        `${dollars(marginal.total)} (${dollars(marginal.requests)} + ${dollars(marginal.rowsWritten)} + ${dollars(marginal.duration)})`,
      ],
    ],
  );
}

/**
 * Detection against dollars, one row per configuration run (`--tradeoff`); with trials each
 * time is p50 / p90 over the row's trials.
 */
export function tradeoffTable(rows: readonly TradeoffRow[]): string {
  const secs = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(2)} s`);
  const withTrials = rows.some((row) => row.trials);
  const time = (row: TradeoffRow, key: keyof TrialFigures, single: number | null) =>
    row.trials ? p50p90Cell(row.trials[key]) : secs(single);
  const of = withTrials ? " (p50 / p90, trials)" : "";
  return markdownTable(
    [
      "configuration",
      `stopped node non-alive everywhere${of}`,
      `stopped node dead everywhere${of}`,
      `hung node non-alive everywhere${of}`,
      "false suspicions",
      "marginal $ / node-month as run",
    ],
    rows.map((row) => [
      `${row.label} (${row.intervalMs / 1000} s rounds)`,
      time(row, "stoppedNonAlive", row.stoppedNonAliveMs),
      time(row, "stoppedDead", row.stoppedDeadMs),
      time(row, "hungNonAlive", row.hungNonAliveMs),
      String(row.falseSuspicions),
      row.marginal ? dollars(row.marginal.total) : "—",
    ]),
  );
}

/** The cost-and-detection goal one bench run is held to. */
export const COST_GOAL = {
  maxDollarsPerNodeMonth: 1,
  maxStoppedNonAliveMs: 3000,
  falseSuspicions: 0,
} as const;

/** Whether this run met COST_GOAL, with its three figures; null when one of them is missing. */
export function goalLine(result: BenchResult): string | null {
  const mesh = result.figures.mesh;
  const asRun = result.figures.cost?.asRun;
  if (!mesh || !asRun) return null;
  const dollarsOk = asRun.marginal.total <= COST_GOAL.maxDollarsPerNodeMonth;
  const detectOk = mesh.stoppedNonAlive.ms <= COST_GOAL.maxStoppedNonAliveMs;
  const falseOk = mesh.falseSuspicions <= COST_GOAL.falseSuspicions;
  const met = dollarsOk && detectOk && falseOk;
  return (
    `goal ${met ? "met" : "MISSED"}: ${dollars(asRun.marginal.total)} per node-month as run (at most ${dollars(COST_GOAL.maxDollarsPerNodeMonth)}), ` +
    `stopped node non-alive everywhere in ${(mesh.stoppedNonAlive.ms / 1000).toFixed(2)} s (at most ${COST_GOAL.maxStoppedNonAliveMs / 1000} s), ` +
    `${mesh.falseSuspicions} false suspicions (at most ${COST_GOAL.falseSuspicions})`
  );
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
