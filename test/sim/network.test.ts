import { describe, expect, it } from "vitest";
import { seededRng } from "../../src/core/index.js";
import { VirtualClock } from "../../src/sim/clock.js";
import { fixedLatency, lognormalLatency, parseLatency, uniformLatency } from "../../src/sim/latency.js";
import { Network } from "../../src/sim/network.js";

function network(loss: number, latency = fixedLatency(5)) {
  const clock = new VirtualClock();
  const net = new Network(clock, { loss, latency, rng: seededRng(7) });
  return { clock, net };
}

describe("virtual network", () => {
  it("drops about the configured fraction of messages", () => {
    const { clock, net } = network(0.2);
    const n = 20_000;
    let delivered = 0;
    for (let i = 0; i < n; i++) net.send("a", "b", () => delivered++);
    clock.runFor(1000);
    // Binomial(20000, 0.2): sd ~ 57 messages; 5 sd either side.
    expect(n - delivered).toBeGreaterThan(0.2 * n - 5 * 57);
    expect(n - delivered).toBeLessThan(0.2 * n + 5 * 57);
    expect(net.stats.lost).toBe(n - delivered);
  });

  it("delivers nothing across a partition, everything within, and everything again after healing", () => {
    const { clock, net } = network(0);
    net.split([
      ["a", "b"],
      ["c", "d"],
    ]);
    const got: string[] = [];
    const pairs = [
      ["a", "b"],
      ["c", "d"],
      ["a", "c"],
      ["d", "b"],
    ] as const;
    for (const [from, to] of pairs) net.send(from, to, () => got.push(`${from}${to}`));
    clock.runFor(100);
    expect(got.sort()).toEqual(["ab", "cd"]);
    net.heal();
    got.length = 0;
    for (const [from, to] of pairs) net.send(from, to, () => got.push(`${from}${to}`));
    clock.runFor(200);
    expect(got.sort()).toEqual(["ab", "cd", "ac", "db"].sort());
  });

  it("delivers each message after a latency within the distribution's bounds", () => {
    const latency = uniformLatency(2, 8);
    const { clock, net } = network(0, latency);
    const delays: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const sentAt = clock.now;
      net.send("a", "b", () => delays.push(clock.now - sentAt));
    }
    clock.runFor(100);
    expect(delays).toHaveLength(2000);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...delays)).toBeLessThanOrEqual(8);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(4.7);
    expect(mean).toBeLessThan(5.3);
  });

  it("samples a lognormal latency with the configured mean", () => {
    const latency = lognormalLatency(5, 0.5);
    const rng = seededRng(3);
    const samples = Array.from({ length: 20_000 }, () => latency.sample(rng));
    expect(Math.min(...samples)).toBeGreaterThan(0);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    expect(mean).toBeGreaterThan(4.85);
    expect(mean).toBeLessThan(5.15);
  });

  it("parses latency specs and rejects bad ones", () => {
    expect(parseLatency("uniform:1:3").mean).toBe(2);
    expect(parseLatency("lognormal:4").mean).toBe(4);
    expect(() => parseLatency("uniform:3:1")).toThrow(/min/);
    expect(() => parseLatency("gamma:2")).toThrow(/expected/);
  });

  it("runs events in time order, ties in scheduling order", () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    clock.at(10, () => order.push("b"));
    clock.at(5, () => order.push("a"));
    clock.at(10, () => order.push("c"));
    clock.runFor(20);
    expect(order).toEqual(["a", "b", "c"]);
    expect(clock.now).toBe(20);
  });
});

describe("virtual clock with awaited work", () => {
  it("resumes an await at the virtual time its answer arrived, before later events", async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const answerAt = (ms: number) =>
      new Promise<void>((resolve) =>
        clock.after(ms, () => {
          clock.resolvedSomething();
          resolve();
        }),
      );
    (async () => {
      await answerAt(10);
      log.push(`resumed at ${clock.now}`);
      await answerAt(10);
      log.push(`resumed again at ${clock.now}`);
    })();
    clock.at(15, () => log.push("event at 15"));
    clock.at(25, () => log.push("event at 25"));
    await clock.advanceFor(100);
    expect(log).toEqual(["resumed at 10", "event at 15", "resumed again at 20", "event at 25"]);
    expect(clock.now).toBe(100);
  });

  it("runs a continuation however deeply it awaits before the next event, over many waits", async () => {
    const clock = new VirtualClock();
    const log: number[] = [];
    const deep = async (levels: number): Promise<void> => {
      if (levels > 0) await deep(levels - 1);
    };
    // 10,000 answers (more waits than pass between two real turns of the event loop), each
    // resumed through 300 nested awaits and still before the event 1 ms later.
    for (let i = 0; i < 10_000; i++) {
      new Promise<void>((resolve) =>
        clock.at(2 * i, () => {
          clock.resolvedSomething();
          resolve();
        }),
      )
        .then(() => deep(300))
        .then(() => log.push(clock.now));
      clock.at(2 * i + 1, () => log.push(-1));
    }
    await clock.advanceFor(30_000);
    expect(log).toEqual(Array.from({ length: 10_000 }, (_, i) => [2 * i, -1]).flat());
  });

  it("advanceUntil stops as soon as its condition holds, or at the deadline", async () => {
    const clock = new VirtualClock();
    let count = 0;
    for (let t = 1; t <= 10; t++) clock.at(t * 10, () => count++);
    expect(await clock.advanceUntil(() => count === 3, 1000)).toBe(true);
    expect(clock.now).toBe(30);
    expect(await clock.advanceUntil(() => count === 99, 75)).toBe(false);
    expect(clock.now).toBe(75);
    expect(count).toBe(7);
  });
});
