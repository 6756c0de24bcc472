/**
 * The virtual network: every message is lost with probability `loss`, otherwise delivered
 * after a latency drawn from the latency model. A partition splits nodes into groups; nothing
 * crosses between groups until it heals. Whether a message is cut is decided when it is sent.
 */
import type { Rng } from "../core/index.js";
import type { VirtualClock } from "./clock.js";
import type { Latency } from "./latency.js";

export interface NetworkOptions {
  /** Probability that any one message is lost (0..1). */
  loss: number;
  latency: Latency;
  rng: Rng;
  /** A node's region (see --regions); messages between two regions add `crossLatencyMs`. */
  regionOf?: (name: string) => string | undefined;
  crossLatencyMs?: number;
}

export interface NetworkStats {
  sent: number;
  delivered: number;
  /** Dropped by random loss. */
  lost: number;
  /** Dropped because sender and receiver were on different sides of a partition. */
  cut: number;
  /** Sent from one region to another (counted among `sent`). */
  crossRegion: number;
}

export class Network {
  loss: number;
  readonly latency: Latency;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, lost: 0, cut: 0, crossRegion: 0 };
  private readonly rng: Rng;
  private readonly regionOf: ((name: string) => string | undefined) | undefined;
  private readonly crossLatencyMs: number;
  /** Node -> group while partitioned; nodes not listed form a group of their own (-1). */
  private groups: Map<string, number> | null = null;

  constructor(
    private readonly clock: VirtualClock,
    options: NetworkOptions,
  ) {
    this.loss = options.loss;
    this.latency = options.latency;
    this.rng = options.rng;
    this.regionOf = options.regionOf;
    this.crossLatencyMs = options.crossLatencyMs ?? 0;
  }

  get partitioned(): boolean {
    return this.groups !== null;
  }

  /** Splits the network into `groups`; messages only flow within a group. */
  split(groups: readonly (readonly string[])[]): void {
    const map = new Map<string, number>();
    groups.forEach((members, index) => {
      for (const name of members) map.set(name, index);
    });
    this.groups = map;
  }

  /** Ends any partition. */
  heal(): void {
    this.groups = null;
  }

  /** Whether a message from `from` to `to` can cross the network right now (ignoring loss). */
  connected(from: string, to: string): boolean {
    if (this.groups === null) return true;
    return (this.groups.get(from) ?? -1) === (this.groups.get(to) ?? -1);
  }

  /**
   * Sends one message: returns null when it is dropped (loss or partition), otherwise
   * schedules `deliver(arg)` after a sampled latency and returns the virtual time it arrives.
   */
  send<T = undefined>(from: string, to: string, deliver: (arg: T) => void, arg?: T): number | null {
    this.stats.sent++;
    const cross = this.regionOf !== undefined && this.regionOf(from) !== this.regionOf(to);
    if (cross) this.stats.crossRegion++;
    if (!this.connected(from, to)) {
      this.stats.cut++;
      return null;
    }
    if (this.loss > 0 && this.rng() < this.loss) {
      this.stats.lost++;
      return null;
    }
    this.stats.delivered++;
    const latency = this.latency.sample(this.rng) + (cross ? this.crossLatencyMs : 0);
    return this.clock.post(this.clock.now + latency, deliver, arg as T);
  }
}
