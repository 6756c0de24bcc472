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
    for (const { syn } of a.beginRound()) samples.push(syn);
    const syn = a.makeSyn();
    samples.push(syn);
    const synAck = b.handleSyn(syn);
    samples.push(synAck);
    if (!("ok" in synAck)) {
      const ack = a.handleSynAck(synAck);
      if (ack && !("ok" in ack)) samples.push(ack);
    }
    expect(samples.length).toBeGreaterThanOrEqual(2);
    for (const message of samples) {
      const exact = jsonSize(message);
      const estimate = estimateSize(message as never);
      expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.05);
    }
  });

  it("is exact for plain ASCII messages", () => {
    const message = {
      t: "syn",
      v: 1,
      cluster: "c",
      from: "n1",
      gen: 12,
      mode: "push",
      digest: [["n1", 1, 12345, 0]],
    };
    expect(estimateSize(message as never)).toBe(JSON.stringify(message).length);
  });
});
