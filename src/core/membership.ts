/**
 * What one observer keeps locally about one member, beside the shared liveness claim held in
 * its NodeState: when its current status began here, the suspicion being timed (Lifeguard),
 * the phi-accrual window of its heartbeats (phi detector) and how many of its acks arrived.
 */
import type { GossipConfig } from "./config.js";
import { ArrivalWindow, type PhiOptions } from "./failure-detector.js";
import type { Suspicion } from "./suspicion.js";

export function phiOptions(config: GossipConfig): PhiOptions {
  return {
    window: config.phiWindow,
    minStdDevMs: config.minStdDevMs,
    acceptablePauseMs: config.acceptablePauseMs,
    firstIntervalEstimateMs: config.firstIntervalEstimateMs,
  };
}

export class MemberRecord {
  /** When the member's current status began (observer's clock). */
  since: number;
  suspicion: Suspicion | null = null;
  /** Acks this observer received from the member. */
  acks = 0;
  private window: ArrivalWindow | null = null;

  constructor(now: number) {
    this.since = now;
  }

  /** A heartbeat of the member arrived (phi detector). */
  heartbeat(now: number, options: PhiOptions): void {
    if (!this.window) this.window = new ArrivalWindow(options);
    this.window.arrived(now);
  }

  /** Restarts the heartbeat history (a refuted or resurrected member). */
  resetHeartbeats(): void {
    this.window = null;
  }

  phi(now: number): number {
    return this.window ? this.window.phi(now) : 0;
  }
}
