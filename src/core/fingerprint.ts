/**
 * Fingerprints of a digest, kept up to date as entries change instead of recomputed over N
 * entries each round. Each entry hashes (FNV-1a, 64 bits, as two 32-bit halves) into one of
 * `BUCKETS` buckets by its name (FNV-1a 32 of the name, as every version has bucketed); a
 * bucket's fingerprint is the XOR of its entries' hashes, and the digest's is the XOR of the
 * buckets'. Two nodes with equal fingerprints hold the same digest up to a 2^-64 chance, so no
 * collision is expected in a mesh's lifetime; when they differ, comparing bucket fingerprints
 * finds the part that differs. On the wire each 64-bit value travels as its two halves (see
 * anti-entropy.ts for how a peer of the old 32-bit width is told apart).
 */
import { LEFT } from "./precedence.js";
import type { DigestEntry } from "./types.js";

/** Buckets per digest: fixed, so that any two nodes agree on them. */
export const BUCKETS = 64;

/**
 * Added to a 64-bit fingerprint's low half on the wire (`fp`): above every 32-bit fingerprint,
 * so a node of the old width (which compares `fp` with its own) never finds it equal during a
 * deploy, and a 64-bit node knows a 32-bit `fp` (below it) for the other width.
 */
export const WIDE_MARK = 2 ** 32;

/** A 64-bit hash as two unsigned 32-bit halves. */
export interface Hash64 {
  hi: number;
  lo: number;
}

/** FNV-1a over a string, 32 bits. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** FNV-1a 64's offset basis, 0xcbf29ce484222325. */
export const FNV64_OFFSET: Hash64 = { hi: 0xcbf29ce4, lo: 0x84222325 };

// FNV-1a 64 runs in four 16-bit limbs (h0 lowest), so every product stays an exact double.
// The prime is 2^40 + 0x1b3. Hashing is synchronous, so one set of limbs serves every call.
let h0 = 0;
let h1 = 0;
let h2 = 0;
let h3 = 0;

function load(seed: Hash64): void {
  h0 = seed.lo & 0xffff;
  h1 = seed.lo >>> 16;
  h2 = seed.hi & 0xffff;
  h3 = seed.hi >>> 16;
}

/** One FNV-1a 64 step over a UTF-16 code unit (a byte for ASCII). */
function step(code: number): void {
  h0 ^= code & 0xffff;
  // h x (2^40 + 0x1b3) mod 2^64: limb i gets h_i x 0x1b3, and h_i << 40 lands in limb i + 2 as h_i x 2^8.
  const t0 = h0 * 0x1b3;
  const t1 = h1 * 0x1b3 + (t0 >>> 16);
  const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
  const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
  h0 = t0 & 0xffff;
  h1 = t1 & 0xffff;
  h2 = t2 & 0xffff;
  h3 = t3 & 0xffff;
}

function stored(): Hash64 {
  return { hi: ((h3 << 16) | h2) >>> 0, lo: ((h1 << 16) | h0) >>> 0 };
}

/** FNV-1a 64 over a string's UTF-16 code units, from `seed` (the offset basis by default). */
export function fnv1a64(text: string, seed: Hash64 = FNV64_OFFSET): Hash64 {
  load(seed);
  for (let i = 0; i < text.length; i++) step(text.charCodeAt(i));
  return stored();
}

/** The bucket a member's entry falls in. */
export function bucketOf(name: string): number {
  return fnv1a(name) % BUCKETS;
}

/**
 * Hash of one digest entry: FNV-1a 64 of `name` then `generation|incarnation|status|maxVersion|gc`
 * in decimal. Integers are hashed digit by digit without building the text (a restore hashes N
 * entries per node); anything else goes through String().
 */
export function entryHash(entry: DigestEntry): Hash64 {
  const [name, generation, incarnation, status, maxVersion, gc = 0] = entry;
  return claimHash(fnv1a64(name), generation, incarnation, status, maxVersion, gc);
}

/**
 * Whether an entry counts in the fingerprint: every member but one that left, and the node's
 * own entry (`own`) whatever its status. A left member is gone at every node that holds it, and
 * each forgets it a grace after it learned of the leave: after a partition the side that saw
 * an agent leave held it as left, the other had buried it, and counting it kept their
 * fingerprints apart for up to a grace, with every exchange between them going on to digests.
 * A member held alive, suspect or dead still differs from one held left, so a node that missed
 * a leave (or took the leaver for dead) is told of it by anti-entropy. A node that left still
 * counts itself: its leave is confirmed by an exchange, which must reach a peer that does not
 * hold it at all.
 */
export function counted(status: number, own = false): boolean {
  return own || status !== LEFT;
}

