/**
 * Loads the npm `swim` package (a development dependency, for the bench only) and describes the little of its API the
 * bench uses. Returns a reason instead of throwing when it cannot be loaded, so the bench can
 * say clearly that the SWIM peer is unavailable.
 */
import { createRequire } from "node:module";

export interface SwimMemberData {
  host: string;
  state: number;
  incarnation: number;
}

/** One swim instance, typed as far as the bench touches it. */
export interface SwimInstance {
  bootstrap(hosts: string[], callback: (error?: Error) => void): void;
  leave(): void;
  on(event: "update", listener: (data: SwimMemberData) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  membership: {
    hostToMember: Record<string, SwimMemberData>;
    hostToFaulty: Record<string, SwimMemberData>;
  };
  net: {
    udpSocket: { bind: (...args: unknown[]) => unknown };
    sendBuffer(buffer: Buffer, host: string): void;
  };
}

export interface SwimModule {
  new (options: Record<string, unknown>): SwimInstance;
}

/** swim's member states (lib/member.js). */
export const SwimState = { Alive: 0, Suspect: 1, Faulty: 2 } as const;

export type SwimLoad = { ok: true; Swim: SwimModule; version: string } | { ok: false; reason: string };

export function loadSwim(): SwimLoad {
  const require = createRequire(import.meta.url);
  try {
    const Swim = require("swim") as SwimModule;
    const version = (require("swim/package.json") as { version: string }).version;
    // Its native and codec dependencies load lazily in places: touch them now.
    require("farmhash").hash64("probe");
    const msgpack = require("msgpack") as { pack(v: unknown): Buffer; unpack(b: Buffer): unknown };
    const roundTrip = msgpack.unpack(msgpack.pack({ host: "127.0.0.1:1", state: 0 })) as { host?: string };
    if (roundTrip.host !== "127.0.0.1:1") return { ok: false, reason: "msgpack codec does not round-trip" };
    return { ok: true, Swim, version };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { ok: false, reason: `the swim package could not be loaded (${reason})` };
  }
}
