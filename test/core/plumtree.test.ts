/**
 * plumtree.ts: a write goes eagerly to a few tree links, not to log2 N + 1 peers; a duplicate
 * prunes the link it came over; "I have" notices ride on probes; a notice that beats its write
 * grafts the announcer after the probe timeout, again a round later while it is missing (up to
 * graftTries), and the announcer sends the write and keeps the link eager. Every structure is bounded, and malformed tree fields are rejected and
 * counted while unknown ones are ignored.
 */
import { describe, expect, it } from "vitest";
import { ownChange } from "../../src/core/claims.js";
import { envelope, handlePush, takeOutbox } from "../../src/core/dissemination.js";
import type { EngineContext } from "../../src/core/engine-context.js";
import type { NodeDelta, PingMessage, PushMessage } from "../../src/core/index.js";
import { PLUMTREE_LIMITS, treeRound } from "../../src/core/plumtree.js";
import { handlePing } from "../../src/core/probing.js";
import { nextWakeRounds } from "../../src/core/rounds.js";
import { engine, from, names } from "./support/engine.js";

/** This node writes `key`; returns the outbox it leaves. */
function write(ctx: EngineContext, key: string, value: string) {
  ctx.state.self.set(key, value);
  ownChange(ctx, true);
  return takeOutbox(ctx);
}

/** A delta of `origin` at generation 1 holding versions 1..version of key `k`. */
function deltaOf(origin: string, version: number): NodeDelta {
  return {
    n: origin,
    g: 1,
    i: 0,
    s: 0,
    from: version - 1,
    reset: false,
    max: version,
    gc: 0,
    kv: [["k", `v${version}`, version]],
  };
}

