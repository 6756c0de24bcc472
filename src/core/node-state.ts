/**
 * What is known of one node: its generation, its liveness claim (incarnation and status), its
 * versioned key-values with tombstones, and the bookkeeping that makes deltas valid prefixes.
 * The owner mutates its own NodeState through `set`/`delete`/`beat`; everyone else only
 * through `applyDelta` and the claim merge in ClusterState.
 */
import type { DigestEntry, KeyUpdate, NodeDelta, StatusCode, VersionedValue } from "./types.js";

/** Result of applying one delta. */
export interface ApplyResult {
  /** The delta carried a newer generation: everything older was replaced. */
  restarted: boolean;
  changedKeys: string[];
}

/** Serialisable form of a NodeState, for persistence. */
export interface NodeStateSnapshot {
  name: string;
  generation: number;
  /** Omitted in snapshots saved before incarnations existed: 0. */
  incarnation?: number;
  /** Omitted in snapshots saved before incarnations existed: 0 (alive). */
  status?: StatusCode;
  heartbeat: number;
  maxVersion: number;
  gcVersion: number;
  keys: Array<[key: string, value: string | null, version: number, tombstoneAt?: number]>;
}

/** Rough JSON size of one key update, used to respect the delta byte budget. */
export function keyUpdateBytes(key: string, value: string | null): number {
  return key.length + (value === null ? 4 : value.length + 2) + 16;
}

/** Rough JSON size of a node delta without its keys. */
export function nodeDeltaHeaderBytes(name: string): number {
  return name.length + 96;
}

/**
 * A member's keys and the local time each tombstone was first seen, for garbage collection.
 * `tombstoneAt` is one shared empty map until the member has a tombstone (change it only
 * through `markTombstone`, `unmarkTombstone` and `clearTombstones`): most members never have
 * one, and every node holds a key store per member that wrote, a million at N=1000 in the
 * simulator, where a map of its own each cost about 170 bytes.
 */
export interface KeyStore {
  readonly keys: Map<string, VersionedValue>;
  tombstoneAt: ReadonlyMap<string, number>;
}

const NO_TOMBSTONES: ReadonlyMap<string, number> = new Map();

export function newKeyStore(): KeyStore {
  return { keys: new Map(), tombstoneAt: NO_TOMBSTONES };
}

/** A copy of a key store (its own maps, the shared empty one kept). */
export function copyKeyStore(store: KeyStore): KeyStore {
  const tombstoneAt = store.tombstoneAt.size > 0 ? new Map(store.tombstoneAt) : NO_TOMBSTONES;
  return { keys: new Map(store.keys), tombstoneAt };
}

/** Notes when `key`'s tombstone was first seen. */
export function markTombstone(store: KeyStore, key: string, at: number): void {
  if (store.tombstoneAt === NO_TOMBSTONES) store.tombstoneAt = new Map();
  (store.tombstoneAt as Map<string, number>).set(key, at);
}

/** Forgets `key`'s tombstone (it was written again, or collected). */
export function unmarkTombstone(store: KeyStore, key: string): void {
  if (store.tombstoneAt.size > 0) (store.tombstoneAt as Map<string, number>).delete(key);
}

export function clearTombstones(store: KeyStore): void {
  store.tombstoneAt = NO_TOMBSTONES;
}

/** The key store a snapshot holds, or undefined when it holds no keys. */
export function keyStoreOf(snapshot: NodeStateSnapshot, now: number): KeyStore | undefined {
  if (snapshot.keys.length === 0) return undefined;
  const store = newKeyStore();
  for (const [key, value, version, at] of snapshot.keys) {
    store.keys.set(key, { value, version });
    if (value === null) markTombstone(store, key, at ?? now);
  }
  return store;
}

/** What a member without keys answers for `keys` (never written: stores are made on demand). */
const NO_KEYS: ReadonlyMap<string, VersionedValue> = new Map();

/**
 * One member's claim and keys, whatever holds them: a standalone NodeState (this node, its
 * hosted agents, plans and tests) or a row of a MemberTable (every other member). All the
 * logic lives here, over the abstract fields; a member with no keys holds no key store.
 */
