/**
 * One-way message latency models for the virtual network: fixed, uniform between bounds, or
 * lognormal with a given mean (the usual shape of real network delays: mostly short, a long
 * tail). Written as `fixed:5`, `uniform:2:8` or `lognormal:5:0.5` (mean 5 ms, sigma 0.5).
 */
import type { Rng } from "../core/index.js";

export interface Latency {
  /** Spec this model was parsed from, for reports. */
  readonly spec: string;
  /** Smallest and largest value it can return (Infinity when unbounded). */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  sample(rng: Rng): number;
}

export function fixedLatency(ms: number): Latency {
  return { spec: `fixed:${ms}`, min: ms, max: ms, mean: ms, sample: () => ms };
}

export function uniformLatency(min: number, max: number): Latency {
  return {
    spec: `uniform:${min}:${max}`,
    min,
    max,
    mean: (min + max) / 2,
    sample: (rng) => min + (max - min) * rng(),
  };
}

/** Lognormal with the given mean and shape sigma: mu = ln(mean) - sigma^2 / 2. */
export function lognormalLatency(mean: number, sigma: number): Latency {
  const mu = Math.log(mean) - (sigma * sigma) / 2;
  return {
    spec: `lognormal:${mean}:${sigma}`,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    mean,
    sample: (rng) => Math.exp(mu + sigma * standardNormal(rng)),
  };
}

/** Standard normal deviate by Box-Muller (one of the pair is discarded: simple and deterministic). */
export function standardNormal(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Parses a latency spec; throws RangeError with a readable message when it is bad. */
export function parseLatency(spec: string): Latency {
  const [kind, ...rest] = spec.split(":");
  const numbers = rest.map(Number);
  if (numbers.some((n) => !Number.isFinite(n) || n < 0)) {
    throw new RangeError(`latency "${spec}": parameters must be non-negative numbers`);
  }
  if (kind === "fixed" && numbers.length === 1) return fixedLatency(numbers[0] as number);
  if (kind === "uniform" && numbers.length === 2) {
    const [min, max] = numbers as [number, number];
    if (min > max) throw new RangeError(`latency "${spec}": min must not exceed max`);
    return uniformLatency(min, max);
  }
  if (kind === "lognormal" && (numbers.length === 1 || numbers.length === 2)) {
    const [mean, sigma = 0.5] = numbers as [number, number?];
    if (mean <= 0) throw new RangeError(`latency "${spec}": mean must be positive`);
    return lognormalLatency(mean, sigma);
  }
  throw new RangeError(`latency "${spec}": expected fixed:MS, uniform:MIN:MAX or lognormal:MEAN[:SIGMA]`);
}
