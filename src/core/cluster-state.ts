/**
 * Everything one node knows of the cluster: a compact MemberTable row per member (this node
 * and its hosted agents held as NodeState objects beside their rows), the
 * digest fingerprint kept up to date with them, and a graveyard of forgotten members so stale
 * gossip cannot bring them back. Works out what a peer lacks or has to offer within the
 * buckets that differ, builds capped deltas and merges deltas and news.
 */
import { BUCKETS, bucketOf, claimHash, counted, Fingerprint, fnv1a64, sameHash } from "./fingerprint.js";
import type { Interner } from "./interner.js";
import { MemberTable } from "./member-table.js";
import { keyStoreOf, type MemberState, NodeState, type NodeStateSnapshot } from "./node-state.js";
import { type Claim, compareClaims, LEFT } from "./precedence.js";
import { TableRowState } from "./table-row-state.js";
import type { DigestEntry, NeedEntry, NewsItem, NodeDelta, StatusCode } from "./types.js";

/** A forgotten member: claims at or below this one are ignored. */
export interface Grave {
  generation: number;
  incarnation: number;
  /** It left (rather than died): nothing more of this generation is taken. */
  left: boolean;
  at: number;
  /**
   * It was a gossip peer (a node, never an agent) that died: one a node may still try now and
   * then (peer-choice.ts), in case it was cut off rather than gone.
   */
  peer: boolean;
}

/** A grave as a snapshot holds it: `[name, generation, incarnation, at, left?, peer?]`. */
export type GraveTuple = [
  name: string,
  generation: number,
  incarnation: number,
  at: number,
  left?: boolean,
  peer?: boolean,
];

/** The snapshot's tuple of a grave (the flags only when set, as older snapshots lack them). */
export function graveTuple(name: string, grave: Grave): GraveTuple {
  const tuple: GraveTuple = [name, grave.generation, grave.incarnation, grave.at];
  if (grave.left || grave.peer) tuple.push(grave.left);
  if (grave.peer) tuple.push(true);
  return tuple;
}

/** A grave from its tuple (a missing flag is false: an older grave is never tried). */
export function graveOf([, generation, incarnation, at, left, peer]: GraveTuple): Grave {
  return { generation, incarnation, at, left: left === true, peer: peer === true };
}

/** What merging news or a delta about one member did, for the membership layer. */
export interface NodeChange {
  name: string;
  /** The member was not known before. */
  discovered: boolean;
  /** A newer generation replaced everything known of it. */
  restarted: boolean;
  /** Its liveness claim moved forward (the previous one when it did). */
  claimChanged: boolean;
  previousStatus: StatusCode | null;
  changedKeys: string[];
}

/** A request to send a member's updates, resolved against local knowledge. */
export interface Wanted {
  name: string;
  fromVersion: number;
  peerGc: number;
}

export class ClusterState {
  /** Every member, this node and its hosted agents included (their claims live in `writers`). */
  readonly table: MemberTable;
  readonly graveyard: Map<string, Grave>;
  readonly fingerprint: Fingerprint;
  /** Members with tombstones waiting for garbage collection (checked each round). */
  readonly tombstoned: Set<string>;
  /** Members this node writes besides itself (hosted agents): merges never change them. */
  private readonly owned = new Set<string>();
  /** This node and its hosted agents, held as objects the Gossiper mutates in place. */
  private readonly writers = new Map<string, NodeState>();
  /** The row handle `peek` and this state's own reads move from row to row. */
  private readonly cursor: TableRowState;
  /** Scratch marks by table slot for `compare`, all 0 between calls (one per state, not per call). */
  private seen = new Uint8Array(0);

