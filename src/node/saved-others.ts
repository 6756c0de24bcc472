/**
 * What a GossipNode saves of the other nodes, and when; and how it reads them back after a
 * wake-up. Two kinds of rows, because they change at different rates and cost the same:
 * - the membership chunks: every other node's name, generation, heartbeat and status, and the
 *   graves of forgotten ones, split over MEMBER_CHUNKS rows by name (member-chunks.ts). Only
 *   the chunks of members that changed are rewritten: after every round in which a node
 *   joined, restarted, was forgotten, suspected, declared dead or left (a wake-up must know
 *   every member and resume detection), and at most every `snapshotEveryMs` for promotions to
 *   alive alone. A save writes at most MEMBER_CHUNKS rows however many members changed, one
 *   when one member did, and no row grows with the cluster toward SQLite's 2 MB limit.
 * - a keys row per other node that has keys, saved at most every `snapshotEveryMs` when its
 *   keys changed (they are relearned from peers if lost).
 * Heartbeats alone are never saved. A quiet cluster writes none of these rows.
 * A keys row that fails to save fails alone: the others are still saved, the dirty set is
 * cleared (the row is relearned from peers if it is ever needed), and the failure counted.
 */
import {
  type GossiperSnapshot,
  graveTuple,
  type MembershipEvent,
  type NodeStateSnapshot,
  statusCode,
} from "../core/index.js";
import { chunkOf } from "./member-chunks.js";
import type { GraveRecord, MemberRow, NodeStore } from "./node-store.js";

/** What is saved, read from the node's view (node-runtime.ts reads it from the core). */
export interface OthersSource {
  /** Every other node that is a member. */
  members(): MemberRow[];
  graves(): GraveRecord[];
  /** A member's keys as saved, or null when it is no member or has no keys. */
  keysOf(name: string): NodeStateSnapshot | null;
}

export class SavedOthers {
  /** Joined, restarted, forgotten, suspected, declared dead or left: their chunks are saved after the round. */
  private readonly membersChanged = new Set<string>();
  /** Promoted to alive: their chunks wait for the throttle. */
  private readonly statusesChanged = new Set<string>();
  /** Nodes whose keys (or generation) changed: their keys rows, when the throttle allows. */
  private readonly keysChanged = new Set<string>();
  /** Nodes forgotten since the last membership save: their keys rows go with it. */
  private readonly forgotten = new Set<string>();
  private lastThrottledSaveAt = 0;

  constructor(private readonly store: NodeStore) {}

  /** Starts afresh (a new generation): the first change is then saved at once. */
  reset(): void {
    this.membersChanged.clear();
    this.statusesChanged.clear();
    this.keysChanged.clear();
    this.forgotten.clear();
    this.lastThrottledSaveAt = 0;
  }

  /** Just read back from storage: nothing to save, and the throttle counts from now. */
  restored(now: number): void {
    this.reset();
    this.lastThrottledSaveAt = now;
  }

  /** Notes what one event about another node changed. */
  note(event: MembershipEvent): void {
    switch (event.type) {
      case "joined":
        this.membersChanged.add(event.node);
        break;
      case "restarted":
        this.membersChanged.add(event.node);
        this.keysChanged.add(event.node); // the saved keys belong to the old generation
        break;
      case "forgotten":
        this.membersChanged.add(event.node);
        this.forgotten.add(event.node);
        this.keysChanged.delete(event.node);
        break;
      case "state":
        this.keysChanged.add(event.node);
        break;
      case "suspect":
      case "dead":
      case "left":
        // Saved at once: a suspicion's timer runs from when it began, so a wake-up must find
        // it (or the death) rather than restart detection from "alive".
        this.membersChanged.add(event.node);
        break;
      default: // alive
        this.statusesChanged.add(event.node);
    }
  }

  /**
   * Between rounds (news pushed or answered): saves the chunks of members that joined,
   * restarted, were forgotten, suspected, declared dead or left at once, so a wake-up knows
   * every member; promotions to alive wait for the round.
   */
  saveMembersIfJoined(source: OthersSource): void {
    if (this.membersChanged.size === 0) return;
    this.saveChunks(source, false);
  }

  /** After a round: saves what changed and is due. Returns how many keys rows failed to save. */
  save(source: OthersSource, now: number, snapshotEveryMs: number): number {
    const due = now - this.lastThrottledSaveAt >= snapshotEveryMs;
    let throttledSave = false;
    if (this.membersChanged.size > 0 || (due && this.statusesChanged.size > 0)) {
      throttledSave = this.membersChanged.size === 0;
      this.saveChunks(source, due);
    }
    let failed = 0;
    if (due && this.keysChanged.size > 0) {
      throttledSave = true;
      this.store.writing("peerKeys", () => {
        for (const name of this.keysChanged) {
          try {
            this.saveKeys(source, name);
          } catch (error) {
            failed++;
            console.error(`could not save the keys of ${name}`, error);
          }
        }
      });
      this.keysChanged.clear();
    }
    if (throttledSave) this.lastThrottledSaveAt = now;
    return failed;
  }

  /**
   * Rewrites the chunks of the members that changed (with `withStatuses`, of those promoted to
   * alive too), and drops the keys rows of forgotten members. A promotion in a chunk saved
   * anyway is saved with it.
   */
  private saveChunks(source: OthersSource, withStatuses: boolean): void {
    const chunks = new Set<number>();
    for (const name of this.membersChanged) chunks.add(chunkOf(name));
    if (withStatuses) for (const name of this.statusesChanged) chunks.add(chunkOf(name));
    this.store.writing("membership", () => {
      this.store.saveMemberChunks(chunks, source.members(), source.graves());
      for (const name of this.forgotten) this.store.deletePeerKeys(name);
    });
    this.membersChanged.clear();
    for (const name of this.statusesChanged) if (chunks.has(chunkOf(name))) this.statusesChanged.delete(name);
    this.forgotten.clear();
  }

  private saveKeys(source: OthersSource, name: string): void {
    const keys = source.keysOf(name);
    if (keys) this.store.putPeerKeys(keys);
    else this.store.deletePeerKeys(name);
  }
}

/**
 * The others as saved, in the shape Gossiper.restore takes. The membership chunks say who
 * is a member; a keys row is used only when it is of the member's generation. A member without
 * one restarts from version 0 and relearns its keys from peers.
 */
export function restoreOthers(store: NodeStore): Pick<GossiperSnapshot, "others" | "members" | "graveyard"> {
  const { members, graves } = store.loadMembership();
  const keys = store.loadPeerKeys();
  const others = members.map((member): NodeStateSnapshot => {
    const saved = keys.get(member.name);
    // The membership chunks hold the newest claim; a keys row only the keys.
    const claim = { incarnation: member.incarnation, status: statusCode(member.status) };
    if (saved && saved.generation === member.generation) {
      return { ...saved, ...claim, heartbeat: Math.max(saved.heartbeat, member.heartbeat) };
    }
    const { name, generation, heartbeat } = member;
    return { name, generation, ...claim, heartbeat, maxVersion: 0, gcVersion: 0, keys: [] };
  });
  return {
    others,
    members: members.map((member) => [member.name, member.status, member.since]),
    graveyard: graves.map((grave) => graveTuple(grave.name, grave)),
  };
}
