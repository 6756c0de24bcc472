/**
 * Wall time a Durable Object spends handling something (an alarm or an RPC call), the time
 * it cannot hibernate and is billed for duration. Overlapping calls count once: the clock
 * runs from the moment the object goes from idle to busy until it is idle again.
 *
 * Measured with Date.now() deltas. In workerd Date.now() only moves across I/O (a storage
 * call, an RPC to a peer, a timer), so the time spent waiting on I/O is counted but CPU time
 * between two I/O events is not: a handler that does no I/O, such as answering a peer's
 * exchange, counts as 0 ms. The figure is a lower bound of the billed duration.
 */
export class ActiveTime {
  /** Milliseconds busy since construction. */
  totalMs = 0;
  private busy = 0;
  private since = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  /** Runs `work` and counts the time it keeps the object busy. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy++ === 0) this.since = this.clock();
    try {
      return await work();
    } finally {
      if (--this.busy === 0) this.totalMs += this.clock() - this.since;
    }
  }

  /** Busy time so far, the current busy stretch included. */
  nowMs(): number {
    return this.busy > 0 ? this.totalMs + (this.clock() - this.since) : this.totalMs;
  }
}
