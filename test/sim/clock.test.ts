/**
 * The simulator's clock runs events in (time, scheduling order) however its heap grows and
 * shrinks, and whether they were posted with an argument or put on as cancellable callbacks: a burst of events far past the heap's first size, drained while more arrive, keeps
 * the order, which every seeded run depends on.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../src/sim/clock.js";

describe("VirtualClock", () => {
  it("runs a burst in time order, ties in scheduling order, through growth and shrinking", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 5000, maxLength: 9000 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 200 }),
        (burst, later) => {
          const clock = new VirtualClock();
          const ran: Array<[number, number]> = [];
          let id = 0;
          // Half the events are posted (a function and its argument), half cancellable: one order.
          const record = (mine: number) => ran.push([clock.now, mine]);
          const schedule = (delay: number) => {
            const mine = id++;
            if (mine % 2 === 0) clock.post(clock.now + delay, record, mine);
            else clock.after(delay, () => record(mine));
          };
          for (const delay of burst) schedule(delay);
          // Events that schedule more while the heap drains (and shrinks).
          later.forEach((delay, i) => {
            clock.after(25 + i / 1000, () => schedule(delay));
          });
          while (clock.step()) {}
          expect(ran).toHaveLength(burst.length + later.length);
          for (let i = 1; i < ran.length; i++) {
            const [time, order] = ran[i] as [number, number];
            const [prevTime, prevOrder] = ran[i - 1] as [number, number];
            expect(time > prevTime || (time === prevTime && order > prevOrder)).toBe(true);
          }
          expect(clock.pending).toBe(0);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("runs an event put on later in a place reserved earlier where it would have run then", () => {
    const clock = new VirtualClock();
    const ran: string[] = [];
    const place = clock.reserve();
    clock.after(10, () => ran.push("put on first"));
    clock.at(10, () => ran.push("reserved first, put on second"), place);
    clock.after(5, () => ran.push("sooner"));
    while (clock.step()) {}
    expect(ran).toEqual(["sooner", "reserved first, put on second", "put on first"]);
  });

  it("drops what a cancelled event holds and runs nothing for it, in its turn", () => {
    const clock = new VirtualClock();
    const ran: string[] = [];
    const cancelled = clock.after(10, () => ran.push("cancelled"));
    clock.post(10, (what: string) => ran.push(what), "posted after it");
    clock.cancel(cancelled);
    while (clock.step()) {}
    expect(ran).toEqual(["posted after it"]);
    expect(clock.now).toBe(10);
  });
});
