/**
 * The rumor-mongering table of Demers et al. for n nodes: feedback/blind x counter/coin x
 * k = 1..5, push, one partner per round, each cell averaged over the trials. At the paper's
 * n = 1000 each row for which the paper has figures (Tables 1 and 2) carries them, and whether
 * each measured figure is within tolerance of the paper's.
 */
import type { SimOptions } from "../options.js";
import { aggregate, trialSeed } from "../scenarios/common.js";
import { FIGURES, type Figure, type FigureRow, paperRow, withinTolerance } from "./demers-paper.js";
import { classicSpreadTrial } from "./spread.js";

export interface RumorRow extends FigureRow {
  interest: "feedback" | "blind";
  stop: "counter" | "coin";
  k: number;
  /** The paper's figures for this row, when it has them (n = 1000 only). */
  paper?: FigureRow;
  /** Per figure: within tolerance of the paper's. */
  within?: Record<Figure, boolean>;
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
        const measured: FigureRow = {
          residue: f.residue ?? Number.NaN,
          traffic: f.traffic ?? Number.NaN,
          tAve: f.tAve ?? Number.NaN,
          tLast: f.tLast ?? Number.NaN,
        };
        rows.push({ interest, stop, k, ...measured, ...comparison(measured, paperRow(cell, cell.nodes)) });
      }
    }
  }
  return rows;
}

function comparison(measured: FigureRow, paper: FigureRow | undefined): Pick<RumorRow, "paper" | "within"> {
  if (!paper) return {};
  const within = Object.fromEntries(
    FIGURES.map((f) => [f, withinTolerance(f, measured[f], paper[f])]),
  ) as Record<Figure, boolean>;
  return { paper, within };
}
