/**
 * What one observer keeps locally about each member, beside the shared liveness claim: when
 * its current status began here and how many of its acks arrived (columns of the member's
 * table row), the suspicion being timed (Lifeguard) and the phi-accrual window of its
 * heartbeats (phi detector), both held only for the few members that have one.
 */
import type { GossipConfig } from "./config.js";
import { ArrivalWindow, type PhiOptions } from "./failure-detector.js";
import type { MemberTable } from "./member-table.js";
import type { Suspicion } from "./suspicion.js";

export function phiOptions(config: GossipConfig): PhiOptions {
  return {
    window: config.phiWindow,
    minStdDevMs: config.minStdDevMs,
    acceptablePauseMs: config.acceptablePauseMs,
    firstIntervalEstimateMs: config.firstIntervalEstimateMs,
  };
}

export class MemberRecords {
  private readonly suspicions = new Map<string, Suspicion>();
  private readonly windows = new Map<string, ArrivalWindow>();

  constructor(
    private readonly table: MemberTable,
    private readonly options: PhiOptions,
  ) {}

  /** Whether a record was started for the member. */
  has(name: string): boolean {
    const slot = this.table.slotOf(name);
    return slot !== undefined && !Number.isNaN(this.table.since(slot));
  }

  /** When the member's current status began here; `now` (and recorded) when not known yet. */
  since(name: string, now: number): number {
    const slot = this.table.slotOf(name);
    if (slot === undefined) return now;
    const since = this.table.since(slot);
    if (!Number.isNaN(since)) return since;
    this.table.setSince(slot, now);
    return now;
  }

  setSince(name: string, at: number): void {
    const slot = this.table.slotOf(name);
    if (slot !== undefined) this.table.setSince(slot, at);
  }

  /** Starts the member's record over: its status began at `at`, nothing else is known. */
  reset(name: string, at: number): void {
    const slot = this.table.slotOf(name);
    if (slot !== undefined) {
      this.table.setSince(slot, at);
      this.table.setAcks(slot, 0);
    }
    this.drop(name);
  }

  /** Forgets the sparse parts (the row itself goes with the member). */
  drop(name: string): void {
    this.suspicions.delete(name);
    this.windows.delete(name);
  }

  acks(name: string): number {
    const slot = this.table.slotOf(name);
    return slot === undefined ? 0 : this.table.acks(slot);
  }

  addAck(name: string): void {
    const slot = this.table.slotOf(name);
    if (slot !== undefined) this.table.setAcks(slot, this.table.acks(slot) + 1);
  }

  suspicion(name: string): Suspicion | undefined {
    return this.suspicions.get(name);
  }

  setSuspicion(name: string, suspicion: Suspicion | null): void {
    if (suspicion) this.suspicions.set(name, suspicion);
    else this.suspicions.delete(name);
  }

  /** A heartbeat of the member arrived (phi detector). */
  heartbeat(name: string, now: number): void {
    let window = this.windows.get(name);
    if (!window) {
      window = new ArrivalWindow(this.options);
      this.windows.set(name, window);
    }
    window.arrived(now);
  }

  /** Restarts the heartbeat history (a refuted or resurrected member). */
  resetHeartbeats(name: string): void {
    this.windows.delete(name);
  }

  phi(name: string, now: number): number {
    return this.windows.get(name)?.phi(now) ?? 0;
  }
}
