import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function sim(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/sim/cli.ts", ...args], { encoding: "utf8" });
}

describe("sim CLI", () => {
  it.each([
    [["--nodes", "abc"], /--nodes/],
    [["--loss", "1.5"], /--loss/],
    [["--scenario", "nope"], /--scenario/],
    [["--mode", "sideways"], /--mode/],
    [["--bogus"], /bogus/],
    [["--latency", "gamma:3"], /--latency/],
    [["--scenario", "detect", "--strategy", "rumor"], /--strategy/],
    [["--core", "phiTreshold=9"], /--core: unknown tunable "phiTreshold"/],
    [["--core", "phiThreshold=0"], /--core: phiThreshold/],
    [["--core", "intervalMs=500"], /--interval/],
    [["--sync"], /--sync: runs only the classic strategies/],
    [["--scenario", "detect", "--sync"], /--sync/],
    [["--scenario", "lifetime", "--days", "0"], /--days/],
  ])("rejects %j with exit 2 and a one-line error", (args, message) => {
    const result = sim(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stdout).toBe("");
  });

  it("lists every option with its default in --help", () => {
    const result = sim("--help");
    expect(result.status).toBe(0);
    for (const option of [
      "--scenario",
      "--nodes",
      "--trials",
      "--seed",
      "--loss",
      "--fanout",
      "--mode",
      "--strategy",
      "--interest",
      "--stop",
      "--k",
      "--interval",
      "--json",
      "--latency",
      "--churn",
      "--core",
      "--sync",
    ]) {
      expect(result.stdout).toContain(option);
    }
  });

  it("prints its configuration and figures and writes them as JSON", () => {
    const file = join(mkdtempSync(join(tmpdir(), "sim-")), "out.json");
    const result = sim("--nodes", "16", "--trials", "2", "--json", file);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/configuration[\s\S]*nodes\s+16/);
    expect(result.stdout).toMatch(/roundsMean/);
    const report = JSON.parse(readFileSync(file, "utf8"));
    expect(report.config).toMatchObject({ scenario: "spread", nodes: 16, trials: 2, strategy: "hearsay" });
    for (const name of [
      "roundsMean",
      "roundsP50",
      "roundsP99",
      "roundsMax",
      "residue",
      "traffic",
      "tAve",
      "tLast",
      "messagesPerNodeRound",
      "bytesPerNodeRound",
      "falseSuspicions",
      "keysLost",
    ]) {
      expect(report.figures).toHaveProperty(name);
    }
    expect(report.figures.keysLost).toBe(0);
  });

  it("passes --core tunables to every node and reports them as used", () => {
    const file = join(mkdtempSync(join(tmpdir(), "sim-")), "out.json");
    const result = sim(
      "--nodes",
      "8",
      "--trials",
      "1",
      "--core",
      "acceptablePauseMs=500,probeTimeoutMs=300,phiThreshold=10",
      "--json",
      file,
    );
    expect(result.status).toBe(0);
    // The configuration line shows the v2 tunables that matter most; the JSON has them all.
    expect(result.stdout).toMatch(/core +detector=swim .*probeTimeoutMs=300 .*phiThreshold=10/);
    const report = JSON.parse(readFileSync(file, "utf8"));
    expect(report.config.core).toEqual({ acceptablePauseMs: 500, probeTimeoutMs: 300, phiThreshold: 10 });
    expect(report.config.gossip).toMatchObject({
      acceptablePauseMs: 500,
      probeTimeoutMs: 300,
      phiThreshold: 10,
    });
  });
});

describe("sim CLI at scale", () => {
  it("refuses a hearsay cluster too large for the heap with the numbers, before running", () => {
    const result = sim("--nodes", "100000");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/GB of heap/);
  });

  it("rumor-table --sync sets the paper's figures beside the measured ones", () => {
    const file = join(mkdtempSync(join(tmpdir(), "sim-")), "table.json");
    const result = sim(
      "--scenario",
      "rumor-table",
      "--nodes",
      "1000",
      "--sync",
      "--trials",
      "10",
      "--json",
      file,
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/n=1000, synchronous cycles, 10 trials per row/);
    expect(result.stdout).toMatch(/feedback\s+counter\s+2\s+\S+\s+0\.037 (ok|MISS)/);
    expect(result.stdout).toMatch(/\d+ of 40 figures within tolerance/);
    const report = JSON.parse(readFileSync(file, "utf8"));
    expect(report.config).toMatchObject({ scenario: "rumor-table", sync: true, trials: 10 });
    const row = report.figures.table.find(
      (r: { interest: string; stop: string; k: number }) =>
        r.interest === "blind" && r.stop === "coin" && r.k === 3,
    );
    expect(row.paper).toEqual({ residue: 0.06, traffic: 2.82, tAve: 15, tLast: 32 });
    expect(Object.keys(row.within)).toEqual(["residue", "traffic", "tAve", "tLast"]);
  });

  it("gives the same figures with one worker or two", { timeout: 30_000 }, () => {
    const one = sim("--nodes", "20", "--trials", "4", "--workers", "1");
    const two = sim("--nodes", "20", "--trials", "4", "--workers", "2");
    const figures = (out: string) => out.slice(out.indexOf("figures"), out.indexOf("wall time"));
    expect(two.status).toBe(0);
    expect(figures(two.stdout)).toBe(figures(one.stdout));
  });
});
