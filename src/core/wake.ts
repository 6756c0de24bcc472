/**
 * Wake-ups. A node wakes (one Durable Object alarm: a request and a row written) and runs the
 * rounds that passed since its last wake: their probes and exchanges go out at once, so every
 * member is still probed at the protocol period while alarms are paid once per wake. A quiet
 * node wakes every `roundsPerWake` rounds; a busy one (suspicions to judge, agents to watch,
 * joining, phi heartbeats to send) every round; in between, the wake follows the anti-entropy
 * pause (Trickle), so news right after a change is gossiped at the round's pace.
 *
 * Quiet wakes keep each node's own phase within the wake period (drawn once), so the mesh's
 * probes stay spread evenly over time: nodes started together would otherwise wake together,
 * and a failure just after their wake would wait a whole period for its first probe.
 */

/** Rounds the next wake may wait. */
export function wakeRounds(roundsPerWake: number, busy: boolean, aePause: number): number {
  if (busy) return 1;
  return Math.max(1, Math.min(roundsPerWake, Math.floor(aePause)));
}

/** The anti-entropy pause after an exchange that found nothing (or failed, or had no one): doubled. */
export function backedOff(pause: number, maxBackoffRounds: number): number {
  return Math.min(pause * 2, maxBackoffRounds);
}

/**
 * Delay from `now` to the next wake `rounds` rounds apart: one interval when it is one round,
 * else the next point of this node's grid (period `rounds` intervals, offset `phase` in [0, 1)
 * of it) at least one interval away. `jitterMs` is added to either.
 */
export function wakeDelay(
  now: number,
  intervalMs: number,
  rounds: number,
  phase: number,
  jitterMs: number,
): number {
  if (rounds <= 1) return intervalMs + jitterMs;
  const period = rounds * intervalMs;
  const offset = phase * period;
  const next = Math.ceil((now + intervalMs - offset) / period) * period + offset;
  return next - now + jitterMs;
}

/** The longest `wakeDelay` can be, with jitter up to `maxJitterMs`. */
export function maxWakeDelay(intervalMs: number, rounds: number, maxJitterMs: number): number {
  return (rounds <= 1 ? intervalMs : (rounds + 1) * intervalMs) + maxJitterMs;
}

/**
 * Rounds a wake covers: the whole rounds since the previous wake (rounded, so jitter does not
 * lose one), at least 1 and at most `roundsPerWake` (a late alarm does not flood peers).
 */
export function roundsCovered(elapsedMs: number | null, intervalMs: number, roundsPerWake: number): number {
  if (elapsedMs === null || !(elapsedMs > 0)) return 1;
  return Math.max(1, Math.min(roundsPerWake, Math.round(elapsedMs / intervalMs)));
}

/** A chance taken once per round, taken once for `rounds` rounds. */
export function chanceOver(perRound: number, rounds: number): number {
  return 1 - (1 - perRound) ** rounds;
}
