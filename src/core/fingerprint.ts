/**
 * Fingerprints of a digest, kept up to date as entries change instead of recomputed over N
 * entries each round. Each entry hashes (FNV-1a, 32 bits) into one of `BUCKETS` buckets by
 * its name; a bucket's fingerprint is the XOR of its entries' hashes, and the digest's is the
 * XOR of the buckets'. Two nodes with equal fingerprints hold the same digest (up to a 2^-32
 * chance); when they differ, comparing bucket fingerprints finds the part that differs.
 */
import type { DigestEntry } from "./types.js";

/** Buckets per digest: fixed, so that any two nodes agree on them. */
export const BUCKETS = 64;

/** FNV-1a over a string, 32 bits. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The bucket a member's entry falls in. */
export function bucketOf(name: string): number {
  return fnv1a(name) % BUCKETS;
}

/**
 * Hash of one digest entry: FNV-1a of `generation|incarnation|status|maxVersion|gc` in decimal,
 * seeded with the name's hash. Integers are hashed digit by digit without building the text
 * (a restore hashes N entries per node); anything else goes through String().
 */
export function entryHash(entry: DigestEntry): number {
  const [name, generation, incarnation, status, maxVersion, gc = 0] = entry;
  return claimHash(fnv1a(name), generation, incarnation, status, maxVersion, gc);
}

/** entryHash from the name's FNV-1a hash and the entry's numbers. */
export function claimHash(
  nameHash: number,
  generation: number,
  incarnation: number,
  status: number,
  maxVersion: number,
  gc: number,
): number {
  let hash = fnvNumber(nameHash, generation);
  hash = fnvNumber(fnvChar(hash, PIPE), incarnation);
  hash = fnvNumber(fnvChar(hash, PIPE), status);
  hash = fnvNumber(fnvChar(hash, PIPE), maxVersion);
  return fnvNumber(fnvChar(hash, PIPE), gc);
}

const PIPE = 0x7c;
const ZERO = 0x30;
/** Digits of an integer below 2^53, most significant first (reused: hashing is synchronous). */
const digits = new Uint8Array(16);

function fnvChar(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193) >>> 0;
}

/** FNV-1a over the decimal text of `n`, continuing from `hash`. */
function fnvNumber(hash: number, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) return fnv1a(String(n), hash);
  let count = 0;
  let rest = n;
  do {
    digits[count++] = rest % 10;
    rest = Math.floor(rest / 10);
  } while (rest > 0);
  let out = hash;
  while (count > 0) out = fnvChar(out, ZERO + (digits[--count] as number));
  return out;
}

export class Fingerprint {
  private readonly buckets = new Uint32Array(BUCKETS);
  private total = 0;

  /** The digest's fingerprint. */
  get value(): number {
    return this.total >>> 0;
  }

  /** A copy of this fingerprint. */
  clone(): Fingerprint {
    const copy = new Fingerprint();
    copy.buckets.set(this.buckets);
    copy.total = this.total;
    return copy;
  }

  /** A copy of the bucket fingerprints. */
  bucketValues(): number[] {
    return Array.from(this.buckets);
  }

  /** Records that an entry's hash left (`old`) and another came (`next`); either may be undefined. */
  replace(name: string, old: number | undefined, next: number | undefined): void {
    this.replaceIn(bucketOf(name), old, next);
  }

  /** `replace` for an entry whose bucket is known. */
  replaceIn(bucket: number, old: number | undefined, next: number | undefined): void {
    let delta = 0;
    if (old !== undefined) delta ^= old;
    if (next !== undefined) delta ^= next;
    this.buckets[bucket] = ((this.buckets[bucket] as number) ^ delta) >>> 0;
    this.total = (this.total ^ delta) >>> 0;
  }

  /** Buckets whose fingerprint differs from `other`'s. */
  differing(other: readonly number[]): number[] {
    const out: number[] = [];
    for (let b = 0; b < BUCKETS; b++) if ((this.buckets[b] as number) !== (other[b] ?? 0) >>> 0) out.push(b);
    return out;
  }
}
