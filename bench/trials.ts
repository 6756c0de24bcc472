/**
 * Detection measured over many trials: the victims each trial fails (a seeded choice, so a run
 * can be repeated), the {n, p50, p90, max} summary every trial figure is reported as, its JSON
 * shape, and the ratios of hearsay's p90 to swim's p90 the goals are stated in.
 */
import { z } from "zod";
import { DEFAULT_SEED_COUNT } from "../src/api/bootstrap-plan.js";
import { sample, seededRng } from "../src/core/index.js";
import { percentile } from "../src/sim/stats.js";
import type { MeshTrials } from "./mesh/mesh-types.js";

/** Trials per run when `--trials` is not given. */
export const DEFAULT_TRIALS = 10;

/**
 * Trials each trade-off row runs, whatever `--trials` says: the "at least 5", and no
 * more, so a run of the main mesh's 10 trials with the trade-off fits within half an hour.
 */
export const TRADEOFF_TRIALS = 5;

/** One figure over the trials that measured it, in ms (n = 0: none did, the rest is null). */
export interface TrialStats {
  n: number;
  p50: number | null;
  p90: number | null;
  max: number | null;
}

const ms = z.number().finite().nullable();
export const trialStatsSchema = z.object({ n: z.number().int().nonnegative(), p50: ms, p90: ms, max: ms });

/** Nearest-rank p50 and p90 and the largest of `values`. */
export function trialStats(values: readonly number[]): TrialStats {
  if (values.length === 0) return { n: 0, p50: null, p90: null, max: null };
  return {
    n: values.length,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    max: Math.max(...values),
  };
}

/** The nodes one mesh trial fails: `stopped` refuses calls, `hung` takes them and never answers. */
export interface Victims {
  stopped: string;
  hung: string;
}

/**
 * Victims for `trials` trials, drawn with `seed` from the nodes that are not the bootstrap's
 * seeds (a restarted victim rejoins through them): each node is a victim once before any is
 * one twice.
 */
export function pickVictims(names: readonly string[], trials: number, seed: number): Victims[] {
  const seeds = new Set(names.slice(0, DEFAULT_SEED_COUNT));
  const candidates = names.filter((name) => !seeds.has(name));
  if (candidates.length < 2) throw new Error(`trials need at least ${DEFAULT_SEED_COUNT + 2} nodes`);
  const rng = seededRng(seed);
  // Whole shuffles one after another, taken two at a time.
  const order: string[] = [];
  while (order.length < 2 * trials) order.push(...sample(rng, candidates, candidates.length));
  return Array.from({ length: trials }, (_, i) => {
    const stopped = order[2 * i] as string;
    const paired = order[2 * i + 1] as string;
    // Equal only across two shuffles: take the first other candidate instead.
    const hung = paired === stopped ? (candidates.find((name) => name !== stopped) as string) : paired;
    return { stopped, hung };
  });
}

/** hearsay's p90 over swim's p90 (below 1: hearsay is faster); null when either is missing. */
export function p90Ratio(mesh: TrialStats | undefined, swim: TrialStats | undefined): number | null {
  const a = mesh?.p90;
  const b = swim?.p90;
  return a === null || a === undefined || b === null || b === undefined || !(b > 0) ? null : a / b;
}

/** `1.23 / 2.34 s (10)`: p50 / p90 in seconds and the trial count, for tables. */
export function p50p90Cell(stats: TrialStats | undefined | null): string {
  if (!stats || stats.n === 0 || stats.p50 === null || stats.p90 === null) return "—";
  return `${(stats.p50 / 1000).toFixed(2)} / ${(stats.p90 / 1000).toFixed(2)} s (${stats.n})`;
}

const msOrNull = z.number().nullable();
const failureTimelineSchema = z.object({
  victim: z.string(),
  how: z.enum(["stopped", "hung"]),
  firstSuspectMs: msOrNull,
  firstSuspectBy: z.string().nullable(),
  medianNonAliveMs: msOrNull,
  lastNonAliveMs: msOrNull,
  firstDeadMs: msOrNull,
  firstDeadAt: z.string().nullable(),
  lastDeadMs: msOrNull,
  ownSuspicions: z.number().int().nonnegative(),
  missing: z.number().int().nonnegative(),
});

const victimsSchema = z.array(z.object({ stopped: z.string(), hung: z.string() }));

/** `figures.mesh.trials` (and a trade-off row's `trials`). */
export const meshTrialsSchema = z.object({
  stoppedNonAlive: trialStatsSchema,
  stoppedDead: trialStatsSchema,
  hungNonAlive: trialStatsSchema,
  hungDead: trialStatsSchema,
  asked: z.number().int().positive(),
  victims: victimsSchema,
  errors: z.array(z.string()),
  perTrial: z
    .array(
      z.object({
        timelines: z.array(failureTimelineSchema),
        aliveBefore: z.array(z.record(z.string(), z.number())),
        alarmLateMeanMs: msOrNull,
      }),
    )
    .optional(),
});

/** `figures.swim.trials`. */
export const swimTrialsSchema = z.object({
  detectNonAlive: trialStatsSchema,
  detectFaulty: trialStatsSchema,
  asked: z.number().int().positive(),
});

/** The four goals of the issue: hearsay's p90 over swim's p90, stopped and hung, non-alive and dead. */
export interface P90Ratios {
  stoppedNonAlive: number | null;
  hungNonAlive: number | null;
  stoppedDead: number | null;
  hungDead: number | null;
}

export const p90RatiosSchema = z.object({
  stoppedNonAlive: z.number().finite().nullable(),
  hungNonAlive: z.number().finite().nullable(),
  stoppedDead: z.number().finite().nullable(),
  hungDead: z.number().finite().nullable(),
});

/** Highest p90 ratio each figure may have to meet its goal. */
export const P90_GOALS: P90Ratios = { stoppedNonAlive: 0.5, hungNonAlive: 0.5, stoppedDead: 1, hungDead: 1 };

/** The four detection figures a mesh's trials report. */
export type TrialFigures = Pick<MeshTrials, "stoppedNonAlive" | "stoppedDead" | "hungNonAlive" | "hungDead">;
/** The two detection figures swim's trials report. */
export type SwimStats = { detectNonAlive: TrialStats; detectFaulty: TrialStats };

export function p90Ratios(
  mesh: TrialFigures | undefined,
  swim: SwimStats | undefined,
): P90Ratios | undefined {
  if (!mesh || !swim) return undefined;
  return {
    stoppedNonAlive: p90Ratio(mesh.stoppedNonAlive, swim.detectNonAlive),
    hungNonAlive: p90Ratio(mesh.hungNonAlive, swim.detectNonAlive),
    stoppedDead: p90Ratio(mesh.stoppedDead, swim.detectFaulty),
    hungDead: p90Ratio(mesh.hungDead, swim.detectFaulty),
  };
}
