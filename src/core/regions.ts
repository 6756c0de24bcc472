/**
 * Region-aware choice of gossip partners (hierarchical gossip: members of one region talk
 * often, across regions less). A node with a region picks each partner from its own region,
 * or with probability `crossProbability` from the others (members whose region is not known
 * yet count as others). A node without a region, or with no member on one side, picks
 * uniformly, as without regions.
 */
import { type Rng, sample } from "./random.js";

export interface RegionalChoice {
  /** This node's region; undefined: uniform choice. */
  own: string | undefined;
  /** A member's region, when known. */
  regionOf: (name: string) => string | undefined;
  crossProbability: number;
}

/** Splits names into those of `own` region and the rest. */
export function splitByRegion(
  names: readonly string[],
  own: string,
  regionOf: (name: string) => string | undefined,
): { same: string[]; other: string[] } {
  const same: string[] = [];
  const other: string[] = [];
  for (const name of names) (regionOf(name) === own ? same : other).push(name);
  return { same, other };
}

/**
 * Up to `k` distinct names: each slot is cross-region with probability `crossProbability`; a
 * side that runs out is filled from the other. `keepCross`: at least one cross-region name
 * whenever there is one (news pushed at once must reach the other regions at once).
 */
export function regionalSample(
  rng: Rng,
  names: readonly string[],
  k: number,
  choice: RegionalChoice,
  keepCross = false,
): string[] {
  if (choice.own === undefined || k <= 0) return sample(rng, names, k);
  const { same, other } = splitByRegion(names, choice.own, choice.regionOf);
  if (same.length === 0 || other.length === 0) return sample(rng, names, k);
  const take = Math.min(k, names.length);
  let cross = 0;
  for (let i = 0; i < take; i++) if (rng() < choice.crossProbability) cross++;
  if (keepCross && cross === 0) cross = 1;
  cross = Math.min(cross, other.length);
  const local = Math.min(take - cross, same.length);
  cross = Math.min(other.length, take - local);
  return [...sample(rng, same, local), ...sample(rng, other, cross)];
}
