/**
 * Everything one node knows of the cluster: a NodeState per node (its own included), plus
 * a graveyard of forgotten nodes so stale gossip cannot bring them back. Builds digests,
 * works out what a peer lacks or has to offer, and builds and applies capped deltas.
 */
import { type ApplyResult, NodeState, type NodeStateSnapshot } from "./node-state.js";
import type { DigestEntry, HeartbeatEntry, NeedEntry, NodeDelta } from "./types.js";

/** A forgotten node: gossip at or below this generation and heartbeat is ignored. */
export interface Grave {
  generation: number;
  heartbeat: number;
  at: number;
}

/** What applying one node delta did, for the membership layer. */
export interface NodeChange extends ApplyResult {
  name: string;
  /** The node was not known before this delta. */
  discovered: boolean;
}

/** A request to send a node's updates, resolved against local knowledge. */
export interface Wanted {
  name: string;
  fromVersion: number;
  peerGc: number;
  /** The peer already knows this node at our generation (so a bare heartbeat will do). */
  sameGeneration: boolean;
}

export class ClusterState {
  readonly nodes = new Map<string, NodeState>();
  readonly graveyard = new Map<string, Grave>();
  /** Comparisons made so far: the mark of the current one (see NodeState.seenInCompare). */
  private compares = 0;

  constructor(readonly self: NodeState) {
    this.nodes.set(self.name, self);
  }

  get(name: string): NodeState | undefined {
    return this.nodes.get(name);
  }

  /** Digest of every known node, own included. */
  digest(): DigestEntry[] {
    const out: DigestEntry[] = [];
    for (const node of this.nodes.values()) {
      out.push(
        node.gcVersion > 0
          ? [node.name, node.generation, node.heartbeat, node.maxVersion, node.gcVersion]
          : [node.name, node.generation, node.heartbeat, node.maxVersion],
      );
    }
    return out;
  }

  /** Whether gossip about `name` at this generation and heartbeat is stale news of a forgotten node. */
  buried(name: string, generation: number, heartbeat: number): boolean {
    const grave = this.graveyard.get(name);
    return grave !== undefined && generation <= grave.generation && heartbeat <= grave.heartbeat;
  }

  /**
   * Takes heartbeats straight from a peer's digest for nodes known at the same generation.
   * A digest already carries every heartbeat the peer knows, so heartbeat-only news needs no
   * delta and no third message: in a quiet cluster an exchange is a single request.
   */
  heartbeatsFrom(digest: readonly (DigestEntry | HeartbeatEntry)[]): string[] {
    const advanced: string[] = [];
    for (const [name, generation, heartbeat] of digest) {
      if (name === this.self.name) continue;
      const local = this.nodes.get(name);
      if (local && local.generation === generation && heartbeat > local.heartbeat) {
        local.heartbeat = heartbeat;
        advanced.push(name);
      }
    }
    return advanced;
  }

