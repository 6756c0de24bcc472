/**
 * A prober cut off from everyone (its direct ping and every helper's ping-req time out) has
 * evidence against itself, not against its target: a dead target with live helpers yields
 * their nacks. So it raises its own health score (Lifeguard) and suspects no one; otherwise a
 * node that stalls past its timeouts, or is cut off, accuses the member it was probing when
 * it comes back: docs/protocol.md, "The detection tail".
 */
import { describe, expect, it } from "vitest";
import { probe, type Transport } from "../../src/core/index.js";
import { MemoryCluster } from "./support/memory-cluster.js";

/** Five nodes that all know each other alive. */
function converged() {
  return new MemoryCluster({ size: 5, start: "converged" });
}

/** Every request times out; nothing sent arrives. */
const cutOff: Transport = {
  request: () => Promise.reject(new Error("timed out")),
  send: () => {},
};

/** The target times out; every helper is there and answers its ping-req with a nack. */
function targetGone(cluster: MemoryCluster): Transport {
  return {
    request: (peer, message) => {
      if (peer === "n1" || message.t !== "pingreq") return Promise.reject(new Error("timed out"));
      const helper = cluster.node(peer);
      const request = helper.handlePingReq(message);
      return "ok" in request ? Promise.resolve(request) : Promise.resolve(helper.probeAnswer(request, false));
    },
    send: () => {},
  };
}

describe("a prober whose every helper stays silent", () => {
  it("does not suspect its target, and counts the silence against itself", async () => {
    const a = converged().node("n0");
    const outcome = await probe(a, cutOff, "n1");
    expect(outcome).toBe("silent");
    expect(a.counters.indirectProbesSent).toBeGreaterThan(0);
    expect(a.statusOf("n1")).toBe("alive");
  });

  it("raises its own health score for the missed nacks", async () => {
    const a = converged().node("n0");
    const before = a.probeTimeout();
    await probe(a, cutOff, "n1");
    expect(a.probeTimeout()).toBeGreaterThan(before);
  });

  it("still suspects a silent target when a helper nacks: the evidence is against the target", async () => {
    const cluster = converged();
    const a = cluster.node("n0");
    const outcome = await probe(a, targetGone(cluster), "n1");
    expect(outcome).toBe("silent");
    expect(a.statusOf("n1")).toBe("suspect");
  });
});