export abstract class MemberState {
  abstract readonly name: string;
  abstract readonly generation: number;
  /** Raised only by the member itself, to refute a suspicion. */
  abstract incarnation: number;
  abstract status: StatusCode;
  /** Under phi: the owner's round counter, relayed. Under swim: the owner's own round count. */
  abstract heartbeat: number;
  abstract maxVersion: number;
  /** Highest version of a tombstone removed by garbage collection. */
  abstract gcVersion: number;
  /** The key store; made when `create` is set, else undefined while the member has no keys. */
  protected abstract store(create: boolean): KeyStore | undefined;

  /** Every key held, tombstones included. */
  get keys(): ReadonlyMap<string, VersionedValue> {
    return this.store(false)?.keys ?? NO_KEYS;
  }

  /** Whether some tombstone waits for garbage collection. */
  hasTombstones(): boolean {
    return (this.store(false)?.tombstoneAt.size ?? 0) > 0;
  }

  // ---- owner operations ----

  /** Owner bumps its heartbeat; never goes backwards. */
  beat(atLeast = 0): number {
    this.heartbeat = Math.max(this.heartbeat + 1, atLeast);
    return this.heartbeat;
  }

  /** The version the owner's next write takes (shells that store before they write use it). */
  nextVersion(): number {
    return this.maxVersion + 1;
  }

  /** Owner writes a key; returns the new version. */
  set(key: string, value: string): number {
    const version = this.nextVersion();
    this.maxVersion = version;
    const store = this.store(true) as KeyStore;
    store.keys.set(key, { value, version });
    unmarkTombstone(store, key);
    return version;
  }

  /** Owner deletes a key, leaving a tombstone. Returns the version, or null if absent. */
  delete(key: string, now: number): number | null {
    const current = this.keys.get(key);
    if (!current || current.value === null) return null;
    const version = this.nextVersion();
    this.maxVersion = version;
    const store = this.store(true) as KeyStore;
    store.keys.set(key, { value: null, version });
    markTombstone(store, key, now);
    return version;
  }

  // ---- reading ----

  /** This node's digest entry. */
  digestEntry(): DigestEntry {
    return this.gcVersion > 0
      ? [this.name, this.generation, this.incarnation, this.status, this.maxVersion, this.gcVersion]
      : [this.name, this.generation, this.incarnation, this.status, this.maxVersion];
  }

  get(key: string): string | undefined {
    const entry = this.keys.get(key);
    return entry && entry.value !== null ? entry.value : undefined;
  }

