/**
 * The gossip peers one node can pick, kept as sets of table slots by status (alive, suspect,
 * dead) and updated when a member's status or kind changes, so choosing partners for a round
 * costs O(k), not a walk over every member. Sampling is uniform over the union of the sets
 * asked for, by rejection; when most members would be taken or rejected it falls back to a list.
 */
import { type Rng, randomInt, sample } from "./random.js";

export const NOT_PEER = 0;
export const ALIVE_PEER = 1;
export const SUSPECT_PEER = 2;
export const DEAD_PEER = 3;
export type PeerKind = typeof NOT_PEER | typeof ALIVE_PEER | typeof SUSPECT_PEER | typeof DEAD_PEER;

/** Rejection sampling gives up after this many draws per wanted peer, and lists instead. */
const DRAWS_PER_PICK = 8;

export class PeerSets {
  private kinds = new Uint8Array(0);
  private positions = new Int32Array(0);
  private readonly lists: number[][] = [[], [], [], []];

  /** Files `slot` under `kind` (NOT_PEER removes it). */
  set(slot: number, kind: PeerKind): void {
    if (slot >= this.kinds.length) this.grow(slot + 1);
    const current = this.kinds[slot] as PeerKind;
    if (current === kind) return;
    if (current !== NOT_PEER) {
      const list = this.lists[current] as number[];
      const at = this.positions[slot] as number;
      const last = list.pop() as number;
      if (last !== slot) {
        list[at] = last;
        this.positions[last] = at;
      }
    }
    this.kinds[slot] = kind;
    if (kind !== NOT_PEER) {
      const list = this.lists[kind] as number[];
      this.positions[slot] = list.length;
      list.push(slot);
    }
  }

  /** Becomes a copy of `other` (slots mean the same members in both: a copied table). */
  copyFrom(other: PeerSets): void {
    this.kinds = other.kinds.slice();
    this.positions = other.positions.slice();
    for (let kind = 0; kind < this.lists.length; kind++)
      this.lists[kind] = (other.lists[kind] as number[]).slice();
  }

  /** Makes room for slots below `slots` at once (a restore). */
  reserve(slots: number): void {
    if (slots > this.kinds.length) this.grow(slots);
  }

  size(kind: PeerKind): number {
    return (this.lists[kind] as number[]).length;
  }

  /** Every slot of the given kinds (a walk: for reshuffles and region-aware choice). */
  all(kinds: readonly PeerKind[]): number[] {
    const out: number[] = [];
    for (const kind of kinds) out.push(...(this.lists[kind] as number[]));
    return out;
  }

  /** Up to `k` distinct slots of the given kinds, uniformly, none of them `skip`ped. */
  sample(rng: Rng, kinds: readonly PeerKind[], k: number, skip?: (slot: number) => boolean): number[] {
    let total = 0;
    for (const kind of kinds) total += this.size(kind);
    if (k <= 0 || total === 0) return [];
    if (k * 4 < total) {
      const chosen = new Set<number>();
      for (let draws = 0; draws < k * DRAWS_PER_PICK && chosen.size < k; draws++) {
        const slot = this.nth(kinds, randomInt(rng, total));
        if (!chosen.has(slot) && !skip?.(slot)) chosen.add(slot);
      }
      if (chosen.size === k) return [...chosen];
    }
    const pool = skip ? this.all(kinds).filter((slot) => !skip(slot)) : this.all(kinds);
    return sample(rng, pool, k);
  }

  private nth(kinds: readonly PeerKind[], index: number): number {
    let i = index;
    for (const kind of kinds) {
      const list = this.lists[kind] as number[];
      if (i < list.length) return list[i] as number;
      i -= list.length;
    }
    throw new RangeError(`peer ${index} out of range`);
  }

  private grow(atLeast: number): void {
    const size = Math.max(atLeast, this.kinds.length * 2, 8);
    const kinds = new Uint8Array(size);
    kinds.set(this.kinds);
    const positions = new Int32Array(size);
    positions.set(this.positions);
    this.kinds = kinds;
    this.positions = positions;
  }
}
