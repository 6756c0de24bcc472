/**
 * The piggyback queue against a plain model of what it promises (fast-check): under any run of
 * enqueues, drops and takes, every message gets the recipient's own news first, then the
 * least-sent items oldest first, within the byte cap; items retire at the limit. The queue keeps
 * its items in columns and lists by transmit count and compacts itself as it drains; the model
 * is an array sorted on every take.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BroadcastQueue, MAX_QUEUED, type NewsItem, newsBytes } from "../../src/core/index.js";

interface Entry {
  item: NewsItem;
  transmits: number;
  /** When it entered its current transmit count: order within a count. */
  since: number;
}

/** The promise, written plainly. */
class ModelQueue {
  private entries = new Map<string, Entry>();
  private clock = 0;

  get size(): number {
    return this.entries.size;
  }

  enqueue(item: NewsItem): void {
    this.entries.set(item[0], { item, transmits: 0, since: this.clock++ });
  }

  drop(name: string): void {
    this.entries.delete(name);
  }

  take(budget: number, limit: number, recipient?: string): NewsItem[] {
    const chosen: Entry[] = [];
    let left = budget;
    const first = recipient === undefined ? undefined : this.entries.get(recipient);
    if (first && newsBytes(first.item) <= left) {
      chosen.push(first);
      left -= newsBytes(first.item);
    }
    const order = [...this.entries.values()].sort((a, b) => a.transmits - b.transmits || a.since - b.since);
    let skipped = 0;
    for (const entry of order) {
      if (entry === first) continue;
      const bytes = newsBytes(entry.item);
      if (bytes > left) {
        if (++skipped > 64) break;
        continue;
      }
      chosen.push(entry);
      left -= bytes;
      if (left < 16) break;
    }
    for (const entry of chosen) {
      entry.transmits++;
      entry.since = this.clock++;
      if (entry.transmits >= limit) this.entries.delete(entry.item[0]);
    }
    return chosen.map((entry) => entry.item);
  }
}

const names = fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `n${i}${"x".repeat(i % 7)}`));
const news = fc
  .tuple(
    names,
    fc.nat(1e12),
    fc.nat(1e6),
    fc.constantFrom(0, 1, 2, 3),
    fc.nat(1e9),
    fc.option(names, { nil: undefined }),
  )
  .map(([name, generation, incarnation, status, maxVersion, reporter]): NewsItem => {
    const item: NewsItem = [name, generation, incarnation, status as 0 | 1 | 2 | 3, maxVersion];
    if (reporter !== undefined) item.push(reporter);
    return item;
  });
const op = fc.oneof(
  { weight: 5, arbitrary: news.map((item) => ({ kind: "enqueue" as const, item })) },
  { weight: 1, arbitrary: names.map((name) => ({ kind: "drop" as const, name })) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 6 }),
        fc.option(names, { nil: undefined }),
      )
      .map(([budget, limit, recipient]) => ({ kind: "take" as const, budget, limit, recipient })),
  },
);

describe("BroadcastQueue, against its model", () => {
  it("sends what the model sends, in the same order, under any run", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const queue = new BroadcastQueue();
        const model = new ModelQueue();
        for (const step of ops) {
          if (step.kind === "enqueue") {
            queue.enqueue(step.item);
            model.enqueue(step.item);
          } else if (step.kind === "drop") {
            queue.drop(step.name);
            model.drop(step.name);
          } else {
            expect(queue.take(step.budget, step.limit, step.recipient)).toEqual(
              model.take(step.budget, step.limit, step.recipient),
            );
          }
          expect(queue.size).toBe(model.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("holds its items through a swell and a drain (compaction keeps order and contents)", () => {
    const queue = new BroadcastQueue();
    const model = new ModelQueue();
    const item = (i: number): NewsItem => [`member-${i}`, 7, i, 0, i * 3];
    for (let i = 0; i < 3000; i++) {
      queue.enqueue(item(i));
      model.enqueue(item(i));
    }
    while (model.size > 0) expect(queue.take(500, 3)).toEqual(model.take(500, 3));
    expect(queue.size).toBe(0);
    queue.enqueue(item(1));
    expect(queue.take(500, 3)).toEqual([item(1)]);
  });
});

describe("BroadcastQueue's bound", () => {
  it(`holds at most ${MAX_QUEUED} items: the oldest most-sent gives way, never the node's own news`, () => {
    const queue = new BroadcastQueue("self");
    queue.enqueue(["self", 1, 4, 0, 9]);
    queue.take(20, 10); // own news sent once: the most-sent item, yet it stays
    for (let i = 0; i < MAX_QUEUED + 10; i++) queue.enqueue([`m${i}`, 1, 0, 0, 0]);
    expect(queue.size).toBe(MAX_QUEUED);
    const sent = new Set<string>();
    for (let item = queue.take(1e6, 1); item.length > 0; item = queue.take(1e6, 1)) {
      for (const news of item) sent.add(news[0]);
    }
    expect(sent.has("self")).toBe(true);
    // The eleven oldest discoveries gave way (ten past the bound, and one for the own news).
    for (let i = 0; i < 11; i++) expect(sent.has(`m${i}`)).toBe(false);
    expect(sent.has("m11")).toBe(true);
    expect(sent.size).toBe(MAX_QUEUED);
  });
});
