/**
 * probing.ts: a wake probes each reachable member at most once, probes less while local health
 * is poor, and a probe's end decides what the node believes: a silent member becomes suspect
 * and is told so at once, an ack heals local health, a refusal proves nothing against us.
 */
import { describe, expect, it } from "vitest";
import { handlePush } from "../../src/core/dissemination.js";
import type { RoundPlan } from "../../src/core/engine-types.js";
import {
  handlePing,
  handleProbeReply,
  planProbes,
  probeAnswer,
  probeResult,
} from "../../src/core/probing.js";
import { engine, from, names } from "./support/engine.js";

const emptyPlan = (): RoundPlan => ({ probes: [], exchanges: [] });

describe("probing", () => {
  it("plans probesPerRound probes a round, each a different member, each with its ping", () => {
    const { ctx } = engine({ peers: names(20) });
    const plan = emptyPlan();
    planProbes(ctx, 4, plan);
    const targets = plan.probes.map((probe) => probe.target);
    expect(targets).toHaveLength(Math.floor(4 * ctx.config.probesPerRound));
    expect(new Set(targets).size).toBe(targets.length);
    for (const { ping } of plan.probes) expect(ping).toMatchObject({ t: "ping", c: "test", f: "a" });
    expect(ctx.counters.probesSent).toBe(targets.length);
  });

  it("probes every (1 + health) rounds while its own acks go missing", () => {
    const { ctx } = engine({ peers: names(20) });
    ctx.awareness.apply(3);
    const plan = emptyPlan();
    planProbes(ctx, 8, plan);
    // Rounds 1 and 5 probe, the three after each wait: 1.5 probes' credit, then 2 more.
    expect(ctx.config.probesPerRound).toBe(1.5);
    expect(plan.probes).toHaveLength(3);
  });

  it("declares a silent member suspect and tells the suspect at once", () => {
    const { ctx } = engine({ peers: names(5) });
    probeResult(ctx, "p2", "silent", 0, 0);
    expect(ctx.state.get("p2")?.status).toBe(1);
    expect(ctx.counters.suspicionsRaised).toBe(1);
    expect(ctx.outbox.map((out) => out.peer)).toContain("p2");
    expect(ctx.events.map((event) => [event.type, event.node, event.by])).toEqual([["suspect", "p2", "a"]]);
    expect(ctx.awareness.health).toBe(1);
  });

  it("probes a fresh suspicion told by its reporter at the next wake; a confirmation starts no more", () => {
    const { ctx } = engine({ peers: names(20) });
    // Told by the suspecter itself: probe p3 at the next wake, outside the schedule.
    handlePush(ctx, from("p0", { t: "push", hot: true, n: [["p3", 1, 0, 1, 0, "p0"]] }));
    // Told second-hand (a forward from p1): the first hop probes, not everyone.
    handlePush(ctx, from("p1", { t: "push", hot: true, n: [["p4", 1, 0, 1, 0, "p0"]] }));
    let plan = emptyPlan();
    planProbes(ctx, 0, plan);
    expect(plan.probes.map((probe) => probe.target)).toEqual(["p3"]);
    // A confirmation pushed by its confirmer finds one already counted: no second wave.
    handlePush(ctx, from("p5", { t: "push", hot: true, n: [["p4", 1, 0, 1, 0, "p5"]] }));
    handlePush(ctx, from("p6", { t: "push", hot: true, n: [["p4", 1, 0, 1, 0, "p6"]] }));
    plan = emptyPlan();
    planProbes(ctx, 0, plan);
    expect(plan.probes).toEqual([]);
    // Its silent probe is an independent confirmation.
    probeResult(ctx, "p3", "silent", 0, 0);
    expect(ctx.records.suspicion("p3")?.confirmations).toBe(1);
  });

  it("heals local health on an ack, and a refusal neither hurts it nor accuses anyone of silence", () => {
    const { ctx } = engine({ peers: names(5) });
    ctx.awareness.apply(2);
    probeResult(ctx, "p1", "ack", 0, 0);
    expect(ctx.awareness.health).toBe(1);
    probeResult(ctx, "p1", "refused", 0, 0);
    expect(ctx.awareness.health).toBe(1);
  });

  it("answers a ping with an ack that echoes its sequence, and a ping-req with ack or nack", () => {
    const { ctx } = engine({ peers: names(3) });
    expect(handlePing(ctx, from("p0", { t: "ping", s: 41 }))).toMatchObject({ t: "ack", s: 41, f: "a" });
    const request = { ...from("p1", { t: "pingreq", s: 7, target: "p2" }) } as Parameters<
      typeof probeAnswer
    >[1];
    expect(probeAnswer(ctx, request, true)).toMatchObject({ t: "ack", s: 7 });
    expect(probeAnswer(ctx, request, false)).toMatchObject({ t: "nack", s: 7 });
  });

  it("takes an ack from the probed member as its ack, and rejects a reply for another cluster", () => {
    const { ctx } = engine({ peers: names(3) });
    expect(handleProbeReply(ctx, from("p0", { t: "ack", s: 1 }), "p0")).toBe(true);
    expect(handleProbeReply(ctx, from("p0", { t: "nack", s: 1 }), "p0")).toBe(false);
    const reply = handleProbeReply(ctx, { ...from("p0", { t: "ack", s: 1 }), c: "other" }, "p0");
    expect(reply).toMatchObject({ ok: false });
    expect(ctx.counters.rejectedMessages).toBe(1);
  });
});
