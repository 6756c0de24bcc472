/**
 * A prober cut off from everyone (its direct ping and every helper's ping-req time out) has
 * evidence against itself, not against its target: a dead target with live helpers yields
 * their nacks. Today the engine still suspects the target (Lifeguard only raises the prober's
 * own health score), so a node that stalls past its timeouts, or is cut off, accuses the member
 * it was probing when it comes back: docs/protocol.md, "The detection tail". Marked `fails`
 * until the engine's probeResult holds the suspicion back when every helper stayed silent.
 */
import { describe, expect, it } from "vitest";
import { probe, type Transport } from "../../src/core/index.js";
import { MemoryCluster } from "./support/memory-cluster.js";

/** n0 of five nodes that all know each other alive. */
function converged() {
  return new MemoryCluster({ size: 5, start: "converged" }).node("n0");
}

/** Every request times out; nothing sent arrives. */
const cutOff: Transport = {
  request: () => Promise.reject(new Error("timed out")),
  send: () => {},
};

describe("a prober whose every helper stays silent", () => {
  it.fails("does not suspect its target, and counts the silence against itself", async () => {
    const a = converged();
    const outcome = await probe(a, cutOff, "n1");
    expect(outcome).toBe("silent");
    expect(a.counters.indirectProbesSent).toBeGreaterThan(0);
    expect(a.statusOf("n1")).toBe("alive");
  });

  it("today raises its own health score for the missed nacks", async () => {
    const a = converged();
    const before = a.probeTimeout();
    await probe(a, cutOff, "n1");
    expect(a.probeTimeout()).toBeGreaterThan(before);
  });
});
