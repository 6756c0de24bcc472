/**
 * A node's round: when it wakes (every interval while busy, up to `roundsPerWake` intervals
 * when quiet, see wake.ts), the judgements it makes on waking (suspicions run out, phi, homes
 * of agents gone, grace ended, tombstones collected), and the plan of probes (paid ahead to the
 * predicted next wake) and exchanges it hands the driver.
 */
import { judgeHosted } from "./agent-hosting.js";
import { makeSyn } from "./anti-entropy.js";
import { declare, forget } from "./claims.js";
import type { EngineContext } from "./engine-context.js";
import type { RoundPlan } from "./engine-types.js";
import { homeOf, isAgentState } from "./hosted.js";
import { exchangePeers } from "./peer-choice.js";
import { treeRound } from "./plumtree.js";
import { ALIVE, DEAD, LEFT, SUSPECT } from "./precedence.js";
import { planProbes } from "./probing.js";
import { Suspicion, suspicionBounds } from "./suspicion.js";
import { backedOff, maxWakeDelay, roundsCovered, wakeDelay, wakeRounds } from "./wake.js";

/**
 * Starts a round: bumps the heartbeat (to at least `heartbeatFloor`), judges suspicions and
 * detectors, forgets long-gone members, and plans this round's probes and exchanges.
 */
export function beginRound(ctx: EngineContext, heartbeatFloor: number): RoundPlan {
  const now = ctx.clock();
  const rounds = roundsCovered(
    ctx.lastWakeAt === null ? null : now - ctx.lastWakeAt,
    ctx.config.intervalMs,
    ctx.config.roundsPerWake,
  );
  ctx.lastWakeAt = now;
  ctx.counters.rounds += rounds;
  ctx.counters.wakes++;
  ctx.state.self.beat(heartbeatFloor);
  tick(ctx);
  treeRound(ctx);
  const plan: RoundPlan = { probes: [], exchanges: [] };
  if (ctx.selfStatus === "left") return plan;
  const ahead = predictedWakeRounds(ctx);
  // The period number every node at this pace agrees on: it walks the probe ring (probe-ring.ts).
  planProbes(ctx, probeRoundsDue(ctx, now, ahead), plan, Math.floor(now / (ahead * ctx.config.intervalMs)));
  for (const peer of exchangePeers(ctx, rounds)) plan.exchanges.push({ peer, syn: makeSyn(ctx, peer) });
  return plan;
}

/**
 * Rounds until the wake after this one, predicted before this wake's exchange: a quiet
 * exchange doubles the anti-entropy pause, so the longest the next wake may wait is assumed.
 */
function predictedWakeRounds(ctx: EngineContext): number {
  return wakeRounds(ctx.config.roundsPerWake, busy(ctx), backedOff(ctx.aePause, ctx.config.maxBackoffRounds));
}

/**
 * The rounds whose probes this wake sends: from where the probes paid so far end, to the
 * predicted next wake (on this node's grid, see wake.ts), and at most `roundsPerWake` behind
 * now (a late alarm does not flood peers). Probing ahead keeps the mesh at its full probe
 * rate while wakes lengthen after a change (pauses 1, 2, 4 ... 16): a wake paying only the
 * rounds since the last one probed at half the rate through that ramp. A wake sooner than
 * predicted (news made the node busy) pays only what is not paid yet, often nothing.
 */
function probeRoundsDue(ctx: EngineContext, now: number, ahead: number): number {
  const { intervalMs, roundsPerWake } = ctx.config;
  const until = now + wakeDelay(now, intervalMs, ahead, ctx.wakePhase, 0);
  const from = Math.max(ctx.probesPaidUntil ?? now, now - roundsPerWake * intervalMs);
  const rounds = Math.max(0, Math.round((until - from) / intervalMs));
  ctx.probesPaidUntil = from + rounds * intervalMs;
  return rounds;
}

/**
 * Judges suspicions (and phi), forgets dead and left members past their grace, collects
 * tombstones. Only the members concerned are visited (suspects, agents known here, members
 * whose grace ends, members with tombstones), so a quiet round costs O(1) whatever N is;
 * under phi every live member is judged each round, as its heartbeats are relayed each round.
 */
