/**
 * One node's engine context for tests of a single mechanism (probing.ts, claims.ts...): a
 * settable clock, a seeded rng, and peers learned from a push as any node learns them.
 */
import { receive } from "../../../src/core/claims.js";
import { createContext, type EngineContext } from "../../../src/core/engine-context.js";
import {
  type GossipConfigInput,
  type GossipMessage,
  resolveConfig,
  seededRng,
} from "../../../src/core/index.js";

export const CLUSTER = "test";

export interface TestEngine {
  ctx: EngineContext;
  /** Moves the clock on by `ms`. */
  advance(ms: number): void;
  now(): number;
}

export function engine(
  options: {
    name?: string;
    peers?: string[];
    seeds?: string[];
    config?: GossipConfigInput;
    seed?: number;
  } = {},
): TestEngine {
  let now = 1_000_000;
  const ctx = createContext({
    cluster: CLUSTER,
    name: options.name ?? "a",
    generation: 1,
    config: resolveConfig(options.config ?? {}),
    seeds: options.seeds ?? [],
    clock: () => now,
    rng: seededRng(options.seed ?? 1),
  });
  const peers = options.peers ?? [];
  if (peers.length > 0) {
    const news = peers.map((peer) => [peer, 1, 0, 0, 0]);
    receive(ctx, from(peers[0] as string, { t: "push", n: news }), ["push"]);
    ctx.outbox = [];
    ctx.events = [];
  }
  return {
    ctx,
    advance: (ms) => {
      now += ms;
    },
    now: () => now,
  };
}

/** A message from `sender` (generation 1) to this cluster. */
export function from(sender: string, body: Record<string, unknown>): GossipMessage {
  return { v: 2, c: CLUSTER, f: sender, g: 1, ...body } as GossipMessage;
}

/** Peers `p0..p{n-1}`. */
export function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `p${i}`);
}
