/**
 * anti-entropy.ts: an exchange between two nodes repairs what one lacks (fingerprint, bucket
 * fingerprints, digest, delta, final push), and one between nodes that agree ends at the
 * fingerprint and doubles the pause before the next (Trickle), up to maxBackoffRounds.
 */
import { describe, expect, it } from "vitest";
import { handleDelta, handleDigest, handleSyn, handleSynAck, makeSyn } from "../../src/core/anti-entropy.js";
import { stateChanged } from "../../src/core/claims.js";
import { handlePush } from "../../src/core/dissemination.js";
import type { EngineContext } from "../../src/core/engine-context.js";
import { isAccepted } from "./support/accepted.js";
import { engine } from "./support/engine.js";

/** Runs one exchange opened by `a` with `b`; returns how many messages it took. */
function exchange(a: EngineContext, b: EngineContext): number {
  const synAck = handleSyn(b, makeSyn(a, b.name));
  if (!isAccepted(synAck)) throw new Error("syn rejected");
  const digest = handleSynAck(a, synAck);
  if (digest === null) return 2;
  if (!isAccepted(digest)) throw new Error("synack rejected");
  const delta = handleDigest(b, digest);
  if (!isAccepted(delta)) throw new Error("digest rejected");
  const push = handleDelta(a, delta);
  if (push === null) return 4;
  if (!isAccepted(push)) throw new Error("delta rejected");
  handlePush(b, push);
  return 5;
}

describe("anti-entropy", () => {
  it("brings both sides each other's keys in one push-pull exchange", () => {
    const a = engine({ name: "a", peers: ["b"] }).ctx;
    const b = engine({ name: "b", peers: ["a"] }).ctx;
    a.state.self.set("colour", "red");
    b.state.self.set("size", "9");
    a.state.refresh(a.state.self);
    b.state.refresh(b.state.self);
    expect(exchange(a, b)).toBe(5);
    expect(b.state.get("a")?.get("colour")).toBe("red");
    expect(a.state.get("b")?.get("size")).toBe("9");
    expect(a.state.fingerprint.value).toBe(b.state.fingerprint.value);
  });

  it("ends an exchange between nodes that agree at the fingerprint, and doubles the pause each time", () => {
    const a = engine({ name: "a", peers: ["b"] }).ctx;
    const b = engine({ name: "b", peers: ["a"] }).ctx;
    exchange(a, b);
    exchange(b, a);
    stateChanged(a); // any change here: the next exchange is due at once
    expect(a.aePause).toBe(1);
    const quiet = a.counters.exchangesQuiet;
    const pauses: number[] = [];
    for (let i = 0; i < 6; i++) {
      expect(exchange(a, b)).toBe(2);
      pauses.push(a.aePause);
    }
    expect(pauses).toEqual([2, 4, 8, 16, 16, 16]);
    expect(a.config.maxBackoffRounds).toBe(16);
    expect(a.counters.exchangesQuiet - quiet).toBe(6);
  });

  it("counts a rejected answer as a failed exchange", () => {
    const a = engine({ name: "a", peers: ["b"] }).ctx;
    expect(handleSynAck(a, { t: "synack", v: 2, c: "elsewhere", f: "b", g: 1 })).toMatchObject({ ok: false });
    expect(a.counters.exchangesFailed).toBe(1);
    expect(a.counters.rejectedMessages).toBe(1);
  });

  it("never takes a peer of the 32-bit width as equal, either way (issue 19, item 14)", () => {
    const a = engine({ name: "a", peers: ["b"] }).ctx;
    const b = engine({ name: "b", peers: ["a"] }).ctx;
    exchange(a, b);
    exchange(b, a);
    expect(exchange(a, b)).toBe(2);
    // An old node's Syn: its 32-bit fingerprint, here equal to our low half, and no high half.
    const { lo } = b.state.fingerprint.halves;
    const oldSyn = { v: 2, c: "test", f: "a", g: 1, t: "syn", mode: "push-pull", fp: lo };
    const answer = handleSyn(b, oldSyn);
    expect(answer).not.toHaveProperty("eq");
    expect(answer).toHaveProperty("bk");
    // An old node's SynAck: eq with no high half, or bucket values with no high halves.
    for (const body of [{ eq: true }, { bk: b.state.fingerprint.bucketValues().bk }]) {
      const digest = handleSynAck(a, { v: 2, c: "test", f: "b", g: 1, t: "synack", ...body });
      expect(digest).toMatchObject({ t: "digest" });
      expect((digest as { b: number[] }).b).toHaveLength(64);
    }
    // Our own Syn is above every 32-bit fingerprint, so an old node never finds it equal.
    expect(makeSyn(a, "b").fp).toBeGreaterThanOrEqual(2 ** 32);
  });
});
