/**
 * Detection over many trials: the victims each trial fails, the {n, p50, p90, max} figures
 * under `figures.mesh.trials` and `figures.swim.trials`, the p90 ratios the goals are held
 * to, and how the tables show them.
 */
import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "../../../bench/args.js";
import type { MeshFigures, MeshTrials } from "../../../bench/mesh/run-mesh.js";
import { type BenchResult, BenchResultSchema, computeRatios, tradeoffTable } from "../../../bench/report.js";
import { swimTrials } from "../../../bench/swim/run-swim.js";
import type { SwimFigures } from "../../../bench/swim/swim-types.js";
import { tradeoffRow } from "../../../bench/tradeoff.js";
import { DEFAULT_TRIALS, pickVictims, trialStats } from "../../../bench/trials.js";
import { trialsTable } from "../../../bench/trials-table.js";
import { DEFAULT_SEED_COUNT } from "../../../src/api/bootstrap-plan.js";

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
  timeouts: { interval: 1000, pingTimeout: 200, pingReqTimeout: 600, suspectTimeout: 500, joinTimeout: 5000 },
  fullMembershipMs: 8000,
  detectNonAliveMs: 5000,
  detectFaultyMs: 6000,
  joinSeenByAllMs: 4000,
  bytesSentPerNodePerSecond: 466,
  datagramsPerNodePerSecond: 2,
  falseSuspicions: 0,
  steadyWindowMs: 20_000,
  trials: Array.from({ length: 10 }, (_, i) => ({
    victim: `127.0.0.1:${4000 + i}`,
    detectNonAliveMs: 5000 + 100 * i,
    detectFaultyMs: 6000 + 100 * i,
  })),
  trialErrors: [],
};

function mesh(): MeshFigures {
  const one = { ms: 1000, rounds: 1 };
  return {
    bootstrapCallMs: 500,
    fullMembership: one,
    writeEverywhere: one,
    stoppedNonAlive: one,
    stoppedDead: one,
    hungNonAlive: one,
    hungDead: one,
    detector: "swim",
    measuredBy: "events",
    falseSuspicions: 0,
    falseSuspicionPairs: [],
    eventLogError: null,
    eventsRead: 10,
    steady: {
      valid: true,
      attempts: 1,
      seconds: 20,
      nodesCounted: 32,
      resetNodes: [],
      effectivePeriodMs: 1000,
      requestsPerNodePerRound: 1,
      alarmsPerNodePerRound: 0.1,
      peerCallsReceivedPerNodePerRound: 0.9,
      rowsWrittenPerNodePerRound: 0.1,
      bytesSentPerNodePerRound: 200,
      bytesSentPerNodePerSecond: 200,
      cpuSecondsPerNodePerRound: null,
      activeMsPerNodePerRound: 1,
    },
    polls: 3,
    trials: meshTrials,
  };
}

function result(): BenchResult {
  const config = parseBenchArgs([]);
  if (config === "help") throw new Error("unexpected help");
  const swim = { status: "ok" as const, figures: swimFigures, trials: swimTrials(swimFigures, 10) };
  return {
    config: { ...config, date: "2026-12-06", machine: { cpus: 2, platform: "linux-x64", node: "v22.12.0" } },
    figures: {
      mesh: mesh(),
      latency: null,
      load: null,
      swim,
      cost: null,
      ratios: computeRatios(mesh(), swim),
      failures: [],
      runSeconds: 1,
    },
  };
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
    const written = JSON.parse(JSON.stringify(result()));
    const parsed = BenchResultSchema.parse(written);
    expect(parsed.figures.mesh?.trials?.hungDead).toEqual({ n: 10, p50: 5400, p90: 5800, max: 9000 });
    expect(parsed.figures.mesh?.stoppedNonAlive).toEqual({ ms: 1000, rounds: 1 });
    const swim = parsed.figures.swim;
    expect(swim?.status === "ok" && swim.trials?.detectFaulty.p90).toBe(6800);
    const broken = { ...written, figures: { ...written.figures, mesh: { ...written.figures.mesh } } };
    broken.figures.mesh.trials = { ...meshTrials, hungDead: { n: 1, p50: 1 } };
    expect(BenchResultSchema.safeParse(broken).success).toBe(false);
  });

  it("holds hearsay's p90 against swim's p90 and says which goals are met", () => {
    const ratios = result().figures.ratios?.p90;
    expect(ratios?.stoppedNonAlive).toBeCloseTo(2600 / 5800);
    expect(ratios?.hungNonAlive).toBeCloseTo(2800 / 5800);
    expect(ratios?.hungDead).toBeCloseTo(5800 / 6800);
    const table = trialsTable(result());
    expect(table).toContain(
      "| stopped node non-alive everywhere | 1.80 / 2.60 s (10) | 5.40 / 5.80 s (10) | 0.45 met | ≤ 0.5 |",
    );
    expect(table).toContain(
      "| hung node non-alive everywhere | 2.40 / 2.80 s (10) | 5.40 / 5.80 s (10) | 0.48 met | ≤ 0.5 |",
    );
  });

  it("shows a trade-off row's p50 / p90 when it ran trials", () => {
    const row = tradeoffRow("hearsay's defaults", 1000, {}, mesh(), null);
    expect(row.trials?.asked).toBe(10);
    const table = tradeoffTable([row]);
    expect(table).toContain("stopped node non-alive everywhere (p50 / p90, trials)");
    expect(table).toContain("| 1.80 / 2.60 s (10) |");
  });
});
