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

/** Hash of one digest entry. */
export function entryHash(entry: DigestEntry): number {
  const [name, generation, incarnation, status, maxVersion, gc = 0] = entry;
  return fnv1a(`${generation}|${incarnation}|${status}|${maxVersion}|${gc}`, fnv1a(name));
}

export class Fingerprint {
  private readonly buckets = new Uint32Array(BUCKETS);
  private total = 0;

  /** The digest's fingerprint. */
  get value(): number {
    return this.total >>> 0;
  }

  /** A copy of the bucket fingerprints. */
  bucketValues(): number[] {
    return Array.from(this.buckets);
  }

  /** Records that an entry's hash left (`old`) and another came (`next`); either may be undefined. */
  replace(name: string, old: number | undefined, next: number | undefined): void {
    const bucket = bucketOf(name);
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
