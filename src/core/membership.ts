/**
 * Membership lifecycle of one member as seen by one observer: joining -> alive -> suspect ->
 * dead, or left after a graceful leave. Transitions are driven by heartbeat arrivals (through
 * the phi-accrual detector) and by time; each transition is reported so it can be streamed.
 */
import type { GossipConfig } from "./config.js";
import { ArrivalWindow, type PhiOptions } from "./failure-detector.js";
import type { MemberStatus } from "./types.js";

export function phiOptions(config: GossipConfig): PhiOptions {
  return {
    window: config.phiWindow,
    minStdDevMs: config.minStdDevMs,
    acceptablePauseMs: config.acceptablePauseMs,
    firstIntervalEstimateMs: config.firstIntervalEstimateMs,
  };
}

export class MemberRecord {
  private window: ArrivalWindow;
  status: MemberStatus;
  /** When the current status began (observer's clock). */
  since: number;

  constructor(
    private readonly options: PhiOptions,
    now: number,
    status: MemberStatus = "joining",
  ) {
    this.window = new ArrivalWindow(options);
    this.window.arrived(now);
    this.status = status;
    this.since = now;
  }

  phi(now: number): number {
    return this.status === "left" ? 0 : this.window.phi(now);
  }

  /**
   * The member's heartbeat moved forward. Returns the new status when it changed.
   * A dead member that beats again starts a fresh detector: its silence is not a sample.
   */
  heartbeat(now: number): MemberStatus | null {
    if (this.status === "left") return null;
    if (this.status === "dead") this.window = new ArrivalWindow(this.options);
    this.window.arrived(now);
    if (this.status !== "alive") return this.set("alive", now);
    return null;
  }

  /** The member announced a graceful leave. */
  leave(now: number): MemberStatus | null {
    return this.status === "left" ? null : this.set("left", now);
  }

  /**
   * Re-evaluates the status from phi and time. Returns the new status when it changed.
   */
  evaluate(now: number, config: GossipConfig): MemberStatus | null {
    switch (this.status) {
      case "joining":
      case "alive":
        return this.phi(now) >= config.phiThreshold ? this.set("suspect", now) : null;
      case "suspect":
        if (this.phi(now) < config.phiThreshold) return this.set("alive", now);
        return now - this.since >= config.suspectTimeoutMs ? this.set("dead", now) : null;
      default:
        return null;
    }
  }

  /** True once a dead or left member has been kept for its grace period. */
  forgettable(now: number, config: GossipConfig): boolean {
    if (this.status === "dead") return now - this.since >= config.deadGraceMs;
    if (this.status === "left") return now - this.since >= config.leftGraceMs;
    return false;
  }

  private set(status: MemberStatus, now: number): MemberStatus {
    this.status = status;
    this.since = now;
    return status;
  }
}
