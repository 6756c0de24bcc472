import { describe, expect, it } from "vitest";
import { Gossiper, jsonSize, resolveConfig, seededRng } from "../../src/core/index.js";
import { estimateSize } from "../../src/sim/size.js";

function gossiper(name: string, clock: () => number) {
  return new Gossiper({
    cluster: "sim",
    name,
    generation: 3,
    config: resolveConfig({}),
    clock,
    rng: seededRng(name.length),
  });
}

describe("estimateSize", () => {
  it("stays within a few percent of the exact JSON size on real protocol messages", () => {
    const now = 1_000;
    const a = gossiper("node-a", () => now);
    const b = gossiper("node-b", () => now);
    for (let i = 0; i < 50; i++)
      a.setKey(`key.${i}`, `value ${i} with "quotes" and a longer tail ${"x".repeat(i)}`);
    a.deleteKey("key.3");
    const samples: unknown[] = [];
    const ping = a.makePing("node-b");
    samples.push(ping, b.handlePing(ping));
    // A full exchange: syn, synack (buckets), digest, delta (b needs all of a), push.
    const syn = a.makeSyn("node-b");
    const synAck = b.handleSyn(syn);
    samples.push(syn, synAck);
    const digest = a.handleSynAck(synAck);
    if (digest === null || "ok" in digest) throw new Error("expected a digest");
    const delta = b.handleDigest(digest);
    if ("ok" in delta) throw new Error("expected a delta");
    samples.push(digest, delta);
    const push = a.handleDelta(delta);
    if (push === null || "ok" in push) throw new Error("expected a push");
    samples.push(push);
    expect(samples).toHaveLength(7);
    for (const message of samples) {
      const exact = jsonSize(message);
      const estimate = estimateSize(message as never);
      expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.05);
    }
  });

  it("is exact for plain ASCII messages", () => {
    const message = {
      t: "digest",
      v: 2,
      c: "c",
      f: "n1",
      g: 12,
      mode: "push",
      b: [3],
      d: [["n1", 1, 12345, 0, 7]],
    };
    expect(estimateSize(message as never)).toBe(JSON.stringify(message).length);
  });
});