  constructor(
    readonly self: NodeState,
    interner?: Interner,
    /** Another node's membership to start from (see `viewFor`). */
    from?: ClusterState,
  ) {
    this.table = from ? from.table.clone() : new MemberTable(interner);
    this.cursor = new TableRowState(this.table, 0);
    this.graveyard = new Map(from?.graveyard);
    this.fingerprint = from ? from.fingerprint.clone() : new Fingerprint();
    this.tombstoned = new Set(from?.tombstoned);
    if (from) {
      // The other node's own record becomes a member like any other; `self` becomes the writer.
      const slot = this.table.slotOf(from.self.name) as number;
      this.intoRow(NodeState.fromSnapshot(from.self.snapshot(), 0), slot);
    }
    this.add(self);
  }

  /**
   * This membership as member `name` would hold it: a copy in which `name` is the writer (a
   * simulated node starting from a converged view). Only for a node hosting no agents.
   */
  viewFor(self: NodeState): ClusterState {
    if (this.owned.size > 0) throw new Error("a view is copied only from a node hosting no agents");
    return new ClusterState(self, undefined, this);
  }

  get(name: string): MemberState | undefined {
    return this.find(name, false);
  }

  /**
   * `get` for a read that ends at once: a table member comes as the one reused row handle, which
   * the next call into this state may move, so it must not be held (no object per lookup).
   */
  peek(name: string): MemberState | undefined {
    return this.find(name, true);
  }

  private find(name: string, transient: boolean): MemberState | undefined {
    const writer = this.writers.get(name);
    if (writer) return writer;
    const slot = this.table.slotOf(name);
    return slot === undefined ? undefined : this.row(slot, transient);
  }

  /** The member in a table slot. */
  at(slot: number): MemberState {
    return this.member(slot, false);
  }

  private member(slot: number, transient: boolean): MemberState {
    return this.writers.get(this.table.name(slot)) ?? this.row(slot, transient);
  }

  /** A handle on a row that is no writer's: its own, or the moved cursor when `transient`. */
  private row(slot: number, transient: boolean): TableRowState {
    return transient ? this.cursor.moveTo(slot) : new TableRowState(this.table, slot);
  }

  slotOf(name: string): number | undefined {
    return this.table.slotOf(name);
  }

  get size(): number {
    return this.table.size;
  }

  /** Every member, this node included: a whole-table walk, never part of a quiet round. */
  *members(): IterableIterator<MemberState> {
    for (const slot of this.table.slots()) yield this.at(slot);
  }

  /** Makes this node the writer of `name` (a hosted agent). */
  own(name: string): void {
    this.owned.add(name);
  }

  /** This node no longer writes `name`: what it held stays, as a replica merged like any other. */
  disown(name: string): void {
    this.owned.delete(name);
    const writer = this.writers.get(name);
    if (!writer) return;
    this.writers.delete(name);
    const slot = this.table.slotOf(name);
    if (slot !== undefined) this.intoRow(writer, slot);
  }

  /** Re-counts a member's entry in the fingerprint after any change to it. */
  refresh(node: MemberState): void {
    const slot = this.table.slotOf(node.name);
    if (slot !== undefined) this.refreshSlot(slot, node);
  }

  private refreshSlot(slot: number, node: MemberState): void {
    const name = node.name;
    if (node.hasTombstones()) this.tombstoned.add(name);
    const gc = node.gcVersion;
    const next = counted(node.status, name === this.self.name)
      ? claimHash(fnv1a64(name), node.generation, node.incarnation, node.status, node.maxVersion, gc)
      : undefined;
    const old = this.table.hash(slot);
    if (sameHash(next, old)) return;
    this.fingerprint.replaceIn(this.table.bucket(slot), old, next);
    this.table.setHash(slot, next);
  }

