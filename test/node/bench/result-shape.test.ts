/**
 * The shape of bench/results/*.json and the figures derived for it: what readers of a result
 * file (and the README table) rely on.
 */
import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "../../../bench/args.js";
import {
  type BenchResult,
  BenchResultSchema,
  computeRatios,
  figuresTable,
  resultFileName,
  tradeoffTable,
} from "../../../bench/bench-result.js";
import { COLD_GOAL, coldCell, coldGoalMet } from "../../../bench/cold-goal.js";
import { costTable } from "../../../bench/cost-model.js";
import type { MeshFigures, MeshTrials } from "../../../bench/mesh/run-mesh.js";
import { type SwimOutcome, swimTrials } from "../../../bench/swim/run-swim.js";
import type { SwimFigures } from "../../../bench/swim/swim-types.js";
import { tradeoffRow } from "../../../bench/tradeoff.js";
import { DEFAULT_TRIALS, pickVictims, TRADEOFF_TRIALS, trialStats } from "../../../bench/trials.js";
import { trialsTable } from "../../../bench/trials-table.js";
import { DEFAULT_SEED_COUNT } from "../../../src/api/bootstrap-plan.js";

const mesh: MeshFigures = {
  bootstrapCallMs: 500,
  fullMembership: { ms: 4000, rounds: 4 },
  writeEverywhere: { ms: 3000, rounds: 3 },
  stoppedNonAlive: { ms: 6000, rounds: 6 },
  stoppedDead: { ms: 10_000, rounds: 10 },
  hungNonAlive: { ms: 7000, rounds: 7 },
  hungDead: { ms: 11_000, rounds: 11 },
  detector: "swim",
  measuredBy: "events",
  falseSuspicions: 0,
  falseSuspicionPairs: [],
  eventLogError: null,
  eventsRead: 1000,
  steady: {
    valid: true,
    attempts: 1,
    seconds: 20,
    nodesCounted: 32,
    resetNodes: [],
    effectivePeriodMs: 1050,
    requestsPerNodePerRound: 3,
    alarmsPerNodePerRound: 1,
    peerCallsReceivedPerNodePerRound: 2,
    rowsWrittenPerNodePerRound: 1,
    bytesSentPerNodePerRound: 2000,
    bytesSentPerNodePerSecond: 1900,
    cpuSecondsPerNodePerRound: 0.002,
    activeMsPerNodePerRound: 8,
  },
  polls: 40,
};

const swim: SwimOutcome = {
  status: "ok",
  figures: {
    timeouts: {
      interval: 1000,
      pingTimeout: 200,
      pingReqTimeout: 600,
      suspectTimeout: 500,
      joinTimeout: 5000,
    },
    fullMembershipMs: 8000,
    detectNonAliveMs: 4000,
    detectFaultyMs: 5000,
    joinSeenByAllMs: 4000,
    bytesSentPerNodePerSecond: 950,
    datagramsPerNodePerSecond: 2,
    falseSuspicions: 0,
    steadyWindowMs: 20_000,
  },
};

function result(overrides: Partial<BenchResult["figures"]> = {}): BenchResult {
  const config = parseBenchArgs([]);
  if (config === "help") throw new Error("unexpected help");
  const perRound = { requests: 3, rowsWritten: 1, activeSeconds: 0.004 };
  return {
    config: { ...config, date: "2026-11-22", machine: { cpus: 2, platform: "linux-x64", node: "v22.12.0" } },
    figures: {
      mesh,
      latency: { count: 50, p50Ms: 1, p99Ms: 3 },
      load: {
        url: "/v1/clusters/c/nodes/n0",
        connections: 10,
        durationSeconds: 10,
        requestsPerSecond: 900,
        totalRequests: 9000,
        latencyP50Ms: 10,
        latencyP99Ms: 30,
        latencyMaxMs: 50,
        errors: 0,
        non2xx: 0,
      },
      swim,
      cost: { perRound, assumptions: ["stated"], intervals: costTable(perRound) },
      ratios: computeRatios(mesh, swim),
      failures: [],
      runSeconds: 120,
      ...overrides,
    },
  };
}

