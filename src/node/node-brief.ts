/**
 * A node's view in brief, for the cluster summary: counts and a fingerprint instead of the
 * members themselves, so a summary of N nodes moves N small answers, never N full views. The
 * fingerprint (`viewHash`) covers what gossip must spread: per member, its generation, max
 * version and status (heartbeats and phi change every round and are left out; members that
 * left count for nothing, see view-hash.ts). Two nodes with the same fingerprint see the same
 * cluster. Members are hashed one by one and the
 * hashes combined by addition, so the order does not matter and a node keeps its counts and
 * fingerprint as it goes (BriefTally): a membership change re-hashes that member alone, and
 * a brief builds no view. `briefOf` makes the same brief from a full view. The hashing is the
 * core's (view-hash.ts), which owners answers carry too.
 */
import {
  addHash,
  type DigestEntry,
  hashHex,
  MEMBER_STATUSES,
  type MemberStatus,
  memberHash,
  type ViewHashEntry,
  viewHash,
} from "../core/index.js";
import type { NodeCounters, NodeView } from "./rpc-types.js";

/** The node's counters (rpc-types.ts), and how many agents it is home to now: what metrics export. */
export type BriefCounters = NodeCounters & { agentsHosted: number };

export interface NodeBrief {
  cluster: string;
  node: string;
  running: boolean;
  generation: number;
  status: MemberStatus;
  heartbeat: number;
  maxVersion: number;
  region?: string;
  /** Members this node sees (itself included), counted by status. */
  members: Partial<Record<MemberStatus, number>>;
  /** Members this node sees, itself included. */
  memberCount: number;
  /** The fingerprint of its view (see above), 14 hex digits. */
  viewHash: string;
  /** Protocol rounds run, all generations. */
  rounds: number;
  /** Alarms run since the object woke. */
  alarmsRun: number;
  /** Rounds its next wake may wait: 1 while busy, up to config.roundsPerWake when quiet. */
  wakeRounds: number;
  /** Its counters, for the metrics route (never the view itself). */
  counters: BriefCounters;
  /** The full digest, only when asked for. */
  digest?: DigestEntry[];
  /** The node's clock when it answered, ms since epoch. */
  at: number;
}

/** What the fingerprint covers of one member. */
export type TallyEntry = ViewHashEntry;

/** Names noted between two briefs at most; past it the next brief counts every member again. */
const MAX_NOTED = 4096;

/** Where a tally reads members: every member's name, and one member as the view shows it. */
export interface TallySource {
  names(): Iterable<string>;
  /** Undefined when it is no member (forgotten). */
  entry(name: string): TallyEntry | undefined;
}

/**
 * A node's status counts and fingerprint, kept as it goes: the shell notes each member a
 * membership event names (joined, restarted, a status, keys, forgotten), and a brief re-reads
 * only those. Counted in full once (after a wake-up, or when too many were noted).
 */
export class BriefTally {
  private readonly entries = new Map<string, { status: MemberStatus; hi: number; lo: number }>();
  private readonly noted = new Set<string>();
  private readonly counts: Partial<Record<MemberStatus, number>> = {};
  private counted = false;
  private readonly sum: [hi: number, lo: number] = [0, 0];

  /** A member changed (or may have): the next brief re-reads it. */
  note(name: string): void {
    if (!this.counted) return;
    this.noted.add(name);
    if (this.noted.size > MAX_NOTED) this.counted = false;
  }

  /** Counts, member count and fingerprint now; `self` is re-read every time (its status moves without events). */
  read(source: TallySource, self: string): Pick<NodeBrief, "members" | "memberCount" | "viewHash"> {
    if (!this.counted) {
      this.entries.clear();
      for (const key of Object.keys(this.counts) as MemberStatus[]) delete this.counts[key];
      this.sum[0] = 0;
      this.sum[1] = 0;
      for (const name of source.names()) this.set(name, source.entry(name));
      this.counted = true;
    } else {
      for (const name of this.noted) this.set(name, source.entry(name));
      this.set(self, source.entry(self));
    }
    this.noted.clear();
    return {
      members: inStatusOrder(this.counts),
      memberCount: this.entries.size,
      viewHash: hashHex(this.sum),
    };
  }

  private set(name: string, entry: TallyEntry | undefined): void {
    const old = this.entries.get(name);
    if (old) {
      addHash(this.sum, [old.hi, old.lo], -1);
      const left = (this.counts[old.status] ?? 0) - 1;
      if (left > 0) this.counts[old.status] = left;
      else delete this.counts[old.status];
      this.entries.delete(name);
    }
    if (!entry) return;
    const [hi, lo] = memberHash(entry);
    addHash(this.sum, [hi, lo]);
    this.counts[entry.status] = (this.counts[entry.status] ?? 0) + 1;
    this.entries.set(name, { status: entry.status, hi, lo });
  }
}

/** Reduces a view to its brief (inside the node, so only the brief crosses RPC). */
export function briefOf(view: NodeView, withDigest: boolean): NodeBrief {
  const counts: Partial<Record<MemberStatus, number>> = {};
  for (const m of view.members) counts[m.status] = (counts[m.status] ?? 0) + 1;
  const members = inStatusOrder(counts);
  return {
    cluster: view.cluster,
    node: view.node,
    running: view.running,
    generation: view.generation,
    status: view.status,
    heartbeat: view.self.heartbeat,
    maxVersion: view.self.maxVersion,
    ...(view.self.region === undefined ? {} : { region: view.self.region }),
    members,
    memberCount: view.members.length,
    viewHash: viewHash(view.members),
    rounds: view.counters.rounds,
    alarmsRun: view.counters.alarmsRun,
    wakeRounds: view.wakeRounds,
    counters: {
      ...view.counters,
      agentsHosted: view.members.filter((m) => m.kind === "agent" && m.home === view.node).length,
    },
    ...(withDigest ? { digest: view.digest } : {}),
    at: view.at,
  };
}

/** Status counts in MEMBER_STATUSES order, so equal counts read as equal JSON. */
function inStatusOrder(counts: Partial<Record<MemberStatus, number>>): Partial<Record<MemberStatus, number>> {
  const out: Partial<Record<MemberStatus, number>> = {};
  for (const status of MEMBER_STATUSES) if (counts[status] !== undefined) out[status] = counts[status];
  return out;
}
