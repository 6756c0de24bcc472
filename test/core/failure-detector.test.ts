/**
 * Phi-accrual detector: hand-computed values and behaviour on steady, jittery and stopped
 * heartbeats; the per-member record that holds it; and what a view's `heartbeat` and `phi`
 * hold under each detector.
 */
import { describe, expect, it } from "vitest";
import { ArrivalWindow, phi, seededRng } from "../../src/core/index.js";
import { MemberTable } from "../../src/core/member-table.js";
import { MemberRecords } from "../../src/core/membership.js";
import { MemoryCluster } from "./support/memory-cluster.js";

describe("phi", () => {
  // Hand computation with the logistic approximation, y = (t - mean) / sd:
  //   e = exp(-y * (1.5976 + 0.070566 * y^2)); phi = -log10(e / (1 + e)) when t > mean.
  // y = 1: e = exp(-1.668166) = 0.188592, e/(1+e) = 0.158670, phi = 0.79951
  // y = 2: e = exp(-2 * (1.5976 + 0.282264)) = exp(-3.759728) = 0.023289, ratio 0.022759, phi = 1.64283
  // y = 0: phi = -log10(1 - 1/2) = log10 2 = 0.30103
  it("matches hand-computed values", () => {
    expect(phi(1000, 1000, 100)).toBeCloseTo(0.30103, 4);
    expect(phi(1100, 1000, 100)).toBeCloseTo(0.79951, 4);
    expect(phi(1200, 1000, 100)).toBeCloseTo(1.64283, 4);
    expect(phi(1300, 1000, 100)).toBeCloseTo(2.90948, 4);
    expect(phi(1500, 1000, 100)).toBeCloseTo(7.29995, 4);
    expect(phi(900, 1000, 100)).toBeCloseTo(0.07503, 4);
  });

  it("grows with elapsed time and stays finite far into the tail", () => {
    let previous = -1;
    for (let t = 0; t <= 20_000; t += 50) {
      const value = phi(t, 1000, 200);
      expect(value).toBeGreaterThanOrEqual(previous);
      expect(Number.isFinite(value)).toBe(true);
      previous = value;
    }
  });
});

const options = { window: 100, minStdDevMs: 100, acceptablePauseMs: 0, firstIntervalEstimateMs: 1000 };

describe("ArrivalWindow", () => {
  it("uses the window's mean and the standard deviation floor", () => {
    const window = new ArrivalWindow(options);
    for (const t of [0, 1000, 2000, 3000]) window.arrived(t);
    expect(window.mean()).toBe(1000);
    expect(window.stdDev()).toBe(100);
    expect(window.phi(4000)).toBeCloseTo(0.30103, 4);
    expect(window.phi(4100)).toBeCloseTo(0.79951, 4);
    expect(window.phi(4500)).toBeCloseTo(7.29995, 4);
  });

  it("adds the acceptable pause to the mean", () => {
    const window = new ArrivalWindow({ ...options, acceptablePauseMs: 500 });
    for (const t of [0, 1000, 2000]) window.arrived(t);
    expect(window.phi(3500)).toBeCloseTo(0.30103, 4);
  });

  it("keeps only the last `window` samples", () => {
    const window = new ArrivalWindow({ ...options, window: 3 });
    let t = 0;
    for (const gap of [5000, 5000, 5000, 1000, 1000, 1000]) {
      t += gap;
      window.arrived(t);
    }
    expect(window.sampleCount()).toBe(3);
    expect(window.mean()).toBe(1000);
  });

  it("starts from the first interval estimate", () => {
    const window = new ArrivalWindow(options);
    expect(window.phi(0)).toBe(0);
    window.arrived(0);
    expect(window.mean()).toBe(1000);
    expect(window.stdDev()).toBe(250);
  });

  it("never suspects a steady heartbeat", () => {
    const window = new ArrivalWindow({ ...options, minStdDevMs: 50 });
    for (let t = 0; t <= 60_000; t += 1000) {
      window.arrived(t);
      expect(window.phi(t + 999)).toBeLessThan(1);
    }
  });

  it("tolerates a jittery heartbeat (intervals 500..1500 ms) below threshold 8", () => {
    const rng = seededRng(42);
    const window = new ArrivalWindow({ ...options, minStdDevMs: 500, acceptablePauseMs: 1000 });
    let t = 0;
    let worst = 0;
    for (let i = 0; i < 500; i++) {
      const gap = 500 + rng() * 1000;
      worst = Math.max(worst, window.phi(t + gap));
      t += gap;
      window.arrived(t);
    }
    expect(worst).toBeLessThan(8);
  });

  it("crosses threshold 8 within five seconds of a stopped 1 s heartbeat", () => {
    const window = new ArrivalWindow({ ...options, minStdDevMs: 500, acceptablePauseMs: 1000 });
    for (let t = 0; t <= 30_000; t += 1000) window.arrived(t);
    const last = 30_000;
    expect(window.phi(last + 2000)).toBeLessThan(1);
    let crossed = Number.POSITIVE_INFINITY;
    for (let t = last; t <= last + 20_000; t += 10) {
      if (window.phi(t) >= 8) {
        crossed = t - last;
        break;
      }
    }
    // mean 1000 + pause 1000 + about 5.4 standard deviations of 500 ms.
    expect(crossed).toBeGreaterThan(4000);
    expect(crossed).toBeLessThan(5000);
  });
});

