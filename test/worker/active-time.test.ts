/**
 * ActiveTime: the busy wall time of a Durable Object, overlapping handlers counted once.
 */
import { describe, expect, it } from "vitest";
import { ActiveTime } from "../../src/node/active-time.js";

describe("ActiveTime", () => {
  it("counts overlapping handlers once, from first start to last end", async () => {
    let now = 1000;
    const active = new ActiveTime(() => now);
    let releaseA = () => {};
    let releaseB = () => {};
    const a = active.track(() => new Promise<void>((resolve) => (releaseA = resolve)));
    now = 1010;
    const b = active.track(() => new Promise<void>((resolve) => (releaseB = resolve)));
    now = 1030;
    releaseA();
    await a;
    expect(active.nowMs()).toBe(30); // still busy with b
    now = 1050;
    releaseB();
    await b;
    expect(active.totalMs).toBe(50);
    now = 2000; // idle time is not counted
    await active.track(async () => {
      now = 2005;
    });
    expect(active.totalMs).toBe(55);
  });

  it("counts a handler that throws and passes the error on", async () => {
    let now = 0;
    const active = new ActiveTime(() => now);
    await expect(
      active.track(async () => {
        now = 7;
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(active.totalMs).toBe(7);
  });
});
