/**
 * `npm run docs:figures` renders tables from result files into marked blocks. These check the
 * rendering on small fixtures: old and new bench shapes, sim reports with and without
 * `--detector both`, no results at all, the block rewriting itself and the inline facts.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BenchResult } from "../../bench/bench-result.js";
import { bootstrapPagesBlock, rewriteFacts } from "../../scripts/docs-figures/page-facts.js";
import {
  benchBlock,
  benchCommand,
  configBlock,
  newestBenchFile,
  parseBenchResult,
  parseSimReport,
  rewriteBlocks,
  type SimSource,
  simBlock,
  simCommand,
  summaryBlock,
  tradeoffBlock,
} from "../../scripts/docs-figures/render.js";
import { BOOTSTRAP_PAGE } from "../../src/api/bootstrap-plan.js";

const README = { root: "" };
const DOCS = { root: "../" };

const steady = {
  valid: true,
  effectivePeriodMs: 1010,
  requestsPerNodePerRound: 3,
  alarmsPerNodePerRound: 1,
  peerCallsReceivedPerNodePerRound: 2,
  rowsWrittenPerNodePerRound: 1.02,
  bytesSentPerNodePerSecond: 1500.4,
  activeMsPerNodePerRound: 3,
  cpuSecondsPerNodePerRound: 0.004,
};

function mesh(detector: "swim" | "phi" | undefined, deadMs: number) {
  return {
    bootstrapCallMs: 200,
    fullMembership: { ms: 4000, rounds: 4 },
    writeEverywhere: { ms: 1000, rounds: 1 },
    stoppedNonAlive: { ms: 2000, rounds: 2 },
    stoppedDead: { ms: deadMs, rounds: 5 },
    ...(detector
      ? { detector, hungNonAlive: { ms: 2500, rounds: 2 }, hungDead: { ms: deadMs + 500, rounds: 6 } }
      : {}),
    falseSuspicions: 0,
    polls: 10,
    eventsRead: 100,
    steady,
  };
}

/** A result as `npm run bench` writes it; `v1` leaves out the keys protocol v2 added. */
function benchResult(v1: boolean): BenchResult {
  return parseBenchResult("fixture.json", {
    config: {
      date: "2026-11-30",
      nodes: 8,
      intervalMs: 250,
      steadyRounds: 10,
      loadSeconds: 3,
      connections: 10,
      costMeshNodes: 100,
      rpcWaitMs: 5,
      skipMesh: false,
      skipLoad: false,
      skipSwim: true,
      ...(v1 ? {} : { skipPhi: false }),
      quick: true,
      deadlineSeconds: 600,
      outDir: "bench/results",
      machine: { cpus: 2, platform: "linux-x64", node: "v22.23.3" },
    },
    figures: {
      mesh: mesh(v1 ? undefined : "swim", 5000),
      ...(v1 ? {} : { meshPhi: mesh("phi", 9000) }),
      latency: null,
      load: null,
      swim: { status: "unavailable", reason: "not installed" },
      cost: null,
      ratios: null,
      failures: [],
      runSeconds: 30,
    },
  });
}

const detectBoth: SimSource = {
  path: "bench/results/sim/detect.json",
  report: parseSimReport("detect.json", {
    config: {
      scenario: "detect",
      strategy: "hearsay",
      nodes: 100,
      trials: 4,
      seed: 1,
      loss: 0.05,
      detector: "both",
      core: {},
      churn: { crash: 0, restart: 0, join: 0, leave: 0 },
    },
    figures: {
      roundsMean: 1.5,
      byDetector: {
        swim: { roundsMean: 1.5, deadRoundsMean: 4, falseSuspicions: 0 },
        phi: { roundsMean: 4.6, deadRoundsMean: 13.75, falseSuspicions: null },
      },
    },
  }),
};

const spreadOne: SimSource = {
  path: "bench/results/sim/spread.json",
  report: parseSimReport("spread.json", {
    config: {
      scenario: "spread",
      strategy: "hearsay",
      nodes: 1000,
      trials: 20,
      seed: 1,
      loss: 0,
      detector: "swim",
      core: { probeTimeoutMs: 100 },
    },
    figures: { roundsMean: 3.94, residue: 0 },
  }),
};

