/**
 * The clock-derived heartbeat floor that lets a node wake from hibernation without writing
 * its heartbeat every round.
 *
 * Wakes (alarms) are at least one interval apart: the next one is armed at least `intervalMs`
 * after a wake begins (one round while busy, up to `roundsPerWake` rounds when quiet), so the
 * heartbeat the owner emits at a wake is `max(previous + 1, floor(now))` and, in steady
 * state, exactly `floor(now)`: the number of intervals since the generation began. After a
 * hibernation the node takes the floor one interval before its pending alarm: at or above
 * anything it emitted (its last wake began at least that long before the alarm), one below
 * the floor of the wake that alarm brings, with no row written. When wakes come early (a
 * retried or duplicated alarm, a test running one by hand) the heartbeat runs ahead of the
 * floor: the node then saves it before emitting it, so the restored value is still never
 * below what peers have seen.
 */

/** Slack for alarms delivered a little early, as a fraction of the interval. */
const EARLY_SLACK = 0.1;

export function heartbeatFloor(now: number, startedAt: number, intervalMs: number): number {
  return Math.floor(Math.max(0, now - startedAt) / intervalMs + EARLY_SLACK) + 1;
}
