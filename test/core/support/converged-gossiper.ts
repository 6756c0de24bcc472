/**
 * A lone Gossiper restored as a member of a converged cluster of `size` alive members, on a
 * clock the test moves: for tests of what one node does round by round, with no transport.
 */
import {
  type GossipConfigInput,
  Gossiper,
  type GossiperSnapshot,
  resolveConfig,
  seededRng,
} from "../../../src/core/index.js";

export function converged(
  size: number,
  config: GossipConfigInput = {},
): { gossiper: Gossiper; tick: (ms: number) => void } {
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
