/**
 * Chooses whom to gossip with in a round: `fanout` random reachable members; sometimes one
 * member believed dead (so healed partitions and recovered nodes are found again); and a seed
 * when the node knows too few members, or now and then (so split brains at bootstrap merge).
 */
import { type Rng, randomInt, sample } from "./random.js";

export interface PeerCandidates {
  self: string;
  /** Members worth talking to every round (joining, alive, suspect). */
  reachable: readonly string[];
  /** Members believed dead. */
  dead: readonly string[];
  seeds: readonly string[];
}

export interface PeerSelectionOptions {
  fanout: number;
  deadPeerProbability: number;
  seedProbability: number;
}

export function selectPeers(candidates: PeerCandidates, options: PeerSelectionOptions, rng: Rng): string[] {
  const chosen = sample(rng, candidates.reachable, options.fanout);
  if (candidates.dead.length > 0 && rng() < options.deadPeerProbability) {
    chosen.push(candidates.dead[randomInt(rng, candidates.dead.length)] as string);
  }
  const seeds = candidates.seeds.filter((seed) => seed !== candidates.self && !chosen.includes(seed));
  const fewKnown = candidates.reachable.length < options.fanout;
  if (seeds.length > 0 && (fewKnown || rng() < options.seedProbability)) {
    chosen.push(seeds[randomInt(rng, seeds.length)] as string);
  }
  return chosen;
}
