/**
 * Local health (Lifeguard's awareness): a score from 0 (healthy) to a maximum. Missed acks,
 * and being suspected by others, raise it; successful probes lower it. A node at score s
 * probes every (1 + s) intervals and waits (1 + s) times longer for acks, so a slow or
 * overloaded node stops accusing healthy members.
 */
export class Awareness {
  private score = 0;

  constructor(private readonly max: number) {}

  get health(): number {
    return this.score;
  }

  /** Adds `delta` (negative to improve), kept within [0, max]. */
  apply(delta: number): void {
    this.score = Math.min(this.max, Math.max(0, this.score + delta));
  }

  /** Scales a timeout or period by the current health. */
  scale(ms: number): number {
    return ms * (this.score + 1);
  }
}
