/**
 * The clock-derived heartbeat floor that lets a node wake from hibernation without writing
 * its heartbeat every round.
 *
 * Rounds are at least one interval apart (the next alarm is armed `intervalMs * (1 + jitter)`
 * after a round starts), so the heartbeat the owner emits in a round is
 * `max(previous + 1, floor(now))` and, in steady state, exactly `floor(now)`: the number of
 * intervals since the generation began. After a wake-up the node takes the floor at the time
 * its last round began (one interval before its pending alarm): at or above anything it
 * emitted, one below its next round's floor, with no row written. When
 * rounds come early (a retried or duplicated alarm, a test running one by hand) the
 * heartbeat runs ahead of the floor: the node then saves it before emitting it, so the
 * restored value is still never below what peers have seen.
 */

/** Slack for alarms delivered a little early, as a fraction of the interval. */
const EARLY_SLACK = 0.1;

export function heartbeatFloor(now: number, startedAt: number, intervalMs: number): number {
  return Math.floor(Math.max(0, now - startedAt) / intervalMs + EARLY_SLACK) + 1;
}