describe("bench result", () => {
  it("has the documented {config, figures} shape, survives JSON and is named by UTC day", () => {
    const parsed = BenchResultSchema.parse(JSON.parse(JSON.stringify(result())));
    expect(parsed.config.nodes).toBe(32);
    expect(parsed.config.intervalMs).toBe(1000);
    expect(parsed.figures.cost?.intervals.map((c) => c.intervalMs)).toEqual([1000, 5000, 30_000]);
    expect(resultFileName(new Date("2026-11-22T23:59:00Z"))).toBe("2026-11-22.json");
  });

  it("allows skipped parts and an unavailable SWIM peer", () => {
    const skipped = result({
      mesh: null,
      latency: null,
      load: null,
      cost: null,
      ratios: null,
      swim: { status: "unavailable", reason: "the swim package could not be loaded" },
    });
    expect(BenchResultSchema.safeParse(skipped).success).toBe(true);
    expect(figuresTable(skipped)).toContain("| — |");
  });

  it("shows no steady-window numbers when nodes restarted inside the window", () => {
    const restarted = { ...mesh, steady: { ...mesh.steady, valid: false, resetNodes: ["n3"] } };
    const table = figuresTable(
      result({ mesh: restarted, cost: null, ratios: computeRatios(restarted, swim) }),
    );
    expect(table).toContain(
      "| payload bytes sent / node / s | not measured: nodes restarted in the window |",
    );
    expect(computeRatios(restarted, swim)?.bytesPerNodePerSecond).toBeNull();
  });

  it("records beside full membership how it was measured, and the polled time", () => {
    const fromLogs: MeshFigures = {
      ...mesh,
      fullMembershipMeasuredBy: "events",
      fullMembershipPolled: { ms: 6000, rounds: 4 },
      fullMembershipMedianNodeMs: 3000,
      fullMembershipLogError: null,
      fullMembershipLongestLog: 40,
      briefPolls: 12,
    };
    const written = result({ mesh: fromLogs });
    expect(BenchResultSchema.safeParse(JSON.parse(JSON.stringify(written))).success).toBe(true);
    expect(figuresTable(written)).toContain(
      "| full membership, 32 nodes from cold | 4.00 s (4 rounds) from event logs; polled 6.00 s; bootstrap call 0.50 s |",
    );
    const unknown = result({ mesh: { ...fromLogs, fullMembershipMeasuredBy: "guess" as "events" } });
    expect(BenchResultSchema.safeParse(unknown).success).toBe(false);
  });

  it("rejects a result missing its figures", () => {
    const { figures: _figures, ...configOnly } = result();
    expect(BenchResultSchema.safeParse(configOnly).success).toBe(false);
  });

  it("divides hearsay by swim for the shared figures", () => {
    const ratios = computeRatios(mesh, swim);
    expect(ratios).toEqual({
      fullMembership: 0.5,
      detectNonAlive: 1.5,
      detectDead: 2,
      bytesPerNodePerSecond: 2,
      // A hung node against swim's detection of its silent (stopped) member.
      hungNonAlive: 7000 / 4000,
      hungDead: 11_000 / 5000,
    });
    expect(computeRatios(mesh, { status: "unavailable", reason: "x" })).toBeNull();
    expect(figuresTable(result())).toContain(
      "| full membership, 32 nodes from cold | 4.00 s (4 rounds); bootstrap call 0.50 s | 8.00 s | 0.50 |",
    );
  });

  it("reads flags: quick defaults, explicit values win, bad values are refused", () => {
    expect(parseBenchArgs(["--quick", "--nodes", "5"])).toMatchObject({
      nodes: 5,
      intervalMs: 250,
      quick: true,
    });
    expect(parseBenchArgs(["--skip-mesh"])).toMatchObject({ skipMesh: true, skipLoad: true });
    expect(() => parseBenchArgs(["--nodes", "0"])).toThrow(/--nodes/);
    expect(() => parseBenchArgs(["--interval", "5"])).toThrow(/at least 10/);
    expect(() => parseBenchArgs(["--bogus"])).toThrow();
  });
});

// Detection over many trials: the victims, the {n, p50, p90, max} keys beside the single-trial
// ones, the p90 ratios the goals are held to, and how the tables show them.

const names = Array.from({ length: 32 }, (_, i) => `n${i}`);

const stats = (values: number[]) => trialStats(values);

const meshTrials: MeshTrials = {
  stoppedNonAlive: stats([1000, 1200, 1400, 1600, 1800, 2000, 2200, 2400, 2600, 2800]),
  stoppedDead: stats([4000, 4100, 4200, 4300, 4400, 4500, 4600, 4700, 4800, 6000]),
  hungNonAlive: stats([2000, 2100, 2200, 2300, 2400, 2500, 2600, 2700, 2800, 5000]),
  hungDead: stats([5000, 5100, 5200, 5300, 5400, 5500, 5600, 5700, 5800, 9000]),
  asked: 10,
  victims: pickVictims(names, 10, 1),
  errors: [],
};

