/**
 * One Gossiper alone, restored as a member of a converged cluster of `size` alive members, on
 * a clock the caller moves, with no transport: what one node (one Durable Object) does round
 * by round, apart from the simulator's thousands of other nodes in the same process. The
 * scaling scenario times its quiet wakes; core tests use it to look at one node's plans.
 */
import {
  type GossipConfigInput,
  Gossiper,
  type GossiperSnapshot,
  PROTOCOL_VERSION,
  resolveConfig,
  seededRng,
} from "../core/index.js";

export interface LoneNode {
  gossiper: Gossiper;
  /** Moves the node's clock forward. */
  tick: (ms: number) => void;
}

export function loneNode(size: number, config: GossipConfigInput = {}): LoneNode {
  let now = 0;
  const members = Array.from({ length: size }, (_, i) => `n${i}`);
  const snapshotOf = (name: string) => ({
    name,
    generation: 1,
    incarnation: 0,
    status: 0 as const,
    heartbeat: 0,
    maxVersion: 0,
    gcVersion: 0,
    keys: [],
  });
  const others = members.slice(1).map(snapshotOf);
  const snapshot: GossiperSnapshot = {
    cluster: "c",
    self: snapshotOf("n0"),
    others,
    members: others.map((other) => [other.name, "alive", 0]),
    graveyard: [],
    selfStatus: "alive",
  };
  const gossiper = Gossiper.restore(snapshot, {
    cluster: "c",
    config: resolveConfig(config),
    clock: () => now,
    rng: seededRng(size),
  });
  return {
    gossiper,
    tick: (ms) => {
      now += ms;
    },
  };
}

/**
 * Milliseconds of the node's own work per round over quiet wakes that cover at least
 * `rounds` rounds: each wake comes when the node asks (`wakeRounds`), plans its probes and
 * exchanges, and takes an ack for every probe.
 */
export function loneQuietMsPerRound(size: number, rounds: number, config: GossipConfigInput = {}): number {
  const { gossiper, tick } = loneNode(size, config);
  const wake = (): number => {
    const covered = gossiper.wakeRounds();
    tick(covered * gossiper.config.intervalMs);
    const plan = gossiper.beginRound();
    for (const { target, ping } of plan.probes) {
      const ack = { v: PROTOCOL_VERSION, c: gossiper.cluster, f: target, g: 1, t: "ack", s: ping.s };
      if (gossiper.handleProbeReply(ack, target) !== true) throw new Error(`${target}'s ack was not taken`);
    }
    gossiper.takeOutbox();
    return covered;
  };
  for (let done = 0; done < rounds; ) done += wake(); // warm-up: backed off, compiled
  const started = performance.now();
  let done = 0;
  while (done < rounds) done += wake();
  return (performance.now() - started) / done;
}
