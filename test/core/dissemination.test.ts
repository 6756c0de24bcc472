/**
 * dissemination.ts: every message carries the header once and the news waiting to be
 * piggybacked, and is counted as sent; news that matters now is pushed hot to a few live
 * members, and a hot push is forwarded once by a node it taught something, never by one that
 * knew it already.
 */
import { describe, expect, it } from "vitest";
import { envelope, handlePush, pushHot, takeOutbox } from "../../src/core/dissemination.js";
import { hotFanoutFor, type PingMessage, PROTOCOL_VERSION } from "../../src/core/index.js";
import { engine, from, names } from "./support/engine.js";

describe("dissemination", () => {
  it("writes the header on every message, piggybacks queued news and counts the message as sent", () => {
    const { ctx } = engine({ peers: names(4) });
    const ping = envelope<PingMessage>(ctx, { t: "ping", s: 1 }, "p0");
    expect(ping).toMatchObject({ t: "ping", s: 1, v: PROTOCOL_VERSION, c: "test", f: "a", g: 1 });
    // The peers learned at the start are news still to be retransmitted.
    expect(ping.n?.length).toBeGreaterThan(0);
    expect(ctx.counters.messagesSent).toBe(1);
    expect(ctx.counters.bytesSent).toBe(JSON.stringify(ping).length);
  });

  it("pushes news hot to hotFanout live members, never the one it came from, plus a named extra", () => {
    const { ctx } = engine({ peers: names(30) });
    pushHot(ctx, [["p3", 1, 0, 1, 0, "a"]], [], "p0", "p3");
    const out = takeOutbox(ctx);
    const peers = out.map((o) => o.peer);
    expect(peers).toHaveLength(hotFanoutFor(ctx.config, ctx.state.size) + 1);
    expect(new Set(peers).size).toBe(peers.length);
    expect(peers).not.toContain("p0");
    expect(peers).toContain("p3");
    for (const { message } of out)
      expect(message).toMatchObject({ t: "push", hot: true, c: "test", f: "a", g: 1 });
    expect(takeOutbox(ctx)).toEqual([]);
  });

  it("forwards a hot push once when it taught something, and not when it taught nothing", () => {
    const { ctx } = engine({ peers: names(10) });
    const push = from("p0", { t: "push", hot: true, n: [["p3", 1, 0, 1, 0, "p0"]] });
    expect(handlePush(ctx, push)).toBe(true);
    const forwarded = takeOutbox(ctx);
    expect(forwarded.length).toBeGreaterThan(0);
    expect(forwarded.map((o) => o.peer)).not.toContain("p0");
    expect(forwarded[0]?.message.n).toEqual([["p3", 1, 0, 1, 0, "p0"]]);
    expect(ctx.counters.forwardsSent).toBe(1);
    handlePush(ctx, push);
    expect(takeOutbox(ctx)).toEqual([]);
    expect(ctx.counters.forwardsSent).toBe(1);
  });

  it("forwards one join a round, learns the rest quietly, and always forwards a restart", () => {
    const { ctx, advance } = engine({ peers: names(10) });
    const join = (name: string, generation = 1, incarnation = 0) =>
      handlePush(ctx, from("p0", { t: "push", hot: true, n: [[name, generation, incarnation, 0, 0]] }));
    join("first");
    expect(ctx.counters.forwardsSent).toBe(1);
    // N joins at once (a cold start) would cost N² log N forwarded: the second waits.
    join("second");
    expect(ctx.state.get("second")?.status).toBe(0);
    expect(ctx.counters.forwardsSent).toBe(1);
    takeOutbox(ctx);
    // A restart (a newer generation) and a refutation (a later incarnation) are not joins.
    join("second", 2);
    join("second", 2, 1);
    expect(ctx.counters.forwardsSent).toBe(3);
    advance(ctx.config.intervalMs);
    join("third");
    expect(ctx.counters.forwardsSent).toBe(4);
  });

  it("rejects and counts a malformed push, and learns nothing from it, not even its good news", () => {
    const { ctx } = engine({ peers: names(2) });
    const bad = from("p0", {
      t: "push",
      hot: true,
      n: [
        ["newcomer", 1, 0, 0, 0],
        ["other", 1, 0, 9, 0],
      ],
    });
    expect(handlePush(ctx, bad)).toMatchObject({ ok: false });
    expect(takeOutbox(ctx)).toEqual([]);
    expect(ctx.counters.rejectedMessages).toBe(1);
    expect(ctx.state.get("newcomer")).toBeUndefined();
  });
});
