/** Lifeguard's suspicion timeout, against memberlist's own cases computed by hand. */
import { describe, expect, it } from "vitest";
import { merge, receive } from "../../src/core/claims.js";
import type { NodeDelta } from "../../src/core/index.js";
import { remainingSuspicionTime, suspicionBounds } from "../../src/core/index.js";
import { tick } from "../../src/core/rounds.js";
import { Suspicion } from "../../src/core/suspicion.js";
import { engine, from, names } from "./support/engine.js";

describe("remainingSuspicionTime", () => {
  // memberlist's suspicion_test.go cases: k = 3 expected confirmations, min 2 s, max 30 s.
  // frac = ln(n + 1) / ln(k + 1); timeout = max(min, floor(max - frac * (max - min))).
  //   n = 0: frac 0                   -> 30 000 ms, elapsed 0      -> 30 000
  //   n = 1: frac ln 2 / ln 4 = 0.5   -> 16 000 ms, elapsed 2 000  -> 14 000
  //   n = 2: frac ln 3 / ln 4 = 0.79248 -> floor(7 810.5) = 7 810, elapsed 3 000 -> 4 810
  //   n = 3: frac 1                   -> 2 000 ms, elapsed 4 000   -> -2 000
  //   n = 4: frac 1.161 (below min)   -> 2 000 ms, elapsed 5 000   -> -3 000
  //   n = 5: frac 1.292 (below min)   -> 2 000 ms, elapsed 10 000  -> -8 000
  it.each([
    [0, 0, 30_000],
    [1, 2_000, 14_000],
    [2, 3_000, 4_810],
    [3, 4_000, -2_000],
    [4, 5_000, -3_000],
    [5, 10_000, -8_000],
  ])("with %i confirmations, %i ms in, leaves %i ms", (confirmations, elapsed, expected) => {
    expect(remainingSuspicionTime(confirmations, 3, elapsed, 2_000, 30_000)).toBe(expected);
  });

  it("never goes below the minimum, whatever the confirmations", () => {
    for (let n = 0; n < 100; n++) {
      expect(remainingSuspicionTime(n, 3, 0, 2_000, 30_000)).toBeGreaterThanOrEqual(2_000);
      expect(remainingSuspicionTime(n + 1, 3, 0, 2_000, 30_000)).toBeLessThanOrEqual(
        remainingSuspicionTime(n, 3, 0, 2_000, 30_000),
      );
    }
  });
});

describe("suspicionBounds", () => {
  // min = suspicionMult x max(1, log10 N) x interval; max = min x suspicionMaxMult.
  // Defaults: suspicionMult 1.5, suspicionMaxMult 4, interval 1 s.
  it.each([
    [1, 1_500, 6_000],
    [5, 1_500, 6_000],
    [10, 1_500, 6_000],
    [100, 3_000, 12_000],
    [1_000, 4_500, 18_000],
  ])("at N = %i: from %i ms (minimum) to %i ms (maximum)", (n, min, max) => {
    const bounds = suspicionBounds(1_000, n, 1.5, 4);
    expect(bounds.minMs).toBeCloseTo(min, 6);
    expect(bounds.maxMs).toBeCloseTo(max, 6);
  });
});

describe("Suspicion", () => {
  it("counts distinct reporters only, and expires sooner with each", () => {
    const suspicion = new Suspicion(10_000, "a");
    expect(suspicion.confirmations).toBe(0);
    expect(suspicion.confirm("a")).toBe(false);
    // Alone: expires at max (12 s) after it began.
    expect(suspicion.expired(10_000 + 11_999, 3, 3_000, 12_000)).toBe(false);
    expect(suspicion.expired(10_000 + 12_000, 3, 3_000, 12_000)).toBe(true);
    expect(suspicion.confirm("b")).toBe(true);
    expect(suspicion.confirm("b")).toBe(false);
    // One confirmation: 12 000 - 0.5 x 9 000 = 7 500 ms.
    expect(suspicion.expired(10_000 + 7_499, 3, 3_000, 12_000)).toBe(false);
    expect(suspicion.expired(10_000 + 7_500, 3, 3_000, 12_000)).toBe(true);
    suspicion.confirm("c");
    suspicion.confirm("d");
    expect(suspicion.confirmations).toBe(3);
    // Three: the minimum.
    expect(suspicion.expired(10_000 + 2_999, 3, 3_000, 12_000)).toBe(false);
    expect(suspicion.expired(10_000 + 3_000, 3, 3_000, 12_000)).toBe(true);
  });
});

describe("a suspicion learned without a reporter (issue 19, item 6)", () => {
  /** When a node of `n` members that learned p1's suspicion from a delta, then heard p2 report it, declares p1 dead. */
  function deathAfter(n: number): number {
    const { ctx, advance } = engine({ peers: names(n - 1) });
    const suspect: NodeDelta = { n: "p1", g: 1, i: 0, s: 1, from: 0, reset: false, max: 0, gc: 0, kv: [] };
    merge(ctx, [suspect], "p0");
    receive(ctx, from("p2", { t: "push", n: [["p1", 1, 0, 1, 0, "p2"]] }), ["push"]);
    for (let elapsed = 0; elapsed <= 60_000; elapsed += 250) {
      tick(ctx);
      if (ctx.state.get("p1")?.status === 2) return elapsed;
      advance(250);
    }
    throw new Error("never declared dead");
  }

  // One reporter known (p2) and none before: memberlist's remainingSuspicionTime with 0
  // confirmations, the maximum: 6 s at N = 4 and 12 s at N = 100 (defaults, 1 s rounds).
  it.each([
    [4, 6_000],
    [100, 12_000],
  ])("at N = %i runs the whole %i ms window", (n, window) => {
    const { minMs, maxMs } = suspicionBounds(1_000, n, 1.5, 4);
    expect(remainingSuspicionTime(0, 3, 0, minMs, maxMs)).toBe(window);
    expect(deathAfter(n)).toBe(window);
  });

  it("counts the first reporter heard of as the first, not a confirmation", () => {
    const suspicion = new Suspicion(0, undefined);
    expect(suspicion.confirm("p2")).toBe(true);
    expect(suspicion.confirmations).toBe(0);
    expect(suspicion.confirm("p3")).toBe(true);
    expect(suspicion.confirmations).toBe(1);
  });
});
