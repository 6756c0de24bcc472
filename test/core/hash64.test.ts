/**
 * The owners hash must give the same bits in every runtime: FNV-1a 64 against the published
 * vectors (Fowler/Noll/Vo test suite) and against a BigInt reference over arbitrary Unicode,
 * the 32-bit-halves multiply and MurmurHash3's fmix64 against BigInt, and the unit interval
 * never reaching 0 or 1.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fmix64, fmix64Unit, fnv1a64, hex64, mul64, unitInterval } from "../../src/core/index.js";

const MASK = (1n << 64n) - 1n;

function big(value: { hi: number; lo: number }): bigint {
  return (BigInt(value.hi) << 32n) | BigInt(value.lo);
}

function refFnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & MASK;
  return hash;
}

function refFmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & MASK;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & MASK;
  return k ^ (k >> 33n);
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe("fnv1a64", () => {
  it("matches the published FNV-1a 64 test vectors", () => {
    expect(hex64(fnv1a64(""))).toBe("cbf29ce484222325");
    expect(hex64(fnv1a64("a"))).toBe("af63dc4c8601ec8c");
    expect(hex64(fnv1a64("b"))).toBe("af63df4c8601f1a5");
    expect(hex64(fnv1a64("foobar"))).toBe("85944171f73967e8");
  });

  it("equals a BigInt FNV-1a 64 over the UTF-8 bytes of any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (text) => {
        expect(big(fnv1a64(text))).toBe(refFnv1a64(text));
      }),
    );
    for (const text of ["\ud800", "a\udc00b", "\ud83d\ude00", "é€𝄞", "\udbff\udfff\ud800"])
      expect(big(fnv1a64(text)), JSON.stringify(text)).toBe(refFnv1a64(text));
  });
});

describe("mul64 and fmix64", () => {
  it("mul64 is the low 64 bits of the product", () => {
    fc.assert(
      fc.property(u32, u32, u32, u32, (ahi, alo, bhi, blo) => {
        const out = mul64(ahi, alo, bhi, blo, { hi: 0, lo: 0 });
        const a = (BigInt(ahi) << 32n) | BigInt(alo);
        const b = (BigInt(bhi) << 32n) | BigInt(blo);
        expect(big(out)).toBe((a * b) & MASK);
      }),
    );
  });

  it("fmix64 is MurmurHash3's finalizer", () => {
    fc.assert(
      fc.property(u32, u32, (hi, lo) => {
        expect(big(fmix64(hi, lo))).toBe(refFmix64((BigInt(hi) << 32n) | BigInt(lo)));
      }),
    );
    expect(big(fmix64(0, 0))).toBe(0n);
  });

  it("fmix64Unit is unitInterval of fmix64, without the object", () => {
    fc.assert(
      fc.property(u32, u32, (hi, lo) => {
        const mixed = fmix64(hi, lo);
        expect(fmix64Unit(hi, lo)).toBe(unitInterval(mixed.hi, mixed.lo));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("unitInterval", () => {
  it("stays strictly inside (0, 1) at both ends", () => {
    expect(unitInterval(0, 0)).toBeGreaterThan(0);
    expect(unitInterval(0xffffffff, 0xffffffff)).toBeLessThan(1);
    fc.assert(
      fc.property(u32, u32, (hi, lo) => {
        const u = unitInterval(hi, lo);
        expect(u > 0 && u < 1).toBe(true);
      }),
    );
  });
});
