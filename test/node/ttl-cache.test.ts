/**
 * The per-isolate cache (src/api/ttl-cache.ts): bounded in bytes and entries, expired entries
 * dropped on insert; `cached` makes a value once while it is fresh, and again when it was too
 * large to keep; a cluster's answers are forgotten together, and only its own.
 */
import { describe, expect, it } from "vitest";
import { ClusterAnswers, cached, TtlCache } from "../../src/api/ttl-cache.js";

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

describe("cached", () => {
  const limits = { maxBytes: 1000, maxEntryBytes: 400, maxEntries: 10 };

  it("makes a value once while it is fresh, and every time when it is too large to keep", async () => {
    const cache = new TtlCache<string>(limits);
    let made = 0;
    const make = async () => `answer ${++made}`;
    const small = () => cached(cache, "small", 60_000, make, () => 10);
    expect([await small(), await small()]).toEqual(["answer 1", "answer 1"]);
    const large = () => cached(cache, "large", 60_000, make, () => 401);
    expect([await large(), await large()]).toEqual(["answer 2", "answer 3"]);
    expect(await cached(cache, "gone", 0, make, () => 10)).toBe("answer 4");
    expect(await cached(cache, "gone", 0, make, () => 10)).toBe("answer 5");
  });
});

describe("ClusterAnswers", () => {
  it("forgets one cluster's answers, not those of a cluster whose name starts the same", async () => {
    const answers = new ClusterAnswers<string>(
      { maxBytes: 1000, maxEntryBytes: 400, maxEntries: 10 },
      60_000,
      () => 1,
    );
    let made = 0;
    const ask = (cluster: string, page: number) =>
      answers.get(cluster, [page], async () => `${cluster}#${++made}`);
    expect([await ask("a", 1), await ask("a", 2), await ask("ab", 1), await ask('a"', 1)]).toEqual([
      "a#1",
      "a#2",
      "ab#3",
      'a"#4',
    ]);
    answers.forget("a");
    expect([await ask("a", 1), await ask("ab", 1), await ask('a"', 1)]).toEqual(["a#5", "ab#3", 'a"#4']);
    expect(answers.size().entries).toBe(3);
  });
});
