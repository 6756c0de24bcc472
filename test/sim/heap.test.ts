/**
 * What the simulator counts as memory held (`heapGrowth`, bytes per member) is what is kept:
 * typed arrays dropped just before a measurement are not counted, though a single full
 * collection still reports their buffers as external memory.
 */
import { describe, expect, it } from "vitest";
import { heldBytes } from "../../src/sim/heap.js";

describe("heldBytes", () => {
  it("does not count typed arrays dropped before the measurement", () => {
    const before = heldBytes();
    let dropped: Float64Array[] | null = [];
    for (let i = 0; i < 2_000; i++) dropped.push(new Float64Array(1_000)); // 16 MB
    expect(dropped.length).toBe(2_000);
    dropped = null;
    const after = heldBytes();
    expect(after - before).toBeLessThan(2_000_000);
  });
});
