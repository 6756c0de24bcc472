/** The token bucket that bounds pushed writes. */
import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../src/core/token-bucket.js";

describe("TokenBucket", () => {
  it("allows a burst, then refills at its rate, never above the burst", () => {
    const bucket = new TokenBucket(2, 3, 0);
    expect([1, 2, 3, 4].map(() => bucket.take(0))).toEqual([true, true, true, false]);
    expect(bucket.take(499)).toBe(false); // 0.998 tokens
    expect(bucket.take(500)).toBe(true); // 1 token after 500 ms at 2/s
    expect(bucket.take(500)).toBe(false);
    // A long quiet stretch refills to the burst, not beyond.
    expect([1, 2, 3, 4].map(() => bucket.take(60_000))).toEqual([true, true, true, false]);
  });

  it("with no rate, allows the burst once", () => {
    const bucket = new TokenBucket(0, 2, 0);
    expect([1, 2, 3].map(() => bucket.take(1_000_000))).toEqual([true, true, false]);
  });

  it("with no burst, never allows", () => {
    const bucket = new TokenBucket(100, 0, 0);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(10_000)).toBe(false);
  });
});