describe("docs figures", () => {
  it("picks the newest dated bench file and ignores others", () => {
    expect(newestBenchFile(["2026-11-22.json", "2026-12-01.json", "notes.json", "sim"])).toBe(
      "2026-12-01.json",
    );
    expect(newestBenchFile(["sim"])).toBeNull();
  });

  it("refuses files that are not results", () => {
    expect(() => parseBenchResult("x.json", { config: {} })).toThrow(/x.json: not a bench result/);
    expect(() => parseSimReport("y.json", { figures: {} })).toThrow(/y.json: not a simulator report/);
  });

  it("names the source file and the command that produced a bench result", () => {
    const block = benchBlock(
      { bench: { path: "bench/results/2026-11-30.json", result: benchResult(false) }, sims: [] },
      DOCS,
    );
    expect(block).toContain("[`bench/results/2026-11-30.json`](../bench/results/2026-11-30.json)");
    expect(block).toContain("`npm run bench -- --quick --skip-swim`");
    expect(block).toContain('detector "phi"');
    expect(block).toContain("swim peer unavailable: not installed");
    expect(
      benchCommand({ ...benchResult(false).config, quick: false, nodes: 64 } as BenchResult["config"]),
    ).toBe("npm run bench -- --nodes 64 --interval 250 --steady-rounds 10 --duration 3 --skip-swim");
  });

  it("summarizes a v2 result with both detectors, and a v1 result without them", () => {
    const v2 = summaryBlock(
      { bench: { path: "bench/results/a.json", result: benchResult(false) }, sims: [] },
      README,
    );
    expect(v2).toContain('| figure | hearsay, detector "swim" | hearsay, detector "phi" | swim (npm) |');
    expect(v2).toContain("| a stopped node dead everywhere (swim: faulty) | 5.00 s | 9.00 s | — |");
    expect(v2).toContain("| a hung node dead everywhere (swim: faulty) | 5.50 s | 9.50 s | — |");
    const v1 = summaryBlock(
      { bench: { path: "bench/results/b.json", result: benchResult(true) }, sims: [] },
      README,
    );
    expect(v1).toContain("| figure | hearsay | swim (npm) |");
    expect(v1).not.toContain("hung");
    expect(v1).toContain("predates protocol v2");
    const swimOnly = benchResult(true);
    swimOnly.figures.mesh = null;
    swimOnly.figures.swim = {
      status: "ok",
      figures: {
        fullMembershipMs: 12000,
        detectNonAliveMs: 3000,
        detectFaultyMs: 5000,
        joinSeenByAllMs: 3000,
        bytesSentPerNodePerSecond: 1000,
        falseSuspicions: 0,
      },
    } as unknown as BenchResult["figures"]["swim"];
    const noMesh = summaryBlock(
      { bench: { path: "bench/results/c.json", result: swimOnly }, sims: [] },
      README,
    );
    expect(noMesh).toContain("| figure | swim (npm) |");
    expect(noMesh).toContain("| full membership, 8 nodes from cold | 12.00 s |");
  });

  it("puts each p90 ratio and the cost beside their goals, and the cold start of the goal's size", () => {
    const result = benchResult(false);
    const stats = (p50: number, p90: number) => ({ n: 10, p50, p90, max: p90 });
    const mesh = result.figures.mesh as NonNullable<BenchResult["figures"]["mesh"]>;
    mesh.trials = {
      stoppedNonAlive: stats(900, 1800),
      stoppedDead: stats(3000, 4000),
      hungNonAlive: stats(2000, 3000),
      hungDead: stats(4500, 5500),
      asked: 10,
      victims: [],
      errors: [],
    };
    result.figures.ratios = {
      fullMembership: null,
      detectNonAlive: null,
      detectDead: null,
      bytesPerNodePerSecond: null,
      p90: { stoppedNonAlive: 0.36, hungNonAlive: 0.6, stoppedDead: 0.66, hungDead: 0.91 },
    };
    const cold = benchResult(false);
    cold.config.nodes = 128;
    cold.config.intervalMs = 1000;
    (cold.figures.mesh as NonNullable<BenchResult["figures"]["mesh"]>).coldMs = 11_400;
    (cold.figures.mesh as NonNullable<BenchResult["figures"]["mesh"]>).coldRounds = 11.4;
    const block = summaryBlock(
      {
        bench: { path: "bench/results/a.json", result },
        cold: { path: "bench/results/nodes-128/a.json", result: cold },
        sims: [],
      },
      README,
    );
    expect(block).toContain(
      "| a stopped node non-alive everywhere | 0.90 / 1.80 s (10); p90 0.36 x swim's (goal ≤ 0.5: met) |",
    );
    expect(block).toContain(
      "| a hung node non-alive everywhere | 2.00 / 3.00 s (10); p90 0.60 x swim's (goal ≤ 0.5: MISSED) |",
    );
    expect(block).toContain(
      "| full membership, 128 nodes from cold at 1 s rounds, every page started at once ([`bench/results/nodes-128/a.json`](bench/results/nodes-128/a.json)) | 11.40 s = 11.4 rounds (goal ≤ 12: met), of which 0.20 s to start every node |",
    );
  });

  it("takes the trade-off from its own run before the newest bench run", () => {
    const own = benchResult(false);
    own.figures.tradeoff = [
      {
        label: "4 rounds per quiet wake",
        intervalMs: 250,
        core: { roundsPerWake: 4 },
        stoppedNonAliveMs: 900,
        stoppedDeadMs: 3000,
        hungNonAliveMs: 1900,
        hungDeadMs: 4000,
        falseSuspicions: 0,
        marginal: null,
      },
    ];
    const main = { path: "bench/results/b.json", result: benchResult(false) };
    const block = tradeoffBlock(
      { bench: main, tradeoff: { path: "bench/results/tradeoff/a.json", result: own }, sims: [] },
      README,
    );
    expect(block).toContain("bench/results/tradeoff/a.json");
    expect(block).toContain("| 4 rounds per quiet wake (0.25 s rounds) | 0.90 s |");
    expect(tradeoffBlock({ bench: main, sims: [] }, README)).toMatch(/^No trade-off run yet/);
  });

  it("says so when there are no results", () => {
    const none = { bench: null, sims: [] };
    expect(summaryBlock(none, README)).toMatch(/No bench result yet[\s\S]*No simulator results yet/);
    expect(benchBlock(none, DOCS)).toMatch(/^No bench result yet/);
    expect(simBlock(none, DOCS)).toMatch(/^No simulator results yet/);
  });

  it("renders sim reports by detector, with the command that wrote them", () => {
    const block = simBlock({ bench: null, sims: [detectBoth, spreadOne] }, DOCS);
    expect(block).toContain(
      "`npm run sim -- --scenario detect --nodes 100 --trials 4 --detector both --loss 0.05 --json bench/results/sim/detect.json`",
    );
    expect(block).toContain('| figure | detector "swim" | detector "phi" |');
    expect(block).toContain("| deadRoundsMean | 4 | 13.75 |");
    expect(block).toContain("| falseSuspicions | 0 | n/a |");
    expect(block).toContain("--core probeTimeoutMs=100");
    expect(block).toContain("| roundsMean | 3.940 |");
    expect(simCommand(spreadOne.report, "x.json")).not.toContain("--detector");
    const summary = summaryBlock({ bench: null, sims: [detectBoth] }, README);
    expect(summary).toContain("| swim / phi | 1.500 / 4.600 | 4 / 13.75 | 0 / n/a |");
  });

  it("renders every tunable with its range and whether it follows the interval", () => {
    const block = configBlock();
    expect(block).toContain("| `fanout` | 2 | integer 1 .. 16 |");
    expect(block).toMatch(/\| `probeTimeoutMs` \| 200 \(follows `intervalMs`\) \|/);
    expect(block).toContain("| `detector` | `swim` | `swim`, `phi` |");
  });

  it("rewrites only the marked blocks, and refuses unknown or unclosed ones", () => {
    const doc = "# t\n\n<!-- figures:sim -->\nold\n<!-- /figures:sim -->\n\nkept\n";
    const { text, blocks } = rewriteBlocks(doc, () => "new", "t.md");
    expect(text).toBe("# t\n\n<!-- figures:sim -->\nnew\n<!-- /figures:sim -->\n\nkept\n");
    expect(blocks).toEqual(["sim"]);
    expect(rewriteBlocks(doc, () => "new", "t.md").changed).toEqual(["sim"]);
    expect(rewriteBlocks(text, () => "new", "t.md")).toMatchObject({ text, changed: [] });
    expect(() => rewriteBlocks("<!-- figures:nope -->\n<!-- /figures:nope -->", () => "", "t.md")).toThrow(
      /unknown block figures:nope/,
    );
    expect(() => rewriteBlocks("<!-- figures:sim -->\nno end", () => "", "t.md")).toThrow(/no closing/);
  });

  it("writes the page size into the docs from the code, and refuses unknown or unclosed facts", () => {
    const stale = "at most <!-- fact:bootstrap-page -->39<!-- /fact --> nodes a call";
    const { text, changed } = rewriteFacts(stale, "t.md");
    expect(text).toBe(`at most <!-- fact:bootstrap-page -->${BOOTSTRAP_PAGE}<!-- /fact --> nodes a call`);
    expect(changed).toEqual(["fact:bootstrap-page"]);
    expect(rewriteFacts(text, "t.md").changed).toEqual([]);
    expect(() => rewriteFacts("<!-- fact:nope -->1<!-- /fact -->", "t.md")).toThrow(/unknown fact:nope/);
    expect(() => rewriteFacts("<!-- fact:bootstrap-page -->40 and no end", "t.md")).toThrow(
      /no <!-- \/fact -->/,
    );
    expect(bootstrapPagesBlock()).toContain(`"from": ${BOOTSTRAP_PAGE}}`);
  });

  it("reads what the simulator really writes with --detector both, and names the command to repeat it", () => {
    const file = join(mkdtempSync(join(tmpdir(), "docs-figures-")), "detect.json");
    const args = [
      "--scenario",
      "detect",
      "--nodes",
      "12",
      "--trials",
      "1",
      "--detector",
      "both",
      "--workers",
      "1",
    ];
    const run = spawnSync(process.execPath, ["--import", "tsx", "src/sim/cli.ts", ...args, "--json", file], {
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    const sim = {
      path: "bench/results/sim/detect.json",
      report: parseSimReport(file, JSON.parse(readFileSync(file, "utf8"))),
    };
    const block = simBlock({ bench: null, sims: [sim] }, DOCS);
    expect(block).toContain('| figure | detector "swim" | detector "phi" |');
    expect(block).toMatch(/\| deadRoundsMean \| [0-9.]+ \| [0-9.]+ \|/);
    expect(block).toContain(
      "`npm run sim -- --scenario detect --nodes 12 --trials 1 --detector both --json bench/results/sim/detect.json`",
    );
  });
});
