/**
 * A prober cut off from everyone (its direct ping and every helper's ping-req time out) has
 * evidence against itself, not against its target: a dead target with live helpers yields
 * their nacks. Today the engine still suspects the target (Lifeguard only raises the prober's
 * own health score), so a node that stalls past its timeouts, or is cut off, accuses the member
 * it was probing when it comes back: docs/protocol.md, "The detection tail". Marked `fails`
 * until the engine's probeResult holds the suspicion back when every helper stayed silent.
 */
import { describe, expect, it } from "vitest";
import {
  Gossiper,
  type NodeStateSnapshot,
  probe,
  resolveConfig,
  seededRng,
  type Transport,
} from "../../src/core/index.js";

function converged(names: string[]): Gossiper {
  const records: NodeStateSnapshot[] = names.map((name) => ({
    name,
    generation: 1,
    incarnation: 0,
    status: 0,
    heartbeat: 0,
    maxVersion: 0,
    gcVersion: 0,
    keys: [],
  }));
  return Gossiper.restore(
    {
      cluster: "test",
      self: records[0] as NodeStateSnapshot,
      others: records.slice(1),
      members: records.slice(1).map((other) => [other.name, "alive", 0]),
      graveyard: [],
      selfStatus: "alive",
    },
    { cluster: "test", config: resolveConfig({}), seeds: [], clock: () => 1000, rng: seededRng(1) },
  );
}

/** Every request times out; nothing sent arrives. */
const cutOff: Transport = {
  request: () => Promise.reject(new Error("timed out")),
  send: () => {},
};

describe("a prober whose every helper stays silent", () => {
  it.fails("does not suspect its target, and counts the silence against itself", async () => {
    const a = converged(["a", "b", "c", "d", "e"]);
    const outcome = await probe(a, cutOff, "b");
    expect(outcome).toBe("silent");
    expect(a.counters.indirectProbesSent).toBeGreaterThan(0);
    expect(a.statusOf("b")).toBe("alive");
  });

  it("today raises its own health score for the missed nacks", async () => {
    const a = converged(["a", "b", "c", "d", "e"]);
    const before = a.probeTimeout();
    await probe(a, cutOff, "b");
    expect(a.probeTimeout()).toBeGreaterThan(before);
  });
});
