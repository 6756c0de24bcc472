/**
 * claims.ts: news about a member is merged once and raised as an event; a claim that this
 * node is suspect or dead is refuted with a higher incarnation; the node's own judgement is
 * declared and spread at once; a forgotten member stays forgotten; and a message that fails
 * its checks changes nothing.
 */
import { describe, expect, it } from "vitest";
import { hostHeartbeat } from "../../src/core/agent-hosting.js";
import { declare, forget, leave, merge, receive, rejectUnknown } from "../../src/core/claims.js";
import { takeOutbox } from "../../src/core/dissemination.js";
import { engine, from, names } from "./support/engine.js";

describe("claims", () => {
  it("learns a member from news once: one joined event, one peer more", () => {
    const { ctx } = engine({ peers: names(2) });
    const news = from("p0", { t: "push", n: [["p9", 1, 0, 0, 0]] });
    receive(ctx, news, ["push"]);
    receive(ctx, news, ["push"]);
    expect(ctx.events.map((event) => [event.type, event.node])).toEqual([["joined", "p9"]]);
    expect(ctx.peers.size(1)).toBe(3);
  });

  it("refutes a suspicion of itself with a higher incarnation, pushed at once", () => {
    const { ctx } = engine({ peers: names(4) });
    receive(ctx, from("p0", { t: "push", n: [["a", 1, 0, 1, 0, "p0"]] }), ["push"]);
    expect(ctx.state.self.incarnation).toBe(1);
    expect(ctx.counters.refutations).toBe(1);
    const pushed = takeOutbox(ctx).flatMap((out) => out.message.n ?? []);
    expect(pushed).toContainEqual(["a", 1, 1, 0, 0]);
  });

  it("declares its own suspicion, tells the suspect, and takes back nothing when the suspect refutes", () => {
    const { ctx } = engine({ peers: names(4) });
    declare(ctx, "p1", 1);
    expect(ctx.suspects.has("p1")).toBe(true);
    expect(takeOutbox(ctx).map((out) => out.peer)).toContain("p1");
    receive(ctx, from("p1", { t: "push", n: [["p1", 1, 1, 0, 0]] }), ["push"]);
    expect(ctx.state.get("p1")?.status).toBe(0);
    expect(ctx.events.map((event) => event.type)).toEqual(["suspect", "alive"]);
  });

  it("tells an agent's home of the agent's suspicion, never the agent by name (issue 19, item 10)", () => {
    const home = engine({ name: "p1", peers: ["a", "p0", "p2"] });
    hostHeartbeat(home.ctx, "worker", 500, undefined, () => {});
    const delta = home.ctx.state.deltas([{ name: "worker", fromVersion: 0, peerGc: 0 }], 100_000);
    const { ctx } = engine({ peers: names(4) });
    merge(ctx, delta, "p1");
    takeOutbox(ctx);
    declare(ctx, "worker", 1);
    const told = takeOutbox(ctx).map((out) => out.peer);
    expect(told).toContain("p1");
    expect(told).not.toContain("worker");
  });

  it("forgets a member into the graveyard, and old news of it does not bring it back", () => {
    const { ctx, now } = engine({ peers: names(3) });
    declare(ctx, "p2", 2);
    forget(ctx, "p2", now());
    expect(ctx.state.get("p2")).toBeUndefined();
    expect(ctx.state.graveyard.has("p2")).toBe(true);
    receive(ctx, from("p0", { t: "push", n: [["p2", 1, 0, 0, 0]] }), ["push"]);
    expect(ctx.state.get("p2")).toBeUndefined();
    expect(ctx.events.map((event) => event.type)).toEqual(["dead", "forgotten"]);
  });

  it("rejects a message for another cluster, of another version or of no known type, merging none of its news", () => {
    const { ctx } = engine({ peers: names(2) });
    const news = [["p9", 1, 0, 0, 0]];
    expect(receive(ctx, { ...from("p0", { t: "push", n: news }), c: "other" }, ["push"])).toMatchObject({
      ok: false,
    });
    expect(receive(ctx, { ...from("p0", { t: "push", n: news }), v: 1 }, ["push"])).toMatchObject({
      ok: false,
    });
    expect(rejectUnknown(ctx, from("p0", { t: "exchange", n: news }))).toEqual({
      ok: false,
      reason: "unknown message type exchange",
    });
    expect(ctx.counters.rejectedMessages).toBe(3);
    expect(ctx.state.get("p9")).toBeUndefined();
  });

  it("leaves once: left is pushed at once and raised as one event", () => {
    const { ctx } = engine({ peers: names(3) });
    leave(ctx);
    leave(ctx);
    expect(ctx.selfStatus).toBe("left");
    expect(takeOutbox(ctx).length).toBeGreaterThan(0);
    expect(ctx.events.map((event) => [event.type, event.node])).toEqual([["left", "a"]]);
  });
});
