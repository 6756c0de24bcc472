/**
 * A node's view in brief, for the cluster summary: counts and a fingerprint instead of the
 * members themselves, so a summary of N nodes moves N small answers, never N full views. The
 * fingerprint (`viewHash`) covers what gossip must spread: per member, its generation, max
 * version and status (heartbeats and phi change every round and are left out). Two nodes
 * with the same fingerprint see the same cluster.
 */
import type { DigestEntry, MemberStatus, MemberView } from "../core/index.js";
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

/** The comparable part of a view, as one canonical string. */
export function viewFingerprint(members: readonly MemberView[]): string {
  return [...members]
    .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
    .map((m) => `${m.node}@${m.generation}:${m.maxVersion}:${m.status}`)
    .join(",");
}

/** Reduces a view to its brief (inside the node, so only the brief crosses RPC). */
export function briefOf(view: NodeView, withDigest: boolean): NodeBrief {
  const members: Partial<Record<MemberStatus, number>> = {};
  for (const m of view.members) members[m.status] = (members[m.status] ?? 0) + 1;
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
    viewHash: hash53(viewFingerprint(view.members)),
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

/** cyrb53: a fast 53-bit string hash, as 14 hex digits. Not cryptographic; collisions are negligible here. */
export function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0");
}