  /**
   * Takes a saved member in (a restore): straight into a new row, with no object in between.
   * Returns its slot.
   */
  load(saved: NodeStateSnapshot, now: number): number {
    const known = this.table.slotOf(saved.name);
    if (known !== undefined || this.writes(saved.name)) {
      this.add(NodeState.fromSnapshot(saved, now));
      return this.table.slotOf(saved.name) as number;
    }
    const table = this.table;
    const slot = table.insert(saved.name, saved.generation);
    table.setIncarnation(slot, saved.incarnation ?? 0);
    table.setStatus(slot, saved.status ?? 0);
    table.setHeartbeat(slot, saved.heartbeat);
    table.setMaxVersion(slot, saved.maxVersion);
    table.setGcVersion(slot, saved.gcVersion);
    table.setStore(slot, keyStoreOf(saved, now));
    this.refreshSlot(slot, this.row(slot, true));
    return slot;
  }

  /** Adds (or replaces) a member's state; a non-writer's is copied into its table row. */
  add(node: NodeState): void {
    let slot = this.table.slotOf(node.name);
    if (slot === undefined) slot = this.table.insert(node.name, node.generation);
    else {
      this.fingerprint.replace(node.name, this.table.hash(slot), undefined);
      this.table.clear(slot, node.generation);
    }
    if (this.writes(node.name)) {
      this.writers.set(node.name, node);
      this.refresh(node);
    } else {
      this.writers.delete(node.name);
      this.intoRow(node, slot);
    }
  }

  /** Copies a standalone member into its row (the row takes its key store over). */
  private intoRow(node: NodeState, slot: number): void {
    const table = this.table;
    // The row's bookkeeping and its hash as counted in the fingerprint stay.
    const since = table.since(slot);
    const acks = table.acks(slot);
    const hash = table.hash(slot);
    table.clear(slot, node.generation);
    table.setSince(slot, since);
    table.setAcks(slot, acks);
    table.setHash(slot, hash);
    table.setIncarnation(slot, node.incarnation);
    table.setStatus(slot, node.status);
    table.setHeartbeat(slot, node.heartbeat);
    table.setMaxVersion(slot, node.maxVersion);
    table.setGcVersion(slot, node.gcVersion);
    table.setStore(slot, node.takeKeyStore());
    this.refreshSlot(slot, this.row(slot, true));
  }

  /** Digest entries of every member in the given buckets (all buckets when omitted). */
  digest(buckets?: readonly number[]): DigestEntry[] {
    const out: DigestEntry[] = [];
    if (!buckets) {
      for (const node of this.members()) out.push(node.digestEntry());
      return out;
    }
    for (const slot of this.table.slotsInBuckets(bucketMask(buckets)))
      out.push(this.member(slot, true).digestEntry());
    return out;
  }

  /** Whether a claim about `name` is stale news of a forgotten member. */
  buried(name: string, generation: number, incarnation: number): boolean {
    const grave = this.graveyard.get(name);
    if (!grave) return false;
    if (generation !== grave.generation) return generation < grave.generation;
    return grave.left || incarnation <= grave.incarnation;
  }

