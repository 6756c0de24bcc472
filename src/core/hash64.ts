/**
 * A stable 64-bit hash that every JavaScript runtime computes the same way (Workers, browsers,
 * Node), in 32-bit halves with Math.imul and no BigInt, so it is cheap in a hot loop:
 *
 * - `fnv1a64(text)`: FNV-1a, 64 bits, over the UTF-8 bytes of `text` (Fowler, Noll, Vo; the
 *   published test vectors are in test/core/hash64.test.ts);
 * - `fmix64(hi, lo)`: MurmurHash3's 64-bit finalizer (Appleby), a bijection with full
 *   avalanche, which turns FNV's weak low bits and any XOR of two hashes into uniform bits.
 *
 * Results are written to `out` (hi, lo: unsigned 32-bit halves), not returned as objects, so a
 * loop over thousands of members allocates nothing.
 */

/** A 64-bit value as two unsigned 32-bit halves, most significant first. */
export interface U64 {
  hi: number;
  lo: number;
}

const TWO_32 = 4294967296;

/** FNV-1a 64 of `text`'s UTF-8 bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3). */
export function fnv1a64(text: string, out: U64 = { hi: 0, lo: 0 }): U64 {
  out.hi = 0xcbf29ce4;
  out.lo = 0x84222325;
  // UTF-8 as TextEncoder writes it (the core has no TextEncoder): a lone surrogate is U+FFFD.
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      fnvByte(out, code);
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else code = 0xfffd;
    }
    if (code < 0x800) {
      fnvByte(out, 0xc0 | (code >> 6));
    } else if (code < 0x10000) {
      fnvByte(out, 0xe0 | (code >> 12));
      fnvByte(out, 0x80 | ((code >> 6) & 0x3f));
    } else {
      fnvByte(out, 0xf0 | (code >> 18));
      fnvByte(out, 0x80 | ((code >> 12) & 0x3f));
      fnvByte(out, 0x80 | ((code >> 6) & 0x3f));
    }
    fnvByte(out, 0x80 | (code & 0x3f));
  }
  return out;
}

/** One FNV-1a 64 step: xor the byte in, multiply by the prime 2^40 + 0x1b3 (mod 2^64). */
function fnvByte(hash: U64, byte: number): void {
  const lo = (hash.lo ^ byte) >>> 0;
  // lo * 0x1b3 is below 2^41, exact in a double; 2^40 * lo adds (lo << 8) to the high half;
  // 2^40 * hi * 2^32 overflows away.
  const low = lo * 0x1b3;
  hash.hi = (Math.imul(hash.hi, 0x1b3) + Math.floor(low / TWO_32) + (lo << 8)) >>> 0;
  hash.lo = low >>> 0;
}

/**
 * The low 64 bits of (ahi:alo) * (bhi:blo), into `out`. The high half of alo * blo comes from
 * 16-bit limbs (every partial sum stays below 2^32, so no division); the cross terms only
 * reach the high half, where Math.imul's low 32 bits are all that count.
 */
export function mul64(ahi: number, alo: number, bhi: number, blo: number, out: U64): U64 {
  const a0 = alo & 0xffff;
  const a1 = alo >>> 16;
  const b0 = blo & 0xffff;
  const b1 = blo >>> 16;
  const mid1 = a1 * b0 + ((a0 * b0) >>> 16);
  const mid2 = a0 * b1 + (mid1 & 0xffff);
  const carry = a1 * b1 + (mid1 >>> 16) + (mid2 >>> 16);
  out.hi = (carry + Math.imul(ahi, blo) + Math.imul(alo, bhi)) >>> 0;
  out.lo = Math.imul(alo, blo) >>> 0;
  return out;
}

/** MurmurHash3 fmix64 of (hi:lo), into `out`. */
export function fmix64(hi: number, lo: number, out: U64 = { hi: 0, lo: 0 }): U64 {
  // k ^= k >>> 33
  lo = (lo ^ (hi >>> 1)) >>> 0;
  mul64(hi, lo, 0xff51afd7, 0xed558ccd, out);
  hi = out.hi;
  lo = (out.lo ^ (hi >>> 1)) >>> 0;
  mul64(hi, lo, 0xc4ceb9fe, 0x1a85ec53, out);
  out.lo = (out.lo ^ (out.hi >>> 1)) >>> 0;
  return out;
}

/**
 * The top 52 bits of (hi:lo) as a number in (0, 1), never 0 or 1: (top + 0.5) / 2^52, exact
 * in a double (53 bits would round the largest value up to 1).
 */
export function unitInterval(hi: number, lo: number): number {
  return (hi * 1048576 + (lo >>> 12) + 0.5) / 4503599627370496;
}

/**
 * unitInterval(fmix64(hi, lo)) without writing an object: the lookup's hot loop. The two
 * multiplies are mul64's, inlined on locals.
 */
export function fmix64Unit(hi: number, lo: number): number {
  lo = (lo ^ (hi >>> 1)) >>> 0;
  // k *= 0xff51afd7ed558ccd
  let a0 = lo & 0xffff;
  let a1 = lo >>> 16;
  let mid1 = a1 * 0x8ccd + ((a0 * 0x8ccd) >>> 16);
  let mid2 = a0 * 0xed55 + (mid1 & 0xffff);
  const h =
    (a1 * 0xed55 + (mid1 >>> 16) + (mid2 >>> 16) + Math.imul(hi, 0xed558ccd) + Math.imul(lo, 0xff51afd7)) >>>
    0;
  let l = Math.imul(lo, 0xed558ccd) >>> 0;
  // k ^= k >>> 33; k *= 0xc4ceb9fe1a85ec53
  l = (l ^ (h >>> 1)) >>> 0;
  a0 = l & 0xffff;
  a1 = l >>> 16;
  mid1 = a1 * 0xec53 + ((a0 * 0xec53) >>> 16);
  mid2 = a0 * 0x1a85 + (mid1 & 0xffff);
  const h2 =
    (a1 * 0x1a85 + (mid1 >>> 16) + (mid2 >>> 16) + Math.imul(h, 0x1a85ec53) + Math.imul(l, 0xc4ceb9fe)) >>> 0;
  // k ^= k >>> 33 leaves the high half as is; the unit interval needs the low half's top 20 bits.
  const l2 = (Math.imul(l, 0x1a85ec53) ^ (h2 >>> 1)) >>> 0;
  return (h2 * 1048576 + (l2 >>> 12) + 0.5) / 4503599627370496;
}

/** 16 hex digits of (hi:lo). */
export function hex64(value: U64): string {
  return value.hi.toString(16).padStart(8, "0") + value.lo.toString(16).padStart(8, "0");
}