  /**
   * Compares a peer's digest with local knowledge.
   * `need`: what we lack and the peer has. `offer`: what the peer lacks and we have
   * (including nodes missing from its digest).
   */
  compare(digest: readonly DigestEntry[], onlyNeed?: string): { need: NeedEntry[]; offer: Wanted[] } {
    const need: NeedEntry[] = [];
    const offer: Wanted[] = [];
    // Nodes the digest names are marked, not collected in a set: no allocation per exchange.
    const mark = ++this.compares;
    for (const [name, generation, heartbeat, maxVersion, gc = 0] of digest) {
      const local = this.nodes.get(name);
      if (local) local.seenInCompare = mark;
      if (name === this.self.name) {
        if (
          local &&
          (generation < local.generation || heartbeat < local.heartbeat || maxVersion < local.maxVersion)
        ) {
          const sameGeneration = generation === local.generation;
          offer.push({ name, fromVersion: sameGeneration ? maxVersion : 0, peerGc: gc, sameGeneration });
        }
        continue;
      }
      if (!local) {
        if (!this.buried(name, generation, heartbeat) && (onlyNeed === undefined || onlyNeed === name)) {
          need.push([name, generation, 0]);
        }
        continue;
      }
      if (generation > local.generation) {
        if (onlyNeed === undefined || onlyNeed === name) need.push([name, generation, 0]);
      } else if (generation < local.generation) {
        offer.push({ name, fromVersion: 0, peerGc: 0, sameGeneration: false });
      } else {
        // Heartbeats were taken from the digest already (heartbeatsFrom): only keys are needed.
        if (maxVersion > local.maxVersion && (onlyNeed === undefined || onlyNeed === name)) {
          need.push(
            local.gcVersion > 0
              ? [name, generation, local.maxVersion, local.gcVersion]
              : [name, generation, local.maxVersion],
          );
        }
        if (maxVersion < local.maxVersion || heartbeat < local.heartbeat) {
          offer.push({ name, fromVersion: maxVersion, peerGc: gc, sameGeneration: true });
        }
      }
    }
    for (const node of this.nodes.values()) {
      if (node.seenInCompare !== mark) {
        offer.push({ name: node.name, fromVersion: 0, peerGc: 0, sameGeneration: false });
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
      // Always a real delta: an asker may not know the node at all, and heartbeats it
      // lacked already came with our digest.
      const from = local.generation === generation ? fromVersion : 0;
      out.push({ name, fromVersion: from, peerGc: gc, sameGeneration: false });
    }
    return out;
  }

  /**
   * Builds what a peer asked for within `budget` bytes. Nodes the peer knows at our
   * generation and lacks only a heartbeat of go as bare heartbeats (about 25 bytes each);
   * the rest as deltas in random order, so that concurrent exchanges fill different gaps.
   * The last delta may be cut to a valid prefix.
   */
  deltas(
    requests: readonly Wanted[],
    budget: number,
    shuffle: (items: Wanted[]) => Wanted[],
  ): { deltas: NodeDelta[]; heartbeats: HeartbeatEntry[] } {
    const heartbeats: HeartbeatEntry[] = [];
    const withKeys: Wanted[] = [];
    let remaining = budget;
    for (const request of requests) {
      const node = this.nodes.get(request.name);
      if (!node) continue;
      if (request.sameGeneration && node.maxVersion <= request.fromVersion) {
        const size = node.name.length + 24;
        if (size > remaining) continue;
        heartbeats.push([node.name, node.generation, node.heartbeat]);
        remaining -= size;
      } else {
        withKeys.push(request);
      }
    }
    const deltas: NodeDelta[] = [];
    for (const request of shuffle(withKeys)) {
      const node = this.nodes.get(request.name) as NodeState;
      const built = node.deltaFor(request.fromVersion, request.peerGc, remaining);
      if (!built) break;
      deltas.push(built.delta);
      remaining -= built.bytes;
      if (built.delta.max < node.maxVersion) break; // cut: the budget is spent
    }
    return { deltas, heartbeats };
  }

  /**
   * Applies deltas from a peer. Deltas about ourselves, older generations and buried nodes
   * are ignored; a newer generation replaces all that was known of the node.
   */
  apply(deltas: readonly NodeDelta[], now: number): NodeChange[] {
    const changes: NodeChange[] = [];
    for (const delta of deltas) {
      if (delta.n === this.self.name) continue;
      if (this.buried(delta.n, delta.g, delta.h)) continue;
      this.graveyard.delete(delta.n);
      let node = this.nodes.get(delta.n);
      let discovered = false;
      let restarted = false;
      if (!node) {
        node = new NodeState(delta.n, delta.g);
        this.nodes.set(delta.n, node);
        discovered = true;
      } else if (delta.g < node.generation) {
        continue;
      } else if (delta.g > node.generation) {
        node = new NodeState(delta.n, delta.g);
        this.nodes.set(delta.n, node);
        restarted = true;
      }
      const result = node.applyDelta(delta, now);
      if (discovered || restarted) result.heartbeatAdvanced = true;
      changes.push({ ...result, name: delta.n, discovered, restarted });
    }
    return changes;
  }

  /** Forgets a node, remembering where it stood. */
  bury(name: string, now: number): void {
    const node = this.nodes.get(name);
    if (!node || name === this.self.name) return;
    this.nodes.delete(name);
    this.graveyard.set(name, { generation: node.generation, heartbeat: node.heartbeat, at: now });
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
