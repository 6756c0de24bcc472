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
} from "../../../bench/bench-result.js";
import { costTable } from "../../../bench/cost-model.js";
import type { MeshFigures } from "../../../bench/mesh/run-mesh.js";
import type { SwimOutcome } from "../../../bench/swim/run-swim.js";

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