  /**
   * Compares a peer's digest entries of `buckets` with local knowledge. `need`: what we lack
   * and the peer has; `offer`: what the peer lacks and we have, including our members of those
   * buckets missing from its entries.
   */
  compare(
    entries: readonly DigestEntry[],
    buckets: readonly number[],
    onlyNeed?: string,
  ): { need: NeedEntry[]; offer: Wanted[] } {
    const need: NeedEntry[] = [];
    const offer: Wanted[] = [];
    const mask = bucketMask(buckets);
    const ours = this.table.slotsInBuckets(mask);
    // Our members of those buckets by name, read in slot order: a lookup in the table's index
    // per entry costs a cache miss or two, where this map is small and at hand. An entry from
    // another bucket (a peer's digest holds none) is looked up in the index.
    const slots = new Map<string, number>();
    for (const slot of ours) slots.set(this.table.name(slot), slot);
    // Members of ours the entries named, by slot: a scratch kept by this state, cleared below.
    if (this.seen.length < this.table.slotCapacity) this.seen = new Uint8Array(this.table.slotCapacity);
    const seen = this.seen;
    for (const [name, generation, incarnation, status, maxVersion, gc = 0] of entries) {
      // What we may ask for: only `onlyNeed` when given, never a member this node writes.
      const wantIt = (onlyNeed === undefined || onlyNeed === name) && !this.writes(name);
      const mine = slots.get(name);
      const slot = mine ?? (mask[bucketOf(name)] === 1 ? undefined : this.table.slotOf(name));
      if (slot === undefined) {
        if (wantIt && !this.buried(name, generation, incarnation)) need.push([name, generation, 0]);
        continue;
      }
      if (mine !== undefined) seen[mine] = 1;
      const local = this.member(slot, true);
      const localGeneration = local.generation;
      if (generation > localGeneration) {
        if (wantIt) need.push([name, generation, 0]);
        continue;
      }
      if (generation < localGeneration) {
        offer.push({ name, fromVersion: 0, peerGc: 0 });
        continue;
      }
      const order = compareClaims({ generation, incarnation, status }, local);
      const localMax = local.maxVersion;
      if (wantIt && (maxVersion > localMax || order > 0)) {
        const localGc = local.gcVersion;
        need.push(localGc > 0 ? [name, generation, localMax, localGc] : [name, generation, localMax]);
      }
      if (maxVersion < localMax || order < 0) {
        offer.push({ name, fromVersion: Math.min(maxVersion, localMax), peerGc: gc });
      }
    }
    for (const slot of ours) {
      if (seen[slot] === 0) offer.push({ name: this.table.name(slot), fromVersion: 0, peerGc: 0 });
      seen[slot] = 0;
    }
    return { need, offer };
  }

  /** Turns a peer's need list into the requests we can serve. */
  servable(need: readonly NeedEntry[]): Wanted[] {
    const out: Wanted[] = [];
    for (const [name, generation, fromVersion, gc = 0] of need) {
      const local = this.peek(name);
      if (!local || local.generation < generation) continue;
      out.push({ name, fromVersion: local.generation === generation ? fromVersion : 0, peerGc: gc });
    }
    return out;
  }

  /**
   * Builds what a peer asked for within `budget` bytes, in the order given (the caller
   * shuffles, so concurrent exchanges fill different gaps). The last delta may be cut to a valid
   * prefix; the first always goes, so a small budget slows a peer down but never stalls it.
   */
  deltas(requests: readonly Wanted[], budget: number): NodeDelta[] {
    const out: NodeDelta[] = [];
    let remaining = budget;
    for (const request of requests) {
      const node = this.get(request.name);
      if (!node) continue;
      const built = node.deltaFor(
        request.fromVersion,
        request.peerGc,
        Math.max(remaining, out.length === 0 ? 1 : 0),
      );
      if (!built) break;
      out.push(built.delta);
      remaining -= built.bytes;
      if (built.delta.max < node.maxVersion || remaining <= 0) break;
    }
    return out;
  }

  /**
   * Merges a liveness claim about a member (from news or a delta header). Returns what
   * changed, or null when the claim was stale, buried, about ourselves or not newer.
   */
  mergeClaim(name: string, claim: Claim): NodeChange | null {
    if (this.writes(name)) return null;
    if (this.buried(name, claim.generation, claim.incarnation)) return null;
    let slot = this.table.slotOf(name);
    // Of the generation held (or an older one): taken only when newer, else nothing is built.
    const renewed = slot === undefined || claim.generation > this.table.generation(slot);
    if (!renewed && compareClaims(claim, this.row(slot as number, true)) <= 0) return null;
    const change: NodeChange = {
      name,
      discovered: false,
      restarted: false,
      claimChanged: false,
      previousStatus: null,
      changedKeys: [],
    };
    if (slot === undefined) {
      slot = this.table.insert(name, claim.generation);
      change.discovered = true;
    } else if (claim.generation > this.table.generation(slot)) {
      for (const key of this.table.store(slot)?.keys.keys() ?? []) change.changedKeys.push(key);
      change.previousStatus = this.table.status(slot);
      this.fingerprint.replace(name, this.table.hash(slot), undefined);
      const since = this.table.since(slot);
      const acks = this.table.acks(slot);
      this.table.clear(slot, claim.generation);
      // When its status began and its acks are this observer's: claims.ts resets them.
      this.table.setSince(slot, since);
      this.table.setAcks(slot, acks);
      this.tombstoned.delete(name);
      change.restarted = true;
    } else {
      change.previousStatus = this.table.status(slot);
    }
    this.table.setIncarnation(slot, claim.incarnation);
    this.table.setStatus(slot, claim.status);
    change.claimChanged = true;
    this.graveyard.delete(name);
    this.refreshSlot(slot, this.row(slot, true));
    return change;
  }

