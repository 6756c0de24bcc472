import { describe, expect, it } from "vitest";
import { resolveSimOptions, type SimOptions } from "../../src/sim/options.js";
import { aggregate, trialSeed } from "../../src/sim/scenarios/common.js";
import { FIGURES, type Figure, paperRow, withinTolerance } from "../../src/sim/strategies/demers-paper.js";
import { rumorTable } from "../../src/sim/strategies/rumor-table.js";
import { classicSpreadTrial } from "../../src/sim/strategies/spread.js";

/** The figures the synchronous model reproduces in every row of both tables. */
const REPRODUCED = ["residue", "traffic", "tLast"] as const;

/** One row of `rumor-table --sync` at n=1000 over `trials` seeded trials. */
function syncRow(rule: Pick<SimOptions, "interest" | "stop" | "k">, trials: number): Record<Figure, number> {
  const options = resolveSimOptions({
    scenario: "rumor-table",
    strategy: "rumor",
    nodes: 1000,
    trials,
    sync: true,
    ...rule,
  });
  const f = aggregate(
    Array.from({ length: trials }, (_, i) => classicSpreadTrial(options, trialSeed(options, i))),
  );
  return {
    residue: f.residue ?? Number.NaN,
    traffic: f.traffic ?? Number.NaN,
    tAve: f.tAve ?? Number.NaN,
    tLast: f.tLast ?? Number.NaN,
  };
}

describe("Demers et al., Tables 1 and 2 at n=1000, k=1 and 2 (short run)", () => {
  const options = resolveSimOptions({ scenario: "rumor-table", nodes: 1000, trials: 40, sync: true });
  const rows = rumorTable(options, [1, 2]);
  const row = (name: string, k: number) => rows.find((r) => `${r.interest}/${r.stop}` === name && r.k === k);

  it("compares the rows the paper has", () => {
    expect(rows.filter((r) => r.paper).map((r) => `${r.interest}/${r.stop} ${r.k}`)).toEqual([
      "feedback/counter 1",
      "feedback/counter 2",
      "blind/coin 1",
      "blind/coin 2",
    ]);
  });

  it("simultaneous pushes and a counter reset by a necessary contact give the paper's residue", () => {
    // Judging each push against pushes earlier in the same cycle gives about 0.203 at k=1;
    // a counter that never resets gives about 0.048 at k=2.
    expect(row("feedback/counter", 1)?.residue).toBeGreaterThan(0.165);
    expect(row("feedback/counter", 1)?.residue).toBeLessThan(0.187);
    expect(row("feedback/counter", 2)?.residue).toBeGreaterThan(0.031);
    expect(row("feedback/counter", 2)?.residue).toBeLessThan(0.043);
  });

  it.each([
    ["feedback/counter", 1],
    ["feedback/counter", 2],
    ["blind/coin", 2],
  ] as const)("%s k=%i: residue, traffic and t_last are the paper's within its tolerance", (name, k) => {
    const r = row(name, k);
    if (!r?.paper) throw new Error(`no row for ${name} k=${k}`);
    for (const figure of REPRODUCED) {
      expect(withinTolerance(figure, r[figure], r.paper[figure]), `${figure} ${r[figure]}`).toBe(true);
      expect(r.within?.[figure]).toBe(true);
    }
  });

  it("blind/coin k=1, a chain of about 40 sites, over 2000 trials: every figure is the paper's", () => {
    // The chain's length varies a lot from trial to trial: 2000 trials (about 20 ms) put the
    // means within 2% of their expectations, where 40 can miss the 10% traffic tolerance.
    const measured = syncRow({ interest: "blind", stop: "coin", k: 1 }, 2000);
    const paper = paperRow({ interest: "blind", stop: "coin", k: 1 }, 1000);
    if (!paper) throw new Error("no paper row");
    for (const figure of FIGURES) {
      expect(withinTolerance(figure, measured[figure], paper[figure]), `${figure} ${measured[figure]}`).toBe(
        true,
      );
    }
  });

  it("blind/coin k=2 over 200 trials: t_ave is the paper's within its tolerance too", () => {
    const measured = syncRow({ interest: "blind", stop: "coin", k: 2 }, 200);
    const paper = paperRow({ interest: "blind", stop: "coin", k: 2 }, 1000);
    if (!paper) throw new Error("no paper row");
    expect(withinTolerance("tAve", measured.tAve, paper.tAve), `t_ave ${measured.tAve}`).toBe(true);
  });

  it("feedback/counter: t_ave is a synchronous push's (about log2 n), below the paper's 12.1", () => {
    const r = row("feedback/counter", 2);
    expect(r?.tAve).toBeGreaterThan(9.5);
    expect(r?.tAve).toBeLessThan(10.5);
    expect(r?.within?.tAve).toBe(false);
  });

  it("feedback/counter: the last arrival trails the mean by about ln n cycles, the paper's by under 5", () => {
    // Past the half-way point a push epidemic leaves each site uninformed with probability at
    // least 1/e per cycle, so the last sites come some ln(n/2) cycles after the mean. The
    // paper's t_ave and t_last are 4.8 apart at k=2 (12.1 and 16.9): no push schedule with its
    // t_last has its t_ave. See docs/simulator-demers.md.
    const r = row("feedback/counter", 2);
    if (!r?.paper) throw new Error("no row");
    expect(r.tLast - r.tAve).toBeGreaterThan(6.2);
    expect(r.paper.tLast - r.paper.tAve).toBeLessThan(5);
  });

  it("the asynchronous mode misses the paper's t_last by far more than the tolerance", () => {
    const async = resolveSimOptions({ scenario: "spread", strategy: "rumor", nodes: 1000, k: 2 });
    const trials = Array.from({ length: 8 }, (_, i) => classicSpreadTrial(async, 100 + i));
    const tLast = trials.reduce((sum, t) => sum + (t.values.tLast as number), 0) / trials.length;
    const paper = paperRow(async, 1000);
    if (!paper) throw new Error("no paper row");
    expect(withinTolerance("tLast", tLast, paper.tLast)).toBe(false);
    expect(tLast).toBeLessThan(paper.tLast * 0.85);
  });
});
