/**
 * CPU time spent inside the protocol core: every Gossiper method the driver calls is wrapped
 * so the wall time of its call (outermost call only, so nested calls count once) adds up. It
 * measures the gossiper's own work, not the simulator's clock, network or bookkeeping.
 */
import { performance } from "node:perf_hooks";
import type { Gossiper } from "../core/index.js";

/** What the core's driver calls on a Gossiper (src/core/driver.ts), and the round's timer. */
const METERED = [
  "beginRound",
  "nextRoundDelay",
  "countSent",
  "exchangeFailed",
  "handleDelta",
  "handleDigest",
  "handlePing",
  "handlePingReq",
  "handleProbeReply",
  "handlePush",
  "handleSyn",
  "handleSynAck",
  "makePing",
  "makePingReq",
  "makeSyn",
  "probeAnswer",
  "probeHelpers",
  "probeResult",
  "probeTimeout",
  "rejectUnknown",
  "takeOutbox",
] as const;

export class CoreMeter {
  /** Milliseconds spent in metered calls since the last reset. */
  ms = 0;
  private depth = 0;

  reset(): void {
    this.ms = 0;
  }

  /** Wraps a Gossiper's metered methods (on the instance; the class is untouched). */
  attach(gossiper: Gossiper): void {
    for (const name of METERED) {
      const method = gossiper[name];
      const metered = (...args: unknown[]): unknown => {
        if (this.depth > 0) return Reflect.apply(method, gossiper, args);
        this.depth++;
        const start = performance.now();
        try {
          return Reflect.apply(method, gossiper, args);
        } finally {
          this.ms += performance.now() - start;
          this.depth--;
        }
      };
      // An own property in front of the class's method, as an assignment would make.
      Object.defineProperty(gossiper, name, {
        value: metered,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
}
