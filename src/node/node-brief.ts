/**
 * A node's view in brief, for the cluster summary: counts and a fingerprint instead of the
 * members themselves, so a summary of N nodes moves N small answers, never N full views. The
 * fingerprint (`viewHash`) is the core's view hash (view-hash.ts).
 */
import { type DigestEntry, type MemberStatus, viewHash } from "../core/index.js";
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
