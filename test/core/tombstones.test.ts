/**
 * Members share one empty tombstone map until they have a tombstone (a map each cost about 170
 * bytes per member a node holds): a tombstone is always the member's own, never seen by another
 * member, a copy or a later write, and is collected in its time.
 */
import { describe, expect, it } from "vitest";
import { NodeState } from "../../src/core/node-state.js";

describe("tombstones", () => {
  it("belong to the member that deleted, through writes, copies and collection", () => {
    const a = new NodeState("a", 1);
    const b = new NodeState("b", 1);
    a.set("k", "1");
    b.set("k", "1");
    expect(a.hasTombstones()).toBe(false);
    a.delete("k", 1_000);
    expect(a.hasTombstones()).toBe(true);
    expect(b.hasTombstones()).toBe(false);
    expect(b.snapshot().keys).toEqual([["k", "1", 1]]);
    expect(a.snapshot().keys).toEqual([["k", null, 2, 1_000]]);
    // A fresh member, made after a tombstone exists elsewhere, has none.
    const c = new NodeState("c", 1);
    c.set("k", "1");
    expect(c.hasTombstones()).toBe(false);
    // Written again: the tombstone is gone; deleted again: it is back, with its new time.
    a.set("k", "2");
    expect(a.hasTombstones()).toBe(false);
    a.delete("k", 5_000);
    expect(a.collectTombstones(5_500, 1_000)).toBe(0);
    expect(a.collectTombstones(6_000, 1_000)).toBe(1);
    expect(a.hasTombstones()).toBe(false);
    expect([b, c].map((node) => node.hasTombstones())).toEqual([false, false]);
  });
});
