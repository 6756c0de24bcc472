/**
 * Every member one node knows, in compact rows: a slot per member, numeric columns in typed
 * arrays, names interned, and a name index of open addressing (`name-index.ts`: no Map entry
 * per member). What few members have (keys, a gc horizon, a relayed heartbeat) lives in sparse
 * maps by slot. A row holds the member's claim, its digest hash and bucket, and this observer's
 * bookkeeping (when its status began here, acks received). About 50 bytes per member.
 */
import { BUCKETS, fnv1a, type Hash64 } from "./fingerprint.js";
import type { Interner } from "./interner.js";
import { NameIndex } from "./name-index.js";
import { copyKeyStore, type KeyStore } from "./node-state.js";
import type { StatusCode } from "./types.js";

/** Slots a new table starts with. */
const INITIAL_CAPACITY = 8;
/** Bytes of the typed columns per slot: three of 8, four of 4, three of 1. */
const BYTES_PER_SLOT = 3 * 8 + 4 * 4 + 3;
/**
 * Growth factor of the columns. Every node of a cluster holds a table of every member, so room
 * past the members is paid N times: a quarter more at most (doubling left up to as much again,
 * a third on average), for about five copies of a row over a table's growth instead of two.
 */
const GROWTH = 1.25;

/** Slots a table (or a structure by its slots) grows to from `capacity`, at least `atLeast`. */
export function grownCapacity(capacity: number, atLeast = 0): number {
  return Math.max(atLeast, Math.ceil(capacity * GROWTH), INITIAL_CAPACITY);
}

export class MemberTable {
  private capacity = 0;
  /** One past the highest slot ever used. */
  private high = 0;
  private count = 0;
  private readonly free: number[] = [];
  private names: Array<string | undefined> = [];
  private index = new NameIndex(this.names);
  private generations = new Float64Array(0);
  private incarnations = new Uint32Array(0);
  private statuses = new Uint8Array(0);
  private maxVersions = new Float64Array(0);
  /** The digest hash's halves (see fingerprint.ts). */
  private hashes = new Uint32Array(0);
  private hashHighs = new Uint32Array(0);
  private hashed = new Uint8Array(0);
  private buckets = new Uint8Array(0);
  private sinces = new Float64Array(0);
  private ackCounts = new Uint32Array(0);
  private readonly gcVersions = new Map<number, number>();
  private readonly heartbeats = new Map<number, number>();
  private readonly stores = new Map<number, KeyStore>();
  /** Members visited by whole-table walks, for tests that check a round does not walk them. */
  visits = 0;

  /**
   * `interner`: names shared with other tables of this process (the simulator's nodes). Without
   * one, a table keeps the first copy of each name it is given, which is all a single node needs.
   */
  constructor(private readonly interner?: Interner) {
    this.grow(INITIAL_CAPACITY);
  }

  /**
   * A copy of the table, sharing its interner; key stores are copied, not shared. Copying the
   * columns costs a few bytes moved per member, far less than inserting the rows again.
   */
  clone(): MemberTable {
    const copy = new MemberTable(this.interner);
    copy.names = this.names.slice();
    copy.index = this.index.copyFor(copy.names); // before growing, so growth builds no index of its own
    copy.grow(this.capacity);
    copy.generations.set(this.generations);
    copy.maxVersions.set(this.maxVersions);
    copy.sinces.set(this.sinces);
    copy.incarnations.set(this.incarnations);
    copy.hashes.set(this.hashes);
    copy.hashHighs.set(this.hashHighs);
    copy.ackCounts.set(this.ackCounts);
    copy.statuses.set(this.statuses);
    copy.hashed.set(this.hashed);
    copy.buckets.set(this.buckets);
    copy.free.push(...this.free);
    copy.high = this.high;
    copy.count = this.count;
    for (const [slot, value] of this.gcVersions) copy.gcVersions.set(slot, value);
    for (const [slot, value] of this.heartbeats) copy.heartbeats.set(slot, value);
    for (const [slot, store] of this.stores) {
      copy.stores.set(slot, copyKeyStore(store));
    }
    return copy;
  }

  /** Slots allocated (rows in use plus room). */
  get slotCapacity(): number {
    return this.capacity;
  }

  get size(): number {
    return this.count;
  }

  /** Makes room for `members` rows at once (a restore), so growth leaves no slack. */
  reserve(members: number): void {
    if (members > this.capacity) this.grow(members);
  }

  /** The slot of `name`, or undefined. */
  slotOf(name: string): number | undefined {
    const slot = this.index.find(name);
    return slot < 0 ? undefined : slot;
  }

  /** Adds a row for `name` (which must be absent): generation set, everything else zero. */
  insert(name: string, generation: number): number {
    if (this.free.length === 0 && this.high === this.capacity) this.grow(grownCapacity(this.capacity));
    const slot = this.free.length > 0 ? (this.free.pop() as number) : this.high++;
    const interned = this.interner ? this.interner.intern(name) : name;
    this.names[slot] = interned;
    this.clear(slot, generation);
    const hash = fnv1a(interned);
    this.buckets[slot] = hash % BUCKETS;
    this.index.add(interned, slot, hash);
    this.count++;
    return slot;
  }

