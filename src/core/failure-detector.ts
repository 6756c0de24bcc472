/**
 * Phi-accrual failure detector (Hayashibara et al., 2004) in the form Akka uses: inter-arrival
 * times of a member's heartbeats are modelled as a normal distribution over a bounded window,
 * with a floor on the standard deviation and a tolerated pause added to the mean. Phi is
 * -log10 of the probability that a heartbeat is still to come this late.
 */

export interface PhiOptions {
  /** Samples kept. */
  window: number;
  /** Floor for the standard deviation, ms. */
  minStdDevMs: number;
  /** Added to the mean inter-arrival time, ms. */
  acceptablePauseMs: number;
  /** Inter-arrival estimate used until real samples exist, ms. */
  firstIntervalEstimateMs: number;
}

/**
 * Phi for a normal distribution with the given mean and standard deviation, `elapsed` ms after
 * the last arrival. Uses the logistic approximation of the normal CDF (as Akka does), which
 * stays finite and monotonic far into the tail.
 */
export function phi(elapsed: number, mean: number, stdDev: number): number {
  const y = (elapsed - mean) / stdDev;
  const exponent = -y * (1.5976 + 0.070566 * y * y);
  const e = Math.exp(exponent);
  // -log10(e / (1 + e)) written so it cannot overflow to Infinity when e underflows to 0.
  if (elapsed > mean) return -exponent / Math.LN10 + Math.log10(1 + e);
  return -Math.log10(1 - 1 / (1 + e));
}

/** Heartbeat arrival history of one member. */
export class ArrivalWindow {
  private readonly samples: number[] = [];
  private sum = 0;
  private sumSquares = 0;
  private last: number | undefined;

  constructor(private readonly options: PhiOptions) {}

  /** Records a heartbeat arrival at `now`. */
  arrived(now: number): void {
    if (this.last === undefined) {
      this.last = now;
      return;
    }
    const interval = now - this.last;
    this.last = now;
    if (interval <= 0) return;
    this.push(interval);
  }

  /** Time of the last arrival, if any. */
  lastArrival(): number | undefined {
    return this.last;
  }

  /** Number of inter-arrival samples held. */
  sampleCount(): number {
    return this.samples.length;
  }

  /** Mean inter-arrival time, falling back to the first estimate. */
  mean(): number {
    return this.samples.length === 0 ? this.options.firstIntervalEstimateMs : this.sum / this.samples.length;
  }

  /** Standard deviation, never below the configured floor. */
  stdDev(): number {
    if (this.samples.length === 0) {
      return Math.max(this.options.firstIntervalEstimateMs / 4, this.options.minStdDevMs);
    }
    const n = this.samples.length;
    const mean = this.sum / n;
    const variance = Math.max(0, this.sumSquares / n - mean * mean);
    return Math.max(Math.sqrt(variance), this.options.minStdDevMs);
  }

  /** Suspicion level at `now`; 0 before any arrival. */
  phi(now: number): number {
    if (this.last === undefined) return 0;
    const elapsed = Math.max(0, now - this.last);
    return phi(elapsed, this.mean() + this.options.acceptablePauseMs, this.stdDev());
  }

  private push(interval: number): void {
    this.samples.push(interval);
    this.sum += interval;
    this.sumSquares += interval * interval;
    if (this.samples.length > this.options.window) {
      const dropped = this.samples.shift() as number;
      this.sum -= dropped;
      this.sumSquares -= dropped * dropped;
    }
  }
}
