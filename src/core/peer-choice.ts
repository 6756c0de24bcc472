/**
 * Peer choice: whom a node talks to. The peers of a wake's anti-entropy exchanges (with the
 * Trickle pause, the dead-member and seed chances, and a joining node's back-off), and any k
 * peers of given kinds, weighed by region when the node has one.
 */

import { type EngineContext, ownRegion, regionOf } from "./engine-context.js";
import { ALIVE_PEER, DEAD_PEER, type PeerKind, SUSPECT_PEER } from "./peer-sets.js";
import { randomInt, sample } from "./random.js";
import { type RegionalChoice, regionalSample } from "./regions.js";
import { backedOff, chanceOver } from "./wake.js";

/** Peer kinds a message may reach: alive and suspect members (a suspect may yet refute). */
export const REACHABLE: readonly PeerKind[] = [ALIVE_PEER, SUSPECT_PEER];
export const ALIVE_ONLY: readonly PeerKind[] = [ALIVE_PEER];
export const DEAD_ONLY: readonly PeerKind[] = [DEAD_PEER];

/** A member dead here or buried after dying (a peer's grave), drawn uniformly; undefined: none. */
function deadOrBuried(ctx: EngineContext, rng: EngineContext["rng"]): string | undefined {
  const dead = ctx.peers.size(DEAD_PEER);
  let buried = 0;
  for (const grave of ctx.state.graveyard.values()) if (grave.peer) buried++;
  if (dead + buried === 0) return undefined;
  const index = randomInt(rng, dead + buried);
  if (index < dead) return ctx.state.table.name(ctx.peers.nth(DEAD_ONLY, index));
  let left = index - dead;
  for (const [name, grave] of ctx.state.graveyard) if (grave.peer && left-- === 0) return name;
  return undefined;
}

/**
 * Peers for this wake's exchanges (it covers `rounds` rounds; chances per round are taken
 * once for all of them): sometimes one believed dead or buried after dying, every wake; while
 * anti-entropy pauses (Trickle) nothing else, otherwise `fanout` live members; every seed
 * while joining, else a seed when few are known, or with a chance that shrinks as the cluster
 * grows. Under phi every round exchanges (heartbeats must flow). A joining node tries on its
 * first wake, then after pauses that double until a peer answers (joinWait).
 */
export function exchangePeers(ctx: EngineContext, rounds: number): string[] {
  const { config, rng } = ctx;
  const reachable = ctx.peers.size(ALIVE_PEER) + ctx.peers.size(SUSPECT_PEER);
  const seeds = ctx.seedList.filter((seed) => seed !== ctx.name);
  if (ctx.selfStatus === "joining") {
    if (ctx.joinWait > 0) {
      ctx.joinWait -= rounds;
      return [];
    }
    // Jittered within the upper half of the pause, so a crowd that failed together spreads out.
    ctx.joinWait = Math.ceil(ctx.joinPause * (0.5 + 0.5 * rng()));
    ctx.joinPause = Math.min(ctx.joinPause * 2, config.maxBackoffRounds);
  }
  const fewKnown = reachable < config.fanout;
  // A member believed dead is tried at its chance every round, paused or not: it is how a
  // healed partition or a recovered member is found, and a pause must not delay that. So is a
  // node that died and was forgotten here (Serf's reconnect): past a partition longer than the
  // dead grace each side has buried the other, and no one would reach across but by chance.
  const chosen: string[] = [];
  // One is drawn from the dead, then the buried, without listing them: a node on the small side
  // of a partition holds most of the mesh dead, and wakes every round while it lasts.
  const graves = ctx.state.graveyard.size;
  if (
    (ctx.peers.size(DEAD_PEER) > 0 || graves > 0) &&
    rng() < chanceOver(config.deadPeerProbability, rounds)
  ) {
    const tried = deadOrBuried(ctx, rng);
    if (tried !== undefined) chosen.push(tried);
  }
  // So is a seed (less often as the cluster grows): it merges split brains at bootstrap.
  const seedChance = chanceOver(
    config.seedProbability * Math.min(1, seeds.length / Math.max(1, reachable)),
    rounds,
  );
  const withSeed = seeds.length > 0 && (fewKnown || rng() < seedChance);
  ctx.aeWait -= rounds;
  const due = config.detector === "phi" || ctx.aeWait <= 0 || fewKnown;
  if (due) {
    ctx.aeWait = ctx.aePause;
    const picked = pickPeers(ctx, REACHABLE, config.fanout);
    // No one to exchange with is a quiet exchange too: a lone node backs off like any other.
    if (picked.length === 0) ctx.aePause = backedOff(ctx.aePause, config.maxBackoffRounds);
    chosen.push(...picked);
  }
  const candidates = seeds.filter((seed) => !chosen.includes(seed));
  // A joining node goes to every seed, as memberlist's Join does: each seed then learns of it
  // and it of each seed's view, so seeds that were started apart do not split the cluster.
  if (ctx.selfStatus === "joining") chosen.push(...candidates);
  else if (withSeed && candidates.length > 0)
    chosen.push(candidates[randomInt(rng, candidates.length)] as string);
  return chosen;
}

/**
 * Up to `k` distinct peers of the given kinds, none of them `skip`ped: from the indexes in
 * O(k), or, for a node with a region, split by region over a list of them (regionalSample).
 */
export function pickPeers(
  ctx: EngineContext,
  kinds: readonly PeerKind[],
  k: number,
  skip?: (name: string) => boolean,
  keepCross = false,
): string[] {
  const table = ctx.state.table;
  const regional = regionalChoice(ctx);
  if (regional.own === undefined) {
    const slots = ctx.peers.sample(ctx.rng, kinds, k, skip && ((slot) => skip(table.name(slot))));
    return slots.map((slot) => table.name(slot));
  }
  const names: string[] = [];
  for (const slot of ctx.peers.all(kinds)) {
    const name = table.name(slot);
    if (!skip?.(name)) names.push(name);
  }
  return regionalSample(ctx.rng, names, k, regional, keepCross);
}

/** `items` in a random order. */
export function shuffled<T>(ctx: EngineContext, items: T[]): T[] {
  return sample(ctx.rng, items, items.length);
}

/** How this node weighs regions when it picks partners. */
function regionalChoice(ctx: EngineContext): RegionalChoice {
  return {
    own: ownRegion(ctx),
    regionOf: (name) => regionOf(ctx, name),
    crossProbability: ctx.config.crossRegionProbability,
  };
}
