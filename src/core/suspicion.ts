/**
 * A suspicion of one member as one observer holds it (Lifeguard): it starts at the maximum
 * timeout and shrinks toward the minimum as independent reporters confirm it, the way Redis
 * Cluster counts failure reports from distinct nodes. The member is declared dead when the
 * timeout has passed since the suspicion began.
 */

/**
 * Time left before a suspicion with `confirmations` independent reporters (beyond the first)
 * expires, `elapsedMs` after it began: memberlist's remainingSuspicionTime.
 */
export function remainingSuspicionTime(
  confirmations: number,
  expected: number,
  elapsedMs: number,
  minMs: number,
  maxMs: number,
): number {
  const frac = Math.log(confirmations + 1) / Math.log(expected + 1);
  const raw = maxMs - frac * (maxMs - minMs);
  const timeout = Math.max(minMs, Math.floor(raw));
  return timeout - elapsedMs;
}

/** Minimum and maximum suspicion timeouts for a cluster of `n` members. */
export function suspicionBounds(
  intervalMs: number,
  n: number,
  mult: number,
  maxMult: number,
): { minMs: number; maxMs: number } {
  const minMs = mult * Math.max(1, Math.log10(Math.max(1, n))) * intervalMs;
  return { minMs, maxMs: minMs * maxMult };
}

export class Suspicion {
  /** Distinct reporters, the first included. */
  private readonly reporters = new Set<string>();

  /**
   * `firstReporter` undefined: the suspicion was learned without one (from a delta, or news
   * that lost it). It counts as none, so the first reporter heard of later is the first, not
   * an independent confirmation: an unknown reporter never shortens the refutation window.
   */
  constructor(
    readonly startedAt: number,
    firstReporter: string | undefined,
  ) {
    if (firstReporter !== undefined) this.reporters.add(firstReporter);
  }

  /** Adds a reporter; true when it was new (an independent confirmation). */
  confirm(reporter: string): boolean {
    if (this.reporters.has(reporter)) return false;
    this.reporters.add(reporter);
    return true;
  }

  get confirmations(): number {
    return Math.max(0, this.reporters.size - 1);
  }

  /** True once the suspicion has run its course at `now`. */
  expired(now: number, expected: number, minMs: number, maxMs: number): boolean {
    return remainingSuspicionTime(this.confirmations, expected, now - this.startedAt, minMs, maxMs) <= 0;
  }
}