describe("plumtree", () => {
  it("pushes a write to its few eager links only, and announces it on the next probe", () => {
    const { ctx } = engine({ peers: names(100) });
    const out = write(ctx, "k", "v");
    expect(out).toHaveLength(PLUMTREE_LIMITS.initialEager);
    for (const { message } of out)
      expect(message).toMatchObject({ t: "push", hot: true, delta: [{ n: "a" }] });
    // The same links carry the next write: the tree is kept, not drawn again.
    expect(
      write(ctx, "k", "w")
        .map((o) => o.peer)
        .sort(),
    ).toEqual(out.map((o) => o.peer).sort());
    const ping = envelope<PingMessage>(ctx, { t: "ping", s: 1 }, "p50");
    expect(ping.ih).toEqual([["a", 1, ctx.state.self.maxVersion]]);
  });

  it("forwards a fresh write down the tree and prunes the link a duplicate came over", () => {
    const { ctx } = engine({ peers: names(20) });
    const push = (sender: string) => from(sender, { t: "push", hot: true, delta: [deltaOf("p9", 1)] });
    expect(handlePush(ctx, push("p0"))).toBe(true);
    const forwarded = takeOutbox(ctx);
    expect(forwarded.length).toBeGreaterThan(0);
    expect(forwarded.map((o) => o.peer)).not.toContain("p0");
    expect(ctx.tree.eager.has("p0")).toBe(true);
    ctx.tree.promote("p1");
    expect(handlePush(ctx, push("p1"))).toBe(true);
    expect(takeOutbox(ctx)).toEqual([
      { peer: "p1", message: expect.objectContaining({ t: "push", prune: true }) },
    ]);
    expect(ctx.tree.eager.has("p1")).toBe(false);
    expect(ctx.counters.prunesSent).toBe(1);
    // A prune received moves its sender to lazy too.
    handlePush(ctx, from("p0", { t: "push", prune: true }));
    expect(ctx.tree.eager.has("p0")).toBe(false);
  });

  it("grafts the announcer of a write it heard of first, once the probe timeout has passed", () => {
    const t = engine({ peers: names(10) });
    const { ctx } = t;
    handlePing(ctx, from("p3", { t: "ping", s: 1, ih: [["p5", 1, 4]] }));
    takeOutbox(ctx);
    // Its first round joins the tree: a few links, each told with an empty graft.
    treeRound(ctx);
    const joined = takeOutbox(ctx);
    expect(joined).toHaveLength(PLUMTREE_LIMITS.initialEager);
    for (const { message } of joined) expect(message).toMatchObject({ t: "push", graft: [] });
    treeRound(ctx);
    expect(takeOutbox(ctx)).toEqual([]);
    t.advance(ctx.config.probeTimeoutMs);
    treeRound(ctx);
    const [graft] = takeOutbox(ctx);
    expect(graft).toEqual({
      peer: "p3",
      message: expect.objectContaining({ t: "push", graft: [["p5", 1, 0]] }),
    });
    expect(ctx.tree.eager.has("p3")).toBe(true);
    expect(ctx.counters.graftsSent).toBe(PLUMTREE_LIMITS.initialEager + 1);
  });

  it("grafts again a round later while the write is missing, at most graftTries times, busy meanwhile", () => {
    const t = engine({ peers: names(10) });
    const { ctx } = t;
    treeRound(ctx);
    takeOutbox(ctx); // joined the tree
    ctx.aePause = ctx.config.maxBackoffRounds; // quiet
    expect(nextWakeRounds(ctx)).toBeGreaterThan(1);
    handlePing(ctx, from("p3", { t: "ping", s: 1, ih: [["p5", 1, 4]] }));
    takeOutbox(ctx);
    expect(nextWakeRounds(ctx)).toBe(1);
    const grafts = () => takeOutbox(ctx).filter((o) => (o.message as PushMessage).graft?.length);
    t.advance(ctx.config.probeTimeoutMs);
    for (let tries = 0; tries < PLUMTREE_LIMITS.graftTries; tries++) {
      treeRound(ctx);
      expect(grafts()).toHaveLength(1); // the graft, or its answer, was lost
      treeRound(ctx);
      expect(grafts()).toHaveLength(0); // not again within the round
      t.advance(ctx.config.intervalMs);
    }
    treeRound(ctx);
    expect(grafts()).toHaveLength(0); // left to anti-entropy
    expect(ctx.tree.missing.size).toBe(0);
    expect(nextWakeRounds(ctx)).toBeGreaterThan(1);
  });

  it("does not graft when the write arrives before the timer runs out", () => {
    const t = engine({ peers: names(10) });
    const { ctx } = t;
    handlePing(ctx, from("p3", { t: "ping", s: 1, ih: [["p5", 1, 1]] }));
    handlePush(ctx, from("p4", { t: "push", hot: true, delta: [deltaOf("p5", 1)] }));
    takeOutbox(ctx);
    t.advance(ctx.config.probeTimeoutMs);
    treeRound(ctx);
    expect(takeOutbox(ctx).filter((o) => (o.message as PushMessage).graft)).toEqual([]);
  });

  it("answers a graft with the writes asked for, eagerly from then on", () => {
    const { ctx } = engine({ peers: names(10) });
    write(ctx, "k", "v");
    write(ctx, "k", "w");
    handlePush(ctx, from("p7", { t: "push", graft: [["a", 1, 1]] }));
    const [answer] = takeOutbox(ctx);
    expect(answer?.peer).toBe("p7");
    const pushed = answer?.message as PushMessage;
    expect(pushed.delta?.[0]).toMatchObject({
      n: "a",
      from: 1,
      kv: [["k", "w", 2]],
    });
    expect(ctx.tree.eager.has("p7")).toBe(true);
  });

  it("reports its eager links when they change, and a new engine takes them back without drawing anew", () => {
    const { ctx } = engine({ peers: names(100) });
    const first = write(ctx, "k", "v").map((o) => o.peer);
    const saved = ctx.tree.takeEagerChange();
    expect(saved?.slice().sort()).toEqual(first.slice().sort());
    // Another write on the same links changes nothing to save.
    write(ctx, "k", "w");
    expect(ctx.tree.takeEagerChange()).toBeUndefined();
    // A node woken from hibernation: the saved links carry its next write, and nothing is new.
    const woken = engine({ peers: names(100) }).ctx;
    woken.tree.restoreEager(saved ?? []);
    expect(
      write(woken, "k", "x")
        .map((o) => o.peer)
        .sort(),
    ).toEqual(first.slice().sort());
    expect(woken.tree.takeEagerChange()).toBeUndefined();
    // A prune is a change to save.
    handlePush(woken, from(first[0] as string, { t: "push", prune: true }));
    expect(woken.tree.takeEagerChange()).toEqual(first.filter((peer) => peer !== first[0]));
  });

  it("keeps every structure within its bound", () => {
    const { ctx } = engine({ peers: names(300) });
    for (let i = 0; i < 100; i++) ctx.tree.promote(`p${i}`);
    expect(ctx.tree.eager.size).toBe(PLUMTREE_LIMITS.maxEager);
    for (let i = 0; i < 300; i++) ctx.tree.announce(`p${i}`, 1, 1);
    expect(ctx.tree.haveCount).toBe(PLUMTREE_LIMITS.haveQueue);
    const ih = names(200).map((name) => [name, 1, 3]);
    for (let i = 0; i < 4; i++)
      handlePing(ctx, from("p0", { t: "ping", s: i, ih: ih.slice(i * 50, i * 50 + 50) }));
    expect(ctx.tree.missing.size).toBe(PLUMTREE_LIMITS.missing);
    const ping = envelope<PingMessage>(ctx, { t: "ping", s: 1 }, "p1");
    expect(ping.ih?.length).toBe(PLUMTREE_LIMITS.havesPerMessage);
  });

  it("rejects and counts malformed tree fields, and ignores fields it does not know", () => {
    const { ctx } = engine({ peers: names(4) });
    const bad = [
      from("p0", { t: "ping", s: 1, ih: [["p1", 1]] }),
      from("p0", { t: "ping", s: 1, ih: "p1" }),
      from("p0", { t: "push", prune: "yes" }),
      from("p0", { t: "push", graft: [["p1", -1, 0]] }),
    ];
    for (const message of bad) {
      const answer = message.t === "ping" ? handlePing(ctx, message) : handlePush(ctx, message);
      expect(answer).toMatchObject({ ok: false });
    }
    expect(ctx.counters.rejectedMessages).toBe(bad.length);
    expect(ctx.tree.missing.size).toBe(0);
    // A newer peer's unknown field is no reason to refuse.
    expect(handlePush(ctx, from("p0", { t: "push", future: [1, 2, 3] }))).toBe(true);
  });
});
