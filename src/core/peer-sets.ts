/**
 * The gossip peers one node can pick, kept as sets of table slots by status (alive, suspect,
 * dead) in typed arrays and updated when a member's status or kind changes, so choosing partners for a round
 * costs O(k), not a walk over every member. Sampling is uniform over the union of the sets
 * asked for, by rejection; when most members would be taken or rejected it falls back to a list.
 */
import { grownCapacity } from "./member-table.js";
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
  /** Slots of each kind (index: the kind), in typed arrays outside the heap, and their counts. */
  private lists: Int32Array[] = [new Int32Array(0), new Int32Array(0), new Int32Array(0), new Int32Array(0)];
  private counts = [0, 0, 0, 0];
  /** Bumped whenever a slot changes kind: whoever caches a view of the sets checks it. */
  version = 0;

  /** Files `slot` under `kind` (NOT_PEER removes it). */
  set(slot: number, kind: PeerKind): void {
    if (slot >= this.kinds.length) this.grow(slot + 1);
    const current = this.kinds[slot] as PeerKind;
    if (current === kind) return;
    this.version++;
    if (current !== NOT_PEER) {
      const list = this.lists[current] as Int32Array;
      const at = this.positions[slot] as number;
      const count = (this.counts[current] as number) - 1;
      this.counts[current] = count;
      const last = list[count] as number;
      if (last !== slot) {
        list[at] = last;
        this.positions[last] = at;
      }
    }
    this.kinds[slot] = kind;
    if (kind !== NOT_PEER) {
      let list = this.lists[kind] as Int32Array;
      const count = this.counts[kind] as number;
      if (count === list.length) {
        const bigger = new Int32Array(grownCapacity(list.length));
        bigger.set(list);
        list = bigger;
        this.lists[kind] = list;
      }
      list[count] = slot;
      this.positions[slot] = count;
      this.counts[kind] = count + 1;
    }
  }

  /** Becomes a copy of `other` (slots mean the same members in both: a copied table). */
  copyFrom(other: PeerSets): void {
    this.kinds = other.kinds.slice();
    this.positions = other.positions.slice();
    this.lists = other.lists.map((list) => list.slice());
    this.counts = [...other.counts];
    this.version++;
  }

  /** Makes room for slots below `slots` at once (a restore). */
  reserve(slots: number): void {
    if (slots > this.kinds.length) this.grow(slots);
    // A restored member is most often alive: room for all of them among the alive.
    const alive = this.lists[ALIVE_PEER] as Int32Array;
    if (alive.length < slots) {
      const bigger = new Int32Array(slots);
      bigger.set(alive);
      this.lists[ALIVE_PEER] = bigger;
    }
  }

  size(kind: PeerKind): number {
    return this.counts[kind] as number;
  }

  /** The kind `slot` is filed under (NOT_PEER when none). */
  kindOf(slot: number): PeerKind {
    return (this.kinds[slot] ?? NOT_PEER) as PeerKind;
  }

  /** Whether `slot` is alive or suspect (a peer worth probing). */
  reachable(slot: number): boolean {
    const kind = this.kinds[slot];
    return kind === ALIVE_PEER || kind === SUSPECT_PEER;
  }

  /** Every slot of the given kinds (a walk: for reshuffles and region-aware choice). */
  all(kinds: readonly PeerKind[]): number[] {
    const out: number[] = [];
    for (const kind of kinds) {
      const list = this.lists[kind] as Int32Array;
      const count = this.counts[kind] as number;
      for (let i = 0; i < count; i++) out.push(list[i] as number);
    }
    return out;
  }

  /** Every slot of the given kinds, as a new typed array (a reshuffle's starting order). */
  slotsOf(kinds: readonly PeerKind[]): Int32Array {
    let total = 0;
    for (const kind of kinds) total += this.size(kind);
    const out = new Int32Array(total);
    let at = 0;
    for (const kind of kinds) {
      const count = this.counts[kind] as number;
      out.set((this.lists[kind] as Int32Array).subarray(0, count), at);
      at += count;
    }
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

  /** The `index`th slot of the given kinds, in the order `all` lists them. */
  nth(kinds: readonly PeerKind[], index: number): number {
    let i = index;
    for (const kind of kinds) {
      const count = this.counts[kind] as number;
      if (i < count) return (this.lists[kind] as Int32Array)[i] as number;
      i -= count;
    }
    throw new RangeError(`peer ${index} out of range`);
  }

  private grow(atLeast: number): void {
    const size = grownCapacity(this.kinds.length, atLeast);
    const kinds = new Uint8Array(size);
    kinds.set(this.kinds);
    const positions = new Int32Array(size);
    positions.set(this.positions);
    this.kinds = kinds;
    this.positions = positions;
  }
}
