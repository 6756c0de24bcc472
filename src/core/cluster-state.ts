/**
 * Everything one node knows of the cluster: a NodeState per member (its own included), the
 * digest fingerprint kept up to date with them, and a graveyard of forgotten members so stale
 * gossip cannot bring them back. Works out what a peer lacks or has to offer within the
 * buckets that differ, builds capped deltas and merges deltas and news.
 */
import { bucketOf, entryHash, Fingerprint } from "./fingerprint.js";
import { NodeState, type NodeStateSnapshot } from "./node-state.js";
import { type Claim, compareClaims, LEFT } from "./precedence.js";
import type { DigestEntry, NeedEntry, NewsItem, NodeDelta, StatusCode } from "./types.js";

/** A forgotten member: claims at or below this one are ignored. */
export interface Grave {
  generation: number;
  incarnation: number;
  /** It left (rather than died): nothing more of this generation is taken. */
  left: boolean;
  at: number;
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
  readonly nodes = new Map<string, NodeState>();
  readonly graveyard = new Map<string, Grave>();
  readonly fingerprint = new Fingerprint();
  /** Members this node writes besides itself (hosted agents): merges never change them. */
  readonly owned = new Set<string>();
  /** Comparisons made so far: the mark of the current one (see NodeState.seenInCompare). */
  private compares = 0;

  constructor(readonly self: NodeState) {
    this.add(self);
  }

  get(name: string): NodeState | undefined {
    return this.nodes.get(name);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Re-counts a member's entry in the fingerprint after any change to it. */
  refresh(node: NodeState): void {
    const next = entryHash(node.digestEntry());
    if (next === node.hash) return;
    this.fingerprint.replace(node.name, node.hash, next);
    node.hash = next;
  }

  /** Adds (or replaces) a member's state. */
  add(node: NodeState): void {
    const old = this.nodes.get(node.name);
    if (old && old !== node) {
      this.fingerprint.replace(old.name, old.hash, undefined);
      old.hash = undefined;
    }
    this.nodes.set(node.name, node);
    node.hash = undefined;
    this.refresh(node);
  }

  /** Digest entries of every member in the given buckets (all buckets when omitted). */
  digest(buckets?: readonly number[]): DigestEntry[] {
    const wanted = buckets ? new Set(buckets) : null;
    const out: DigestEntry[] = [];
    for (const node of this.nodes.values()) {
      if (wanted && !wanted.has(bucketOf(node.name))) continue;
      out.push(node.digestEntry());
    }
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
    const mark = ++this.compares;
    for (const [name, generation, incarnation, status, maxVersion, gc = 0] of entries) {
      const local = this.nodes.get(name);
      if (local) local.seenInCompare = mark;
      const wantIt = onlyNeed === undefined || onlyNeed === name;
      if (!local) {
        if (wantIt && !this.writes(name) && !this.buried(name, generation, incarnation)) {
          need.push([name, generation, 0]);
        }
        continue;
      }
      const order = compareClaims({ generation, incarnation, status }, local);
      if (generation > local.generation) {
        if (wantIt && !this.writes(name)) need.push([name, generation, 0]);
        continue;
      }
      if (generation < local.generation) {
        offer.push({ name, fromVersion: 0, peerGc: 0 });
        continue;
      }
      if (wantIt && !this.writes(name) && (maxVersion > local.maxVersion || order > 0)) {
        need.push(
          local.gcVersion > 0
            ? [name, generation, local.maxVersion, local.gcVersion]
            : [name, generation, local.maxVersion],
        );
      }
      if (maxVersion < local.maxVersion || order < 0) {
        offer.push({ name, fromVersion: Math.min(maxVersion, local.maxVersion), peerGc: gc });
      }
    }
    const inBuckets = new Set(buckets);
    for (const node of this.nodes.values()) {
      if (node.seenInCompare !== mark && inBuckets.has(bucketOf(node.name))) {
        offer.push({ name: node.name, fromVersion: 0, peerGc: 0 });
      }
    }
    return { need, offer };
  }

  /** Turns a peer's need list into the requests we can serve. */
  servable(need: readonly NeedEntry[]): Wanted[] {
    const out: Wanted[] = [];
    for (const [name, generation, fromVersion, gc = 0] of need) {
      const local = this.nodes.get(name);
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
      const node = this.nodes.get(request.name);
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
    let node = this.nodes.get(name);
    const change: NodeChange = {
      name,
      discovered: false,
      restarted: false,
      claimChanged: false,
      previousStatus: null,
      changedKeys: [],
    };
    if (!node) {
      node = new NodeState(name, claim.generation);
      change.discovered = true;
    } else if (claim.generation > node.generation) {
      const restarted = new NodeState(name, claim.generation);
      for (const key of node.keys.keys()) change.changedKeys.push(key);
      change.previousStatus = node.status;
      node = restarted;
      change.restarted = true;
    } else if (compareClaims(claim, node) <= 0) {
      return null;
    } else {
      change.previousStatus = node.status;
    }
    node.incarnation = claim.incarnation;
    node.status = claim.status;
    change.claimChanged = true;
    this.graveyard.delete(name);
    if (change.discovered || change.restarted) this.add(node);
    else this.refresh(node);
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
      const node = this.nodes.get(delta.n);
      if (!node || node.generation !== delta.g) continue;
      const result = node.applyDelta(delta, now);
      if (result.changedKeys.length > 0 || claimed) this.refresh(node);
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
    const node = this.nodes.get(name);
    if (!node) return undefined;
    const item: NewsItem = [name, node.generation, node.incarnation, node.status, node.maxVersion];
    if (reporter !== undefined) item.push(reporter);
    return item;
  }

  /** Forgets a member, remembering where it stood. */
  bury(name: string, now: number): void {
    const node = this.nodes.get(name);
    if (!node || this.writes(name)) return;
    this.nodes.delete(name);
    this.fingerprint.replace(name, node.hash, undefined);
    this.graveyard.set(name, {
      generation: node.generation,
      incarnation: node.incarnation,
      left: node.status === LEFT,
      at: now,
    });
  }

  /** Whether this node is the one writer of `name` (itself or a hosted member). */
  writes(name: string): boolean {
    return name === this.self.name || this.owned.has(name);
  }

  /** Drops graves older than `keepMs`. */
  expireGraves(now: number, keepMs: number): void {
    for (const [name, grave] of this.graveyard) if (now - grave.at >= keepMs) this.graveyard.delete(name);
  }

  snapshotOthers(): NodeStateSnapshot[] {
    const out: NodeStateSnapshot[] = [];
    for (const node of this.nodes.values()) if (node !== this.self) out.push(node.snapshot());
    return out;
  }
}
