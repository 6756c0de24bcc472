/**
 * engine-context.ts: a fresh node with seeds starts joining (with none, alive), with nothing queued; its events are bounded,
 * the oldest dropped first.
 */
import { describe, expect, it } from "vitest";
import { createContext, emit } from "../../src/core/engine-context.js";
import { resolveConfig, seededRng } from "../../src/core/index.js";

describe("engine context", () => {
  it("starts joining from its seeds with nothing queued, and keeps at most maxQueuedEvents events, the newest", () => {
    const ctx = createContext({
      cluster: "test",
      name: "a",
      generation: 1,
      config: resolveConfig({}),
      seeds: ["a", "b"],
      clock: () => 0,
      rng: seededRng(1),
      maxQueuedEvents: 3,
    });
    expect(ctx.selfStatus).toBe("joining");
    expect(ctx.outbox).toEqual([]);
    const lone = createContext({
      cluster: "test",
      name: "a",
      generation: 1,
      config: resolveConfig({}),
      seeds: ["a"],
      clock: () => 0,
      rng: seededRng(1),
    });
    expect(lone.selfStatus).toBe("alive");
    for (let i = 0; i < 5; i++) emit(ctx, "joined", `n${i}`, 1);
    expect(ctx.events.map((event) => event.node)).toEqual(["n2", "n3", "n4"]);
  });
});
