/**
 * rounds.ts: a wake counts every round it covers; a left node plans nothing; a suspicion runs
 * out into a death; and a node with work pending (a suspicion) wakes every round while a quiet
 * one waits up to roundsPerWake.
 */
import { describe, expect, it } from "vitest";
import { declare } from "../../src/core/claims.js";
import { beginRound, latestWake, nextWakeRounds, tick } from "../../src/core/rounds.js";
import { suspicionBounds } from "../../src/core/suspicion.js";
import { engine, names } from "./support/engine.js";

describe("rounds", () => {
  it("counts every round a wake covers, and each wake once", () => {
    const { ctx, advance } = engine({ peers: names(4) });
    beginRound(ctx, 0);
    advance(3 * ctx.config.intervalMs);
    beginRound(ctx, 0);
    expect(ctx.counters.wakes).toBe(2);
    expect(ctx.counters.rounds).toBe(4);
  });

  it("pays probes ahead to the predicted next wake; a sooner wake pays only what is not paid", () => {
    const { ctx, advance } = engine({ peers: names(60) });
    ctx.selfStatus = "alive";
    const { intervalMs, roundsPerWake, probesPerRound } = ctx.config;
    ctx.aePause = roundsPerWake / 2;
    // The pause may double after this wake's exchange: pay up to the wake that far on.
    const first = beginRound(ctx, 0).probes.length;
    expect(ctx.probesPaidUntil).toBeGreaterThan(ctx.clock() + (roundsPerWake / 2) * intervalMs);
    expect(ctx.probesPaidUntil).toBeLessThanOrEqual(ctx.clock() + (roundsPerWake + 1) * intervalMs);
    expect(first).toBeGreaterThan(0);
    // Woken a round later (news made it busy): everything up to then is paid already.
    advance(intervalMs);
    ctx.aePause = 1;
    expect(beginRound(ctx, 0).probes).toEqual([]);
    // Over many wakes the rate is probesPerRound whatever the wakes' spacing.
    ctx.aePause = roundsPerWake;
    let probes = first;
    for (let wake = 0; wake < 20; wake++) {
      advance(roundsPerWake * intervalMs);
      probes += beginRound(ctx, 0).probes.length;
    }
    const paidRounds = ((ctx.probesPaidUntil as number) - 1_000_000) / intervalMs;
    expect(probes).toBeGreaterThanOrEqual(Math.floor(paidRounds * probesPerRound) - 1);
    expect(probes).toBeLessThanOrEqual(Math.ceil(paidRounds * probesPerRound));
  });

  it("raises the heartbeat to the floor it is given", () => {
    const { ctx } = engine();
    beginRound(ctx, 500);
    expect(ctx.state.self.heartbeat).toBe(500);
    beginRound(ctx, 0);
    expect(ctx.state.self.heartbeat).toBe(501);
  });

  it("plans probes and exchanges while alive, nothing once left", () => {
    const { ctx } = engine({ peers: names(6) });
    ctx.selfStatus = "alive";
    const plan = beginRound(ctx, 0);
    expect(plan.probes.length).toBeGreaterThan(0);
    expect(plan.exchanges.length).toBeGreaterThan(0);
    ctx.selfStatus = "left";
    expect(beginRound(ctx, 0)).toEqual({ probes: [], exchanges: [] });
  });

  it("declares a suspect dead when its suspicion runs out, not before", () => {
    const { ctx, advance } = engine({ peers: names(4) });
    declare(ctx, "p1", 1);
    const { maxMs } = suspicionBounds(
      ctx.config.intervalMs,
      ctx.state.size,
      ctx.config.suspicionMult,
      ctx.config.suspicionMaxMult,
    );
    advance(maxMs - 1);
    tick(ctx);
    expect(ctx.state.get("p1")?.status).toBe(1);
    advance(1);
    tick(ctx);
    expect(ctx.state.get("p1")?.status).toBe(2);
  });

  it("wakes every round while a suspicion is pending, and up to roundsPerWake when quiet", () => {
    const { ctx, now } = engine({ peers: names(4) });
    ctx.selfStatus = "alive";
    ctx.aePause = ctx.config.maxBackoffRounds;
    expect(nextWakeRounds(ctx)).toBeGreaterThan(1);
    const quietLatest = latestWake(ctx, now());
    declare(ctx, "p1", 1);
    ctx.aePause = ctx.config.maxBackoffRounds;
    expect(nextWakeRounds(ctx)).toBe(1);
    expect(latestWake(ctx, now())).toBeLessThan(quietLatest);
  });
});
