/**
 * Two Gossipers, n0 and n1, on one settable clock (100 ms rounds, each the other's seed), and
 * an anti-entropy exchange one opens with the other: enough for a test of what one node learns
 * from another.
 */
import { Gossiper, resolveConfig, seededRng } from "../../../src/core/index.js";

export function pair(start = 1_000_000) {
  let now = start;
  const make = (name: string, i: number) =>
    new Gossiper({
      cluster: "c",
      name,
      generation: 1,
      config: resolveConfig({ intervalMs: 100 }),
      seeds: ["n0", "n1"],
      clock: () => now,
      rng: seededRng(i + 1),
    });
  const n0 = make("n0", 0);
  const n1 = make("n1", 1);
  /** A whole exchange `opener` opens with `peer`: each learns what the other had (push-pull). */
  const exchange = (opener: Gossiper, peer: Gossiper) => {
    const digest = opener.handleSynAck(peer.handleSyn(opener.makeSyn(peer.name)));
    if (digest === null || "ok" in digest) return;
    const push = opener.handleDelta(peer.handleDigest(digest));
    if (push && !("ok" in push)) peer.handlePush(push);
  };
  return { n0, n1, exchange, advance: (ms: number) => (now += ms) };
}