export function tick(ctx: EngineContext): void {
  const { config, state, records } = ctx;
  const now = ctx.clock();
  const n = state.size;
  const { minMs, maxMs } = suspicionBounds(
    config.intervalMs,
    n,
    config.suspicionMult,
    config.suspicionMaxMult,
  );
  for (const name of [...ctx.suspects]) {
    // A read that ends at once (no row object per suspect and round: a partition's small side
    // suspects most of the mesh).
    const node = state.peek(name);
    if (!node || node.status !== SUSPECT || state.writes(name)) {
      ctx.suspects.delete(name);
      continue;
    }
    let suspicion = records.suspicion(name);
    if (!suspicion) {
      // Read back from storage: who reported it is not kept, so it counts as no one.
      suspicion = new Suspicion(records.since(name, now), undefined);
      records.setSuspicion(name, suspicion);
    }
    if (suspicion.expired(now, config.suspicionConfirmations, minMs, maxMs)) declare(ctx, name, DEAD);
  }
  for (const name of ctx.homesChanged ? [...ctx.agents.keys()] : []) {
    const node = state.get(name);
    if (!node || node.status !== ALIVE || ctx.hosted.has(name)) {
      ctx.agents.delete(name);
      continue;
    }
    // Only the home judges an agent. When its home is gone, or it is this node but no longer
    // hosts it (a restart is a new generation hosting nothing), nobody will: suspect it.
    const homeName = homeOf(node);
    const home = homeName === undefined ? undefined : state.get(homeName);
    if (homeName === ctx.name || (home && (home.status === DEAD || home.status === LEFT)))
      declare(ctx, name, SUSPECT);
  }
  ctx.homesChanged = false;
  if (config.detector === "phi") {
    const alive: string[] = [];
    for (const node of state.members()) {
      if (node !== state.self && node.status === ALIVE && !ctx.hosted.has(node.name) && !isAgentState(node))
        alive.push(node.name);
    }
    for (const name of alive) {
      if (records.phi(name, now) >= config.phiThreshold) declare(ctx, name, SUSPECT);
    }
  }
  for (const name of ctx.forgetQueue.due(now)) {
    const node = state.peek(name);
    if (!node || state.writes(name) || (node.status !== DEAD && node.status !== LEFT)) continue;
    const grace = node.status === DEAD ? config.deadGraceMs : config.leftGraceMs;
    const since = records.since(name, now);
    if (now - since >= grace) forget(ctx, name, now);
    else ctx.forgetQueue.push(name, since + grace);
  }
  judgeHosted(ctx, now, n);
  for (const name of [...state.tombstoned]) {
    const node = state.get(name);
    if (!node) {
      state.tombstoned.delete(name);
      continue;
    }
    const before = node.gcVersion;
    node.collectTombstones(now, config.tombstoneGraceMs);
    if (node.gcVersion !== before) state.refresh(node);
    if (!node.hasTombstones()) state.tombstoned.delete(name);
  }
  state.expireGraves(now, Math.max(config.deadGraceMs, config.leftGraceMs));
}

/**
 * The next wake's delay: `nextWakeRounds()` intervals (on this node's phase, see wake.ts) plus
 * jitter. Poor local health slows probing (see planProbes), not wakes: news and anti-entropy
 * keep their pace.
 */
export function nextRoundDelay(ctx: EngineContext): number {
  const { intervalMs, jitter } = ctx.config;
  return wakeDelay(
    ctx.clock(),
    intervalMs,
    nextWakeRounds(ctx),
    ctx.wakePhase,
    intervalMs * jitter * ctx.rng(),
  );
}

/** Rounds the next wake may wait (see wake.ts): 1 while busy, up to `roundsPerWake` when quiet. */
export function nextWakeRounds(ctx: EngineContext): number {
  return wakeRounds(ctx.config.roundsPerWake, busy(ctx), ctx.aePause);
}

/**
 * The latest time, seen from `now`, the next wake may come without missing work. A shell
 * whose alarm is later (something happened between wakes: a suspicion, a change) wakes sooner.
 */
export function latestWake(ctx: EngineContext, now: number): number {
  const { intervalMs, jitter } = ctx.config;
  return now + maxWakeDelay(intervalMs, nextWakeRounds(ctx), intervalMs * jitter);
}

/**
 * Work that cannot wait for a quiet wake: suspicions, agents whose liveness this node judges
 * now (alive or suspect: a dead or left one only waits to be forgotten), joining, phi
 * heartbeats, writes heard of but not held (grafted at the next wake, see plumtree.ts).
 */
function busy(ctx: EngineContext): boolean {
  return (
    ctx.suspects.size > 0 ||
    ctx.tree.missing.size > 0 ||
    judgesHosted(ctx) ||
    ctx.selfStatus === "joining" ||
    ctx.config.detector === "phi"
  );
}

/** Whether an agent homed here is alive or suspect, so its heartbeats are judged every round. */
function judgesHosted(ctx: EngineContext): boolean {
  for (const agent of ctx.hosted.values()) {
    const status = agent.state.status;
    if (status === ALIVE || status === SUSPECT) return true;
  }
  return false;
}