/** What an entry adds to its bucket's fingerprint: its hash, or nothing for a member that left. */
export function countedHash(entry: DigestEntry): Hash64 | undefined {
  return counted(entry[3]) ? entryHash(entry) : undefined;
}

/** entryHash from the name's FNV-1a 64 hash and the entry's numbers. */
export function claimHash(
  nameHash: Hash64,
  generation: number,
  incarnation: number,
  status: number,
  maxVersion: number,
  gc: number,
): Hash64 {
  load(nameHash);
  stepNumber(generation);
  step(PIPE);
  stepNumber(incarnation);
  step(PIPE);
  stepNumber(status);
  step(PIPE);
  stepNumber(maxVersion);
  step(PIPE);
  stepNumber(gc);
  return stored();
}

const PIPE = 0x7c;
const ZERO = 0x30;
/** Digits of an integer below 2^53, most significant first (reused: hashing is synchronous). */
const digits = new Uint8Array(16);

/** FNV-1a 64 steps over the decimal text of `n`. */
function stepNumber(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    const text = String(n);
    for (let i = 0; i < text.length; i++) step(text.charCodeAt(i));
    return;
  }
  let count = 0;
  let rest = n;
  do {
    digits[count++] = rest % 10;
    rest = Math.floor(rest / 10);
  } while (rest > 0);
  while (count > 0) step(ZERO + (digits[--count] as number));
}

/** Whether two hashes (either may be absent) are the same. */
export function sameHash(a: Hash64 | undefined, b: Hash64 | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.hi === b.hi && a.lo === b.lo);
}

/** Bucket fingerprints as they travel: the low halves (`bk`) and the high halves (`bh`). */
export interface BucketValues {
  bk: number[];
  bh: number[];
}

export class Fingerprint {
  /** Bucket b's halves at [2b] (low) and [2b + 1] (high). */
  private readonly buckets = new Uint32Array(2 * BUCKETS);
  private totalLo = 0;
  private totalHi = 0;

  /** The digest's fingerprint, 16 hex digits. */
  get value(): string {
    return this.totalHi.toString(16).padStart(8, "0") + this.totalLo.toString(16).padStart(8, "0");
  }

  /** The digest's fingerprint as two halves. */
  get halves(): Hash64 {
    return { hi: this.totalHi, lo: this.totalLo };
  }

  /** A copy of this fingerprint. */
  clone(): Fingerprint {
    const copy = new Fingerprint();
    copy.buckets.set(this.buckets);
    copy.totalLo = this.totalLo;
    copy.totalHi = this.totalHi;
    return copy;
  }

  /** A copy of the bucket fingerprints, as they travel. */
  bucketValues(): BucketValues {
    const bk: number[] = [];
    const bh: number[] = [];
    for (let b = 0; b < BUCKETS; b++) {
      bk.push(this.buckets[2 * b] as number);
      bh.push(this.buckets[2 * b + 1] as number);
    }
    return { bk, bh };
  }

  /** Records that an entry's hash left (`old`) and another came (`next`); either may be undefined. */
  replace(name: string, old: Hash64 | undefined, next: Hash64 | undefined): void {
    this.replaceIn(bucketOf(name), old, next);
  }

  /** `replace` for an entry whose bucket is known. */
  replaceIn(bucket: number, old: Hash64 | undefined, next: Hash64 | undefined): void {
    let lo = 0;
    let hi = 0;
    if (old !== undefined) {
      lo ^= old.lo;
      hi ^= old.hi;
    }
    if (next !== undefined) {
      lo ^= next.lo;
      hi ^= next.hi;
    }
    this.buckets[2 * bucket] = ((this.buckets[2 * bucket] as number) ^ lo) >>> 0;
    this.buckets[2 * bucket + 1] = ((this.buckets[2 * bucket + 1] as number) ^ hi) >>> 0;
    this.totalLo = (this.totalLo ^ lo) >>> 0;
    this.totalHi = (this.totalHi ^ hi) >>> 0;
  }

  /**
   * Buckets whose fingerprint differs from `other`'s. Without high halves (a peer of the old
   * 32-bit width) every bucket differs: a peer of the other width is never taken as equal.
   */
  differing(other: { bk: readonly number[]; bh?: readonly number[] }): number[] {
    const out: number[] = [];
    const { bk, bh } = other;
    const wide = bh !== undefined && bh.length === BUCKETS && bk.length === BUCKETS;
    for (let b = 0; b < BUCKETS; b++) {
      if (
        !wide ||
        (this.buckets[2 * b] as number) !== (bk[b] as number) >>> 0 ||
        (this.buckets[2 * b + 1] as number) !== (bh[b] as number) >>> 0
      )
        out.push(b);
    }
    return out;
  }
}