const swimFigures: SwimFigures = {
  ...(swim.status === "ok" ? swim.figures : ({} as SwimFigures)),
  trials: Array.from({ length: 10 }, (_, i) => ({
    victim: `127.0.0.1:${4000 + i}`,
    detectNonAliveMs: 5000 + 100 * i,
    detectFaultyMs: 6000 + 100 * i,
  })),
  trialErrors: [],
};

const trialMesh: MeshFigures = { ...mesh, trials: meshTrials };

/** A result whose mesh and swim both ran ten trials. */
function trialResult(): BenchResult {
  const trialSwim = { status: "ok" as const, figures: swimFigures, trials: swimTrials(swimFigures, 10) };
  return result({ mesh: trialMesh, swim: trialSwim, ratios: computeRatios(trialMesh, trialSwim) });
}

describe("bench trials", () => {
  it(`runs ${DEFAULT_TRIALS} trials by default, and --trials and --seed set them`, () => {
    expect(parseBenchArgs([])).toMatchObject({ trials: DEFAULT_TRIALS, seed: 1 });
    expect(parseBenchArgs(["--trials", "3", "--seed", "7"])).toMatchObject({ trials: 3, seed: 7 });
    expect(() => parseBenchArgs(["--trials", "0"])).toThrow(/--trials/);
    // More trials, a longer default deadline; an explicit one wins.
    const one = parseBenchArgs(["--trials", "1"]);
    const ten = parseBenchArgs(["--trials", "10"]);
    if (one === "help" || ten === "help") throw new Error("unexpected help");
    expect(ten.deadlineSeconds).toBeGreaterThan(one.deadlineSeconds);
    expect(parseBenchArgs(["--trials", "10", "--deadline", "99"])).toMatchObject({ deadlineSeconds: 99 });
  });

  it("draws different victims each trial, never a seed, the same for the same seed", () => {
    const victims = pickVictims(names, 10, 1);
    const failed = victims.flatMap((v) => [v.stopped, v.hung]);
    expect(new Set(failed).size).toBe(20);
    for (const v of victims) expect(v.stopped).not.toBe(v.hung);
    for (const seed of names.slice(0, DEFAULT_SEED_COUNT)) expect(failed).not.toContain(seed);
    expect(pickVictims(names, 10, 1)).toEqual(victims);
    expect(pickVictims(names, 10, 2)).not.toEqual(victims);
    // More trials than nodes to fail: every node is a victim before any is one twice.
    const many = pickVictims(names.slice(0, 6), 5, 3).flatMap((v) => [v.stopped, v.hung]);
    expect(new Set(many.slice(0, 4)).size).toBe(4);
    for (const v of pickVictims(names.slice(0, 4), 6, 4)) expect(v.stopped).not.toBe(v.hung);
  });

  it("summarises each figure as {n, p50, p90, max} by nearest rank", () => {
    expect(trialStats([3000, 1000, 2000])).toEqual({ n: 3, p50: 2000, p90: 3000, max: 3000 });
    expect(meshTrials.stoppedNonAlive).toEqual({ n: 10, p50: 1800, p90: 2600, max: 2800 });
    expect(trialStats([])).toEqual({ n: 0, p50: null, p90: null, max: null });
    expect(swimTrials(swimFigures, 10)?.detectNonAlive).toEqual({ n: 10, p50: 5400, p90: 5800, max: 5900 });
  });

  it("writes the trial keys beside the single-trial ones, and they survive JSON", () => {
    const written = JSON.parse(JSON.stringify(trialResult()));
    const parsed = BenchResultSchema.parse(written);
    expect(parsed.figures.mesh?.trials?.hungDead).toEqual({ n: 10, p50: 5400, p90: 5800, max: 9000 });
    expect(parsed.figures.mesh?.stoppedNonAlive).toEqual({ ms: 6000, rounds: 6 });
    const swim = parsed.figures.swim;
    expect(swim?.status === "ok" && swim.trials?.detectFaulty.p90).toBe(6800);
    const broken = { ...written, figures: { ...written.figures, mesh: { ...written.figures.mesh } } };
    broken.figures.mesh.trials = { ...meshTrials, hungDead: { n: 1, p50: 1 } };
    expect(BenchResultSchema.safeParse(broken).success).toBe(false);
  });

  it("keeps each trial's timelines and the cold start, and refuses a timeline missing a figure", () => {
    const timeline = {
      victim: "n5",
      how: "hung" as const,
      firstSuspectMs: 1200,
      firstSuspectBy: "n7",
      medianNonAliveMs: 1300,
      lastNonAliveMs: 1500,
      firstDeadMs: 3600,
      firstDeadAt: "n7",
      lastDeadMs: 3700,
      ownSuspicions: 1,
      missing: 0,
    };
    const perTrial = [{ timelines: [timeline], aliveBefore: [{ "32": 31 }], alarmLateMeanMs: 3.5 }];
    const withCold = { ...trialMesh, coldMs: 9500, coldRounds: 9.5, trials: { ...meshTrials, perTrial } };
    const written = JSON.parse(JSON.stringify(result({ mesh: withCold })));
    const parsed = BenchResultSchema.parse(written);
    expect(parsed.figures.mesh?.trials?.perTrial?.[0]?.timelines[0]?.firstSuspectBy).toBe("n7");
    expect(parsed.figures.mesh).toMatchObject({ coldMs: 9500, coldRounds: 9.5 });
    const { firstSuspectMs: _dropped, ...short } = timeline;
    written.figures.mesh.trials.perTrial[0].timelines = [short];
    expect(BenchResultSchema.safeParse(written).success).toBe(false);
  });

  it("holds a cold start of the goal's size to its rounds, and others to none", () => {
    const at = (coldRounds: number | null) => ({
      ...trialMesh,
      coldMs: coldRounds && coldRounds * 1000,
      coldRounds,
    });
    expect(coldGoalMet(COLD_GOAL.nodes, 1000, at(COLD_GOAL.maxRounds))).toBe(true);
    expect(coldGoalMet(COLD_GOAL.nodes, 1000, at(COLD_GOAL.maxRounds + 0.1))).toBe(false);
    expect(coldGoalMet(COLD_GOAL.nodes, 1000, at(null))).toBe(false);
    expect(coldGoalMet(32, 1000, at(4))).toBeNull();
    expect(coldGoalMet(COLD_GOAL.nodes, 2000, at(4))).toBeNull();
    expect(coldCell(COLD_GOAL.nodes, 1000, at(9.5))).toBe("9.50 s = 9.5 rounds (goal ≤ 12: met)");
    expect(coldCell(32, 1000, at(4))).toBe("4.00 s = 4.0 rounds");
    expect(coldCell(32, 1000, at(null))).toBe("not timed from the logs");
  });

  it("runs every trade-off row's trials whatever --trials says, within the default deadline", () => {
    const ten = parseBenchArgs(["--tradeoff"]);
    const two = parseBenchArgs(["--tradeoff", "--trials", "2"]);
    if (ten === "help" || two === "help") throw new Error("unexpected help");
    // Only the main mesh's eight extra trials differ between the two.
    expect(ten.deadlineSeconds - two.deadlineSeconds).toBe(8 * 120);
    expect(TRADEOFF_TRIALS).toBeGreaterThanOrEqual(5);
  });

  it("holds hearsay's p90 against swim's p90 and says which goals are met", () => {
    const ratios = trialResult().figures.ratios?.p90;
    expect(ratios?.stoppedNonAlive).toBeCloseTo(2600 / 5800);
    expect(ratios?.hungNonAlive).toBeCloseTo(2800 / 5800);
    expect(ratios?.hungDead).toBeCloseTo(5800 / 6800);
    const table = trialsTable(trialResult());
    expect(table).toContain(
      "| stopped node non-alive everywhere | 1.80 / 2.60 s (10) | 5.40 / 5.80 s (10) | 0.45 met | ≤ 0.5 |",
    );
    expect(table).toContain(
      "| hung node non-alive everywhere | 2.40 / 2.80 s (10) | 5.40 / 5.80 s (10) | 0.48 met | ≤ 0.5 |",
    );
  });

  it("shows a trade-off row's p50 / p90 when it ran trials", () => {
    const row = tradeoffRow("hearsay's defaults", 1000, {}, trialMesh, null);
    expect(row.trials?.asked).toBe(10);
    const table = tradeoffTable([row]);
    expect(table).toContain("stopped node non-alive everywhere (p50 / p90, trials)");
    expect(table).toContain("| 1.80 / 2.60 s (10) |");
  });
});
