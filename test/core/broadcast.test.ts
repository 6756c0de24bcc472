/** The piggyback queue: least-sent first, within a byte cap, retired at the retransmit limit. */
import { describe, expect, it } from "vitest";
import {
  BroadcastQueue,
  type NewsItem,
  newsBytes,
  resolveConfig,
  retransmitLimit,
} from "../../src/core/index.js";

const item = (name: string, incarnation = 0, status: 0 | 1 | 2 | 3 = 0): NewsItem => [
  name,
  1,
  incarnation,
  status,
  0,
];

describe("newsBytes", () => {
  it("is the JSON size of an item", () => {
    for (const news of [item("n1"), item("node-42", 12, 1), ["x", 3, 100, 2, 5, "reporter"] as NewsItem]) {
      expect(newsBytes(news)).toBe(JSON.stringify(news).length);
    }
  });
});

describe("BroadcastQueue", () => {
  it("sends the least-sent items first", () => {
    const queue = new BroadcastQueue();
    queue.enqueue(item("a"));
    queue.enqueue(item("b"));
    // Room for one item per message (each is 14 bytes).
    expect(queue.take(20, 10)).toEqual([item("a")]);
    expect(queue.take(20, 10)).toEqual([item("b")]);
    queue.enqueue(item("c"));
    expect(queue.take(20, 10)).toEqual([item("c")]);
    expect(queue.take(20, 10)).toEqual([item("a")]);
  });

  it("keeps within the byte cap, skipping an item too big for what is left", () => {
    const queue = new BroadcastQueue();
    const long: NewsItem = ["a-very-long-member-name-indeed", 1, 0, 0, 0];
    queue.enqueue(long);
    queue.enqueue(item("b"));
    queue.enqueue(item("c"));
    const taken = queue.take(40, 10);
    expect(taken.reduce((sum, news) => sum + newsBytes(news), 0)).toBeLessThanOrEqual(40);
    expect(taken).toEqual([item("b"), item("c")]);
    expect(queue.take(50, 10)).toEqual([long]);
  });

  it("retires an item after the retransmit limit", () => {
    const queue = new BroadcastQueue();
    queue.enqueue(item("a"));
    for (let i = 0; i < 3; i++) expect(queue.take(100, 3)).toEqual([item("a")]);
    expect(queue.take(100, 3)).toEqual([]);
    expect(queue.size).toBe(0);
  });

  it("puts news about the recipient first, even when sent more often", () => {
    const queue = new BroadcastQueue();
    queue.enqueue(item("victim", 0, 1));
    queue.take(100, 10);
    queue.enqueue(item("other"));
    // Only one fits: without a recipient the least-sent goes; to the victim its own news goes.
    expect(queue.take(20, 10)).toEqual([item("other")]);
    expect(queue.take(30, 10, "victim")).toEqual([item("victim", 0, 1)]);
  });

  it("replaces older news about a member, resetting its count, and drops it on request", () => {
    const queue = new BroadcastQueue();
    queue.enqueue(item("a", 0, 1));
    queue.take(100, 2);
    queue.enqueue(item("a", 1, 0));
    expect(queue.size).toBe(1);
    expect(queue.take(100, 2)).toEqual([item("a", 1, 0)]);
    expect(queue.take(100, 2)).toEqual([item("a", 1, 0)]);
    expect(queue.take(100, 2)).toEqual([]);
    queue.enqueue(item("b"));
    queue.drop("b");
    expect(queue.take(100, 2)).toEqual([]);
  });
});

describe("retransmitLimit", () => {
  // retransmitMult (3) x max(1, ceil(log10(N + 1))).
  it.each([
    [1, 3],
    [9, 3],
    [10, 6],
    [99, 6],
    [100, 9],
    [1000, 12],
  ])("for N = %i is %i", (n, limit) => {
    expect(retransmitLimit(resolveConfig({}), n)).toBe(limit);
  });
});
