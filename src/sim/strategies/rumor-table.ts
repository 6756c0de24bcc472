/**
 * The rumor-mongering table of Demers et al. for n nodes: feedback/blind x counter/coin x
 * k = 1..5, push, one partner per round, each cell averaged over the trials.
 */
import type { SimOptions } from "../options.js";
import { aggregate, trialSeed } from "../scenarios/common.js";
import { classicSpreadTrial } from "./spread.js";

export interface RumorRow {
  interest: "feedback" | "blind";
  stop: "counter" | "coin";
  k: number;
  residue: number;
  traffic: number;
  tAve: number;
  tLast: number;
}

export function rumorTable(options: SimOptions, ks = [1, 2, 3, 4, 5]): RumorRow[] {
  const rows: RumorRow[] = [];
  for (const interest of ["feedback", "blind"] as const) {
    for (const stop of ["counter", "coin"] as const) {
      for (const k of ks) {
        const cell: SimOptions = { ...options, strategy: "rumor", interest, stop, k };
        const trials = Array.from({ length: options.trials }, (_, i) =>
          classicSpreadTrial(cell, trialSeed(cell, i)),
        );
        const f = aggregate(trials);
        rows.push({
          interest,
          stop,
          k,
          residue: f.residue ?? Number.NaN,
          traffic: f.traffic ?? Number.NaN,
          tAve: f.tAve ?? Number.NaN,
          tLast: f.tLast ?? Number.NaN,
        });
      }
    }
  }
  return rows;
}