  /** Live (non-tombstone) key-values. */
  liveState(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, entry] of this.keys) if (entry.value !== null) out[key] = entry.value;
    return out;
  }

  /** Keys with a version greater than `fromVersion`, ascending by version. */
  updatesSince(fromVersion: number): KeyUpdate[] {
    const out: KeyUpdate[] = [];
    for (const [key, entry] of this.keys) {
      if (entry.version > fromVersion) out.push([key, entry.value, entry.version]);
    }
    out.sort((a, b) => a[2] - b[2]);
    return out;
  }

  /**
   * Builds the delta a peer needs, given the version it already has (and the highest GC
   * version it has adopted), within a byte budget. Returns the delta and its estimated size,
   * or null when not even the header fits.
   */
  deltaFor(
    fromVersion: number,
    peerGcVersion: number,
    budget: number,
  ): { delta: NodeDelta; bytes: number } | null {
    let bytes = nodeDeltaHeaderBytes(this.name);
    if (bytes > budget) return null;
    // A peer behind our garbage-collection horizon may hold keys whose tombstones are gone:
    // it must start again from nothing.
    const reset = fromVersion < this.gcVersion && peerGcVersion < this.gcVersion;
    const from = reset ? 0 : Math.min(fromVersion, this.maxVersion);
    const updates = this.updatesSince(from);
    const kv: KeyUpdate[] = [];
    for (const update of updates) {
      const size = keyUpdateBytes(update[0], update[1]);
      // At least one key always goes, so a budget below one key's size never stalls versions.
      if (bytes + size > budget && kv.length > 0) break;
      kv.push(update);
      bytes += size;
    }
    const complete = kv.length === updates.length;
    const last = kv.at(-1);
    const max = complete ? this.maxVersion : last ? last[2] : from;
    return {
      delta: {
        n: this.name,
        g: this.generation,
        i: this.incarnation,
        s: this.status,
        from,
        reset,
        max,
        gc: this.gcVersion,
        kv,
      },
      bytes,
    };
  }

  // ---- merging ----

  /**
   * Applies the keys of a delta of the same generation (the caller handles generation changes
   * and the liveness claim). Idempotent; never moves versions backwards; ignores a delta that
   * would leave a gap in the versions held.
   */
  applyDelta(delta: NodeDelta, now: number): ApplyResult {
    const result: ApplyResult = { restarted: false, changedKeys: [] };
    if (delta.reset && this.maxVersion < delta.gc && this.gcVersion < delta.gc) {
      for (const key of this.keys.keys()) result.changedKeys.push(key);
      const held = this.store(false);
      if (held) {
        held.keys.clear();
        clearTombstones(held);
      }
      this.maxVersion = 0;
      this.gcVersion = delta.gc;
    } else if (delta.from > this.maxVersion) {
      return result; // a gap: we would miss versions in between
    }
    if (delta.reset) this.gcVersion = Math.max(this.gcVersion, delta.gc);
    for (const [key, value, version] of delta.kv) {
      const current = this.keys.get(key);
      if (!current || current.version < version) {
        const store = this.store(true) as KeyStore;
        store.keys.set(key, { value, version });
        if (value === null) markTombstone(store, key, now);
        else unmarkTombstone(store, key);
        result.changedKeys.push(key);
      }
    }
    // The delta covered every version in (from, max] and from <= maxVersion: we are now
    // complete up to max (versions in between were overwritten or collected).
    if (delta.max > this.maxVersion) this.maxVersion = delta.max;
    return result;
  }

  /** Drops tombstones older than `graceMs`; returns how many were dropped. */
  collectTombstones(now: number, graceMs: number): number {
    let dropped = 0;
    const store = this.store(false);
    if (!store) return 0;
    for (const [key, at] of store.tombstoneAt) {
      if (now - at < graceMs) continue;
      const entry = store.keys.get(key);
      if (entry && entry.value === null) {
        store.keys.delete(key);
        this.gcVersion = Math.max(this.gcVersion, entry.version);
        dropped++;
      }
      unmarkTombstone(store, key);
    }
    return dropped;
  }

  // ---- persistence ----

  snapshot(): NodeStateSnapshot {
    const keys: NodeStateSnapshot["keys"] = [];
    for (const [key, entry] of this.keys) {
      const at = this.store(false)?.tombstoneAt.get(key);
      keys.push(at === undefined ? [key, entry.value, entry.version] : [key, entry.value, entry.version, at]);
    }
    return {
      name: this.name,
      generation: this.generation,
      incarnation: this.incarnation,
      status: this.status,
      heartbeat: this.heartbeat,
      maxVersion: this.maxVersion,
      gcVersion: this.gcVersion,
      keys,
    };
  }
}

/** A member held as its own object: this node, a hosted agent, a plan or a test's. */
export class NodeState extends MemberState {
  incarnation = 0;
  status: StatusCode = 0;
  heartbeat = 0;
  maxVersion = 0;
  gcVersion = 0;
  private keyStore: KeyStore | undefined = undefined;

  constructor(
    readonly name: string,
    readonly generation: number,
  ) {
    super();
  }

  protected store(create: true): KeyStore;
  protected store(create: boolean): KeyStore | undefined;
  protected store(create: boolean): KeyStore | undefined {
    if (create && !this.keyStore) this.keyStore = newKeyStore();
    return this.keyStore;
  }

  /** Hands the key store over (to a MemberTable taking this member in); this object keeps none. */
  takeKeyStore(): KeyStore | undefined {
    const store = this.keyStore;
    this.keyStore = undefined;
    return store;
  }

  static fromSnapshot(snapshot: NodeStateSnapshot, now: number): NodeState {
    const state = new NodeState(snapshot.name, snapshot.generation);
    state.incarnation = snapshot.incarnation ?? 0;
    state.status = snapshot.status ?? 0;
    state.heartbeat = snapshot.heartbeat;
    state.maxVersion = snapshot.maxVersion;
    state.gcVersion = snapshot.gcVersion;
    state.keyStore = keyStoreOf(snapshot, now);
    return state;
  }
}
