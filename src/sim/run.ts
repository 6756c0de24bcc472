/**
 * Runs a scenario over its trials and folds the trials into figures. The CLI prints the
 * result; tests call this directly.
 */
import type { SimOptions } from "./options.js";
import { coldTrial } from "./scenarios/cold.js";
import { aggregate, type Figures, type Trial, trialSeed } from "./scenarios/common.js";
import { DETECT_SPREAD_VALUES, detectFigures, detectTrial } from "./scenarios/detect.js";
import { joinTrial } from "./scenarios/join.js";
import { lifetimeTrial } from "./scenarios/lifetime.js";
import { ownersFigures, ownersTrial } from "./scenarios/owners.js";
import { partitionTrial } from "./scenarios/partition.js";
import { type ScalingRow, scalingFigures, scalingRows } from "./scenarios/scaling.js";
import { spreadTrial } from "./scenarios/spread.js";
import { steadyTrial } from "./scenarios/steady.js";
import { type RumorRow, rumorTable } from "./strategies/rumor-table.js";
import { classicSpreadTrial } from "./strategies/spread.js";

export interface SimResult {
  figures: Figures;
  trials: Trial[];
  /** Only for `rumor-table`. */
  table?: RumorRow[];
  /** Only for `scaling`: one row per cluster size. */
  scaling?: ScalingRow[];
}

type TrialFn = (options: SimOptions, seed: number) => Trial | Promise<Trial>;

function trialFor(options: SimOptions): TrialFn {
  switch (options.scenario) {
    case "spread":
      return options.strategy === "hearsay" ? spreadTrial : classicSpreadTrial;
    case "detect":
      return detectTrial;
    case "join":
      return joinTrial;
    case "cold":
      return coldTrial;
    case "partition":
      return partitionTrial;
    case "steady":
      return steadyTrial;
    case "owners":
      return ownersTrial;
    case "lifetime":
      return lifetimeTrial;
    default:
      throw new Error(`no trial for ${options.scenario}`);
  }
}

/** Runs trial number `index` (0-based); the result depends only on the options and the index. */
export async function runTrial(options: SimOptions, index: number): Promise<Trial> {
  return await trialFor(options)(options, trialSeed(options, index));
}

/** Runs every trial here; `progress` is told after each one (for the CLI's progress line). */
export async function runSimulation(
  options: SimOptions,
  progress?: (done: number, total: number) => void,
): Promise<SimResult> {
  if (options.scenario === "rumor-table") return { figures: {}, trials: [], table: rumorTable(options) };
  if (options.scenario === "scaling") {
    const rows = await scalingRows(options, progress);
    return { figures: scalingFigures(rows), trials: [], scaling: rows };
  }
  const trials: Trial[] = [];
  for (let i = 0; i < options.trials; i++) {
    trials.push(await runTrial(options, i));
    progress?.(i + 1, options.trials);
  }
  return finishSimulation(options, trials);
}

/** Folds finished trials, in trial order, into the run's figures. */
export function finishSimulation(options: SimOptions, trials: Trial[]): SimResult {
  const figures = aggregate(trials);
  if (options.scenario === "detect") {
    for (const name of DETECT_SPREAD_VALUES) delete figures[name];
    Object.assign(figures, detectFigures(trials));
  }
  if (options.scenario === "owners") Object.assign(figures, ownersFigures(trials));
  if (options.scenario === "steady" || options.scenario === "owners" || options.scenario === "lifetime") {
    for (const name of ["roundsMean", "roundsP50", "roundsP99", "roundsMax", "unfinishedTrials"])
      delete figures[name];
  }
  return { figures, trials };
}