describe("MemberRecords", () => {
  it("has phi 0 before any heartbeat, grows after them, and restarts from nothing", () => {
    const table = new MemberTable();
    table.insert("m", 1);
    const records = new MemberRecords(table, options);
    records.reset("m", 0);
    expect(records.phi("m", 10_000)).toBe(0);
    for (const t of [0, 1000, 2000, 3000]) records.heartbeat("m", t);
    expect(records.phi("m", 4000)).toBeCloseTo(0.30103, 4);
    expect(records.phi("m", 4500)).toBeCloseTo(7.29995, 4);
    records.resetHeartbeats("m");
    expect(records.phi("m", 60_000)).toBe(0);
  });
});

describe("what a view's heartbeat and phi hold", { timeout: 30_000 }, () => {
  it("under swim: the observer's own wake count, acks from each member, and phi 0", async () => {
    const cluster = new MemoryCluster({ size: 8, seed: 21, start: "converged" });
    await cluster.rounds(40);
    const n0 = cluster.node("n0");
    // Quiet, it wakes every 16 rounds: its heartbeat counts its wakes.
    expect(n0.memberView("n0")?.heartbeat).toBe(n0.counters.wakes);
    expect(n0.counters.wakes).toBeLessThan(10);
    const others = n0.view().filter((member) => member.node !== "n0");
    // Every probe answered, one ack each. A wake pays 1.5 probes a round (the default) up to
    // the next wake, 24 for 16 rounds: more than the seven members, so it probes each once.
    expect(others.reduce((sum, member) => sum + member.heartbeat, 0)).toBe(n0.counters.probesSent);
    expect(others.every((member) => member.heartbeat === n0.counters.wakes)).toBe(true);
    expect(others.every((member) => member.phi === 0)).toBe(true);
  });

  it("under phi: relayed heartbeats, judged by phi accrual, which declares a crashed node dead", async () => {
    const cluster = new MemoryCluster({
      size: 20,
      seed: 22,
      start: "converged",
      config: { detector: "phi" },
    });
    await cluster.rounds(20);
    const n0 = cluster.node("n0");
    const n5 = n0.memberView("n5");
    expect(n5?.heartbeat).toBeGreaterThanOrEqual(17);
    expect(n5?.phi).toBeGreaterThan(0);
    expect(n5?.phi).toBeLessThan(8);
    // Nobody probes under phi.
    expect(cluster.total("probesSent")).toBe(0);
    cluster.crash("n5");
    const nonAlive = await cluster.runUntil(() => cluster.statusEverywhere("n5", "suspect", "dead"), 40);
    const dead = nonAlive + (await cluster.runUntil(() => cluster.statusEverywhere("n5", "dead"), 40));
    console.log(
      `[core-cluster] phi, 20 nodes: crashed node non-alive everywhere ${nonAlive} rounds, dead ${dead}`,
    );
    expect(nonAlive).toBeLessThanOrEqual(7); // measured 5
    expect(dead).toBeLessThanOrEqual(16); // measured 13
    const running = new Set(cluster.running().map((node) => node.name));
    expect(cluster.events.filter(([, e]) => e.type === "suspect" && running.has(e.node))).toEqual([]);
  });
});
