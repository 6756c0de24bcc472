/**
 * Refutation: a node that hears it is suspected or dead, at its incarnation or later, raises
 * its incarnation and spreads the news at once, wherever it heard the claim (piggybacked
 * news, a hot push, a peer's digest or a peer's delta). Stale claims and claims about another
 * generation change nothing.
 */
import { describe, expect, it } from "vitest";
import { Gossiper, resolveConfig, seededRng } from "../../src/core/index.js";

describe("refutation from deltas", () => {
  function lone() {
    return new Gossiper({
      cluster: "test",
      name: "a",
      generation: 1,
      config: resolveConfig({}),
      seeds: [],
      clock: () => 1000,
      rng: seededRng(1),
    });
  }
  const aboutA = (s: number, i = 0) => ({ n: "a", g: 1, i, s, from: 0, reset: false, max: 0, gc: 0, kv: [] });

  it.each([
    ["dead", 2],
    ["suspect", 1],
  ])("refutes a claim that it is %s heard in a delta (a peer's push-pull answer)", (_label, status) => {
    const a = lone();
    a.handlePush({ t: "push", v: 2, c: "test", f: "b", g: 1, delta: [aboutA(status)] });
    expect(a.incarnation).toBe(1);
    expect(a.counters.refutations).toBe(1);
    // A stale claim (below its incarnation) changes nothing.
    a.handlePush({ t: "push", v: 2, c: "test", f: "b", g: 1, delta: [aboutA(status, 0)] });
    expect(a.incarnation).toBe(1);
    // An alive claim above it can only be its own, from before a wake-up lost it: it catches
    // up to it, with no refutation.
    a.handlePush({ t: "push", v: 2, c: "test", f: "b", g: 1, delta: [aboutA(0, 5)] });
    expect(a.incarnation).toBe(5);
    expect(a.counters.refutations).toBe(1);
  });
});

describe("refutation from news and digests", () => {
  function lone() {
    return new Gossiper({
      cluster: "test",
      name: "a",
      generation: 1,
      config: resolveConfig({}),
      seeds: [],
      clock: () => 1000,
      rng: seededRng(1),
    });
  }

  it("refutes a suspicion piggybacked on a ping, and tells others at once", () => {
    const a = lone();
    a.handlePush({ t: "push", v: 2, c: "test", f: "b", g: 1, n: [["b", 1, 0, 0, 0]] });
    a.takeOutbox();
    const ack = a.handlePing({ t: "ping", v: 2, c: "test", f: "b", g: 1, s: 1, n: [["a", 1, 0, 1, 0, "b"]] });
    expect(a.incarnation).toBe(1);
    // The answer already carries the refutation, and it is pushed hot.
    expect(ack).toMatchObject({ t: "ack", n: expect.arrayContaining([["a", 1, 1, 0, 0]]) });
    expect(a.takeOutbox().map((o) => o.message.n)).toContainEqual([["a", 1, 1, 0, 0]]);
  });

  it("refutes a claim seen in a peer's digest", () => {
    const a = lone();
    a.handleDigest({
      t: "digest",
      v: 2,
      c: "test",
      f: "b",
      g: 1,
      mode: "push-pull",
      b: [],
      d: [["a", 1, 3, 2, 0]],
    });
    expect(a.incarnation).toBe(4);
  });

  it("ignores claims about another generation, and does not refute once it has left", () => {
    const a = lone();
    a.handlePush({
      t: "push",
      v: 2,
      c: "test",
      f: "b",
      g: 1,
      n: [
        ["a", 0, 5, 2, 0],
        ["a", 2, 5, 2, 0],
      ],
    });
    expect(a.incarnation).toBe(0);
    a.leave();
    a.handlePush({ t: "push", v: 2, c: "test", f: "b", g: 1, n: [["a", 1, 0, 2, 0]] });
    expect(a.incarnation).toBe(0);
    expect(a.status).toBe("left");
  });
});
