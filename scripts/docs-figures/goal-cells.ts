/**
 * The goals beside the README's figures: the p90 ratio of a detection figure to swim's with its
 * goal (bench/trials.ts P90_GOALS), the cost as run against COST_GOAL, and the cold start of
 * the goal's mesh size (bench/cold-goal.ts) from its own result file. Each says "met" or
 * "MISSED" as the run measured it.
 */
import type { BenchResult } from "../../bench/bench-result.js";
import { COST_GOAL } from "../../bench/bench-result.js";
import { coldCell } from "../../bench/cold-goal.js";
import { P90_GOALS, type P90Ratios } from "../../bench/trials.js";

const verdict = (met: boolean) => (met ? "met" : "MISSED");

/** `; p90 0.38 x swim's (goal ≤ 0.5: met)`, or "" when the run has no such ratio. */
export function ratioNote(result: BenchResult, key: keyof P90Ratios): string {
  const ratio = result.figures.ratios?.p90?.[key];
  if (ratio === null || ratio === undefined) return "";
  const goal = P90_GOALS[key] as number;
  return `; p90 ${ratio.toFixed(2)} x swim's (goal ≤ ${goal}: ${verdict(ratio <= goal)})`;
}

/** ` (goal ≤ $1.00: met)` after the cost as run, or "" without one. */
export function costGoalNote(result: BenchResult): string {
  const asRun = result.figures.cost?.asRun;
  if (!asRun) return "";
  const max = COST_GOAL.maxDollarsPerNodeMonth;
  return ` (goal ≤ $${max.toFixed(2)}: ${verdict(asRun.marginal.total <= max)})`;
}

/** The label and cell of the cold start at the goal's size, or null without such a run. */
export function coldRow(cold: { path: string; result: BenchResult } | null | undefined, link: string) {
  const mesh = cold?.result.figures.mesh;
  // A run from before cold starts (its pages started one after another) has no such figure.
  if (!cold || !mesh || mesh.coldMs === undefined) return null;
  const { nodes, intervalMs } = cold.result.config;
  return {
    label: `full membership, ${nodes} nodes from cold at ${intervalMs / 1000} s rounds, every page started at once (${link})`,
    cell: `${coldCell(nodes, intervalMs, mesh)}, of which ${(mesh.bootstrapCallMs / 1000).toFixed(2)} s to start every node`,
  };
}