  /** Applies deltas from a peer: claims first, then keys. */
  apply(deltas: readonly NodeDelta[], now: number): NodeChange[] {
    const changes: NodeChange[] = [];
    for (const delta of deltas) {
      if (this.writes(delta.n)) continue;
      const claimed = this.mergeClaim(delta.n, {
        generation: delta.g,
        incarnation: delta.i,
        status: delta.s,
      });
      // Not a member this node writes: its row holds it.
      const slot = this.table.slotOf(delta.n);
      if (slot === undefined) continue;
      const node = this.row(slot, true);
      if (node.generation !== delta.g) continue;
      const result = node.applyDelta(delta, now);
      if (result.changedKeys.length > 0 || claimed) this.refreshSlot(slot, node);
      if (!claimed && result.changedKeys.length === 0) continue;
      const change: NodeChange = claimed ?? {
        name: delta.n,
        discovered: false,
        restarted: false,
        claimChanged: false,
        previousStatus: null,
        changedKeys: [],
      };
      for (const key of result.changedKeys)
        if (!change.changedKeys.includes(key)) change.changedKeys.push(key);
      changes.push(change);
    }
    return changes;
  }

  /** News item for a member, as this node holds it. */
  newsOf(name: string, reporter?: string): NewsItem | undefined {
    const node = this.peek(name);
    if (!node) return undefined;
    const item: NewsItem = [name, node.generation, node.incarnation, node.status, node.maxVersion];
    if (reporter !== undefined) item.push(reporter);
    return item;
  }

  /** Forgets a member, remembering where it stood (`peer`: a node that may be tried later). */
  bury(name: string, now: number, peer: boolean): void {
    const slot = this.table.slotOf(name);
    if (slot === undefined || this.writes(name)) return;
    const node = this.at(slot);
    this.fingerprint.replaceIn(this.table.bucket(slot), this.table.hash(slot), undefined);
    this.tombstoned.delete(name);
    // Graves stay in the order they were dug (see expireGraves).
    this.graveyard.delete(name);
    this.graveyard.set(name, {
      generation: node.generation,
      incarnation: node.incarnation,
      left: node.status === LEFT,
      at: now,
      peer: peer && node.status !== LEFT,
    });
    this.table.remove(slot);
  }

  /** Whether this node is the one writer of `name` (itself or a hosted member). */
  writes(name: string): boolean {
    return name === this.self.name || this.owned.has(name);
  }

  /**
   * Drops graves older than `keepMs`. Graves are dug in time order (a restore sorts them), so
   * the walk stops at the first one still kept.
   */
  expireGraves(now: number, keepMs: number): void {
    for (const [name, grave] of this.graveyard) {
      if (now - grave.at < keepMs) return;
      this.graveyard.delete(name);
    }
  }

  snapshotOthers(): NodeStateSnapshot[] {
    const out: NodeStateSnapshot[] = [];
    for (const node of this.members()) if (node !== this.self) out.push(node.snapshot());
    return out;
  }
}

/** A per-bucket mask of `buckets`. */
function bucketMask(buckets: readonly number[]): Uint8Array {
  const mask = new Uint8Array(BUCKETS);
  for (const bucket of buckets) if (bucket >= 0 && bucket < BUCKETS) mask[bucket] = 1;
  return mask;
}
