/**
 * `npm run bench -- --tradeoff`: the same mesh under other wake and probe settings, each one
 * detected and priced as run, so detection time can be set against dollars per node-month.
 * The variants are declared here once; the default configuration's row is the bench's main
 * mesh. README's trade-off table is rendered from these rows (`npm run docs:figures`).
 */
import { type GossipConfigInput, resolveConfig } from "../src/core/index.js";
import type { CostBreakdown } from "./cost-model.js";
import type { MeshFigures, MeshTrials } from "./mesh/run-mesh.js";

export interface TradeoffVariant {
  label: string;
  /** Round interval, ms (the bench's own when absent). */
  intervalMs?: number;
  core: GossipConfigInput;
}

/** Cheaper and dearer than the default, one setting apart at a time. */
export const TRADEOFF_VARIANTS: readonly TradeoffVariant[] = [
  {
    label: "every round a wake, 2 probes a round (hearsay before wakes)",
    core: { roundsPerWake: 1, probesPerRound: 2, maxBackoffRounds: 8 },
  },
  { label: "4 rounds per quiet wake", core: { roundsPerWake: 4 } },
  { label: "2 s rounds", intervalMs: 2000, core: {} },
];

export interface TradeoffRow {
  label: string;
  intervalMs: number;
  core: GossipConfigInput;
  stoppedNonAliveMs: number;
  stoppedDeadMs: number;
  hungNonAliveMs: number | null;
  hungDeadMs: number | null;
  falseSuspicions: number;
  /** Marginal $ per node-month as run (null when the steady window was not valid). */
  marginal: CostBreakdown | null;
  /** Every detection trial of the row (the times above are the first's). */
  trials?: MeshTrials;
}

/** Rounds of a variant's steady window: four quiet wakes, at least 20 rounds. */
export function steadyRoundsFor(core: GossipConfigInput): number {
  return Math.max(20, 4 * resolveConfig(core).roundsPerWake);
}

export function tradeoffRow(
  label: string,
  intervalMs: number,
  core: GossipConfigInput,
  mesh: MeshFigures,
  marginal: CostBreakdown | null,
): TradeoffRow {
  return {
    label,
    intervalMs,
    core,
    stoppedNonAliveMs: mesh.stoppedNonAlive.ms,
    stoppedDeadMs: mesh.stoppedDead.ms,
    hungNonAliveMs: mesh.hungNonAlive?.ms ?? null,
    hungDeadMs: mesh.hungDead?.ms ?? null,
    falseSuspicions: mesh.falseSuspicions,
    marginal,
    ...(mesh.trials ? { trials: mesh.trials } : {}),
  };
}