  /** Resets a row for a new generation of its member: claim, versions and keys start over. */
  clear(slot: number, generation: number): void {
    this.generations[slot] = generation;
    this.incarnations[slot] = 0;
    this.statuses[slot] = 0;
    this.maxVersions[slot] = 0;
    this.hashed[slot] = 0;
    this.sinces[slot] = Number.NaN;
    this.ackCounts[slot] = 0;
    this.gcVersions.delete(slot);
    this.heartbeats.delete(slot);
    this.stores.delete(slot);
  }

  /** Removes a member's row; its slot is reused. */
  remove(slot: number): void {
    const name = this.names[slot];
    if (name === undefined) return;
    this.index.remove(name);
    this.clear(slot, 0);
    this.names[slot] = undefined;
    this.free.push(slot);
    this.count--;
  }

  /** Every slot in use, in slot order (a whole-table walk: counted in `visits`). */
  *slots(): IterableIterator<number> {
    for (let slot = 0; slot < this.high; slot++) {
      if (this.names[slot] === undefined) continue;
      this.visits++;
      yield slot;
    }
  }

  /** Slots in use whose member falls in one of `wanted` (a per-bucket mask). */
  slotsInBuckets(wanted: Uint8Array): number[] {
    const out: number[] = [];
    for (let slot = 0; slot < this.high; slot++) {
      // The bucket first: most slots fall outside, and it is read from a byte column.
      if (wanted[this.buckets[slot] as number] === 0 || this.names[slot] === undefined) continue;
      this.visits++;
      out.push(slot);
    }
    return out;
  }

  // ---- columns ----

  name(slot: number): string {
    return this.names[slot] as string;
  }
  generation(slot: number): number {
    return this.generations[slot] as number;
  }
  incarnation(slot: number): number {
    return this.incarnations[slot] as number;
  }
  setIncarnation(slot: number, value: number): void {
    this.incarnations[slot] = value;
  }
  status(slot: number): StatusCode {
    return this.statuses[slot] as StatusCode;
  }
  setStatus(slot: number, value: StatusCode): void {
    this.statuses[slot] = value;
  }
  maxVersion(slot: number): number {
    return this.maxVersions[slot] as number;
  }
  setMaxVersion(slot: number, value: number): void {
    this.maxVersions[slot] = value;
  }
  gcVersion(slot: number): number {
    return this.gcVersions.get(slot) ?? 0;
  }
  setGcVersion(slot: number, value: number): void {
    if (value === 0) this.gcVersions.delete(slot);
    else this.gcVersions.set(slot, value);
  }
  heartbeat(slot: number): number {
    return this.heartbeats.get(slot) ?? 0;
  }
  setHeartbeat(slot: number, value: number): void {
    if (value === 0) this.heartbeats.delete(slot);
    else this.heartbeats.set(slot, value);
  }
  /** The digest hash last counted in the fingerprint, or undefined. */
  hash(slot: number): Hash64 | undefined {
    return this.hashed[slot] === 1
      ? { hi: this.hashHighs[slot] as number, lo: this.hashes[slot] as number }
      : undefined;
  }
  setHash(slot: number, value: Hash64 | undefined): void {
    this.hashed[slot] = value === undefined ? 0 : 1;
    this.hashes[slot] = value?.lo ?? 0;
    this.hashHighs[slot] = value?.hi ?? 0;
  }
  bucket(slot: number): number {
    return this.buckets[slot] as number;
  }
  /** When the member's current status began here (NaN: not yet recorded). */
  since(slot: number): number {
    return this.sinces[slot] as number;
  }
  setSince(slot: number, value: number): void {
    this.sinces[slot] = value;
  }
  acks(slot: number): number {
    return this.ackCounts[slot] as number;
  }
  setAcks(slot: number, value: number): void {
    this.ackCounts[slot] = value;
  }
  store(slot: number): KeyStore | undefined {
    return this.stores.get(slot);
  }
  setStore(slot: number, store: KeyStore | undefined): void {
    if (store === undefined) this.stores.delete(slot);
    else this.stores.set(slot, store);
  }

  // ---- growth ----

  private grow(capacity: number): void {
    const old = this.high;
    // One buffer carved into every column: one allocation per growth, 8-byte columns first so
    // each view stays aligned.
    const buffer = new ArrayBuffer(capacity * BYTES_PER_SLOT);
    let offset = 0;
    const next = <T extends Column>(make: new (b: ArrayBuffer, o: number, n: number) => T, from: T): T => {
      const column = new make(buffer, offset, capacity);
      column.set(from.subarray(0, old) as never);
      offset += capacity * make.prototype.BYTES_PER_ELEMENT;
      return column;
    };
    this.generations = next(Float64Array, this.generations);
    this.maxVersions = next(Float64Array, this.maxVersions);
    this.sinces = next(Float64Array, this.sinces);
    this.incarnations = next(Uint32Array, this.incarnations);
    this.hashes = next(Uint32Array, this.hashes);
    this.hashHighs = next(Uint32Array, this.hashHighs);
    this.ackCounts = next(Uint32Array, this.ackCounts);
    this.statuses = next(Uint8Array, this.statuses);
    this.hashed = next(Uint8Array, this.hashed);
    this.buckets = next(Uint8Array, this.buckets);
    this.capacity = capacity;
    this.index.reserve(capacity);
  }
}

type Column = Float64Array | Uint32Array | Uint8Array;
