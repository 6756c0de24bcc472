/** The per-isolate answer cache (src/api/ttl-cache.ts): bounded in bytes and entries, expired entries dropped on insert. */
import { describe, expect, it } from "vitest";
import { TtlCache } from "../../src/api/ttl-cache.js";

describe("TtlCache", () => {
  const limits = { maxBytes: 1000, maxEntryBytes: 400, maxEntries: 10 };

  it("drops expired entries when another is inserted, even while under budget", () => {
    const cache = new TtlCache<string>(limits);
    cache.set("a", "A", 100, 50, 0);
    cache.set("b", "B", 100, 200, 0);
    expect(cache.get("a", 60)).toBeUndefined();
    expect(cache.stale("a")).toBe("A");
    cache.set("c", "C", 100, 300, 60);
    expect(cache.stale("a")).toBeUndefined();
    expect(cache.size()).toEqual({ bytes: 200, entries: 2 });
  });

  it("never keeps an entry over maxEntryBytes, and drops the oldest to fit the budget", () => {
    const cache = new TtlCache<string>(limits);
    expect(cache.set("big", "x", 401, 1000, 0)).toBe(false);
    expect(cache.size().entries).toBe(0);
    for (let i = 0; i < 8; i++) cache.set(`k${i}`, "v", 300, 1000, 0);
    expect(cache.size().bytes).toBeLessThanOrEqual(limits.maxBytes);
    expect(cache.get("k7", 1)).toBe("v");
    expect(cache.get("k0", 1)).toBeUndefined();
  });

  it("holds at most maxEntries", () => {
    const cache = new TtlCache<string>(limits);
    for (let i = 0; i < 30; i++) cache.set(`k${i}`, "v", 1, 1000, 0);
    expect(cache.size().entries).toBe(limits.maxEntries);
  });
});
