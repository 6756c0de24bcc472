/**
 * Whether a cluster's views agree, from each node's brief (node-brief.ts): its status counts
 * and the fingerprint of its view (`viewHash`: per member, generation, max version and status;
 * heartbeats and phi are left out), never the views themselves. The fingerprint most live
 * nodes share is the majority; a live node whose fingerprint differs is listed in `differing`.
 * `converged` is true when there is at least one live node and none differs. A node is live
 * when it is configured, running and has not left; stopped, left, never-configured and
 * unreadable nodes are reported but not compared.
 *
 * A summary covers one page of the cluster's nodes (at most SUMMARY_MAX_LIMIT, so one request
 * stays within the subrequest budget). `complete` says the page is the whole cluster, and then
 * `converged` is the cluster's verdict; otherwise a client adds up `fingerprints` over the
 * pages: the cluster has converged when all live nodes of every page share one fingerprint.
 */
import type { DigestEntry, MemberStatus } from "../core/index.js";
import type { NodeBrief } from "../node/node-brief.js";
import { NODES_PER_INVOCATION } from "../node/subrequests.js";

/** Most nodes one summary page covers: one call each, within one request's subrequest budget. */
export const SUMMARY_MAX_LIMIT = NODES_PER_INVOCATION;

export interface NodeSummary {
  node: string;
  configured: boolean;
  running: boolean;
  status: MemberStatus | null;
  generation: number | null;
  heartbeat: number | null;
  maxVersion: number | null;
  /** The node's region, when it has one. */
  region?: string;
  /** Members this node sees, counted by status. */
  members: Partial<Record<MemberStatus, number>>;
  /** Members this node sees, itself included; null when not configured. */
  memberCount: number | null;
  /** Protocol rounds the node has run; null when not configured. */
  rounds: number | null;
  /** Rounds its next wake may wait (1 while busy, up to roundsPerWake when quiet); null when not configured. */
  wakeRounds: number | null;
  live: boolean;
  /** Whether its fingerprint is the majority's; null when not live. */
  agrees: boolean | null;
  viewHash: string | null;
  digest?: DigestEntry[];
  /** Set when the node's view could not be read (it is then reported as not live). */
  error?: string;
}

/** Which page of the registered nodes a summary covers. */
export interface SummaryPage {
  /** Nodes the cluster's registry lists, on every page. */
  registered: number;
  /** The page size asked for (or the default). */
  limit: number;
  /** The cursor of the next page (its `cursor` parameter); null on the last page. */
  next: string | null;
}

/** A page of nodes in brief, as read by brief-page.ts (null: never configured or unreadable). */
export interface BriefPage extends SummaryPage {
  nodes: Array<{ node: string; brief: NodeBrief | null; error?: string }>;
}

export interface ClusterSummary {
  cluster: string;
  at: number;
  registered: number;
  live: number;
  converged: boolean;
  differing: string[];
  majority: number;
  nodes: NodeSummary[];
  limit: number;
  maxLimit: number;
  next: string | null;
  complete: boolean;
  fingerprints: Record<string, number>;
}

/** Reduces one node's brief (null = never configured) to its summary; `agrees` is filled later. */
export function summarizeNode(node: string, brief: NodeBrief | null, error?: string): NodeSummary {
  if (!brief) {
    return {
      ...(error === undefined ? {} : { error }),
      node,
      configured: false,
      running: false,
      status: null,
      generation: null,
      heartbeat: null,
      maxVersion: null,
      members: {},
      memberCount: null,
      rounds: null,
      wakeRounds: null,
      live: false,
      agrees: null,
      viewHash: null,
    };
  }
  return {
    node,
    configured: true,
    running: brief.running,
    status: brief.status,
    generation: brief.generation,
    heartbeat: brief.heartbeat,
    maxVersion: brief.maxVersion,
    ...(brief.region === undefined ? {} : { region: brief.region }),
    members: brief.members,
    memberCount: brief.memberCount,
    rounds: brief.rounds ?? null,
    wakeRounds: brief.wakeRounds ?? null,
    live: brief.running && brief.status !== "left",
    agrees: null,
    viewHash: brief.viewHash,
    ...(brief.digest ? { digest: brief.digest } : {}),
  };
}

/**
 * Compares the live nodes' fingerprints and fills `agrees`, `differing` and `converged`, over
 * the nodes of one page (by default, all of them: a page that is the whole cluster).
 */
export function summarizeCluster(
  cluster: string,
  nodes: NodeSummary[],
  at: number,
  page: SummaryPage = { registered: nodes.length, limit: SUMMARY_MAX_LIMIT, next: null },
): ClusterSummary {
  const sorted = [...nodes].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  const live = sorted.filter((n) => n.live);
  const counts = new Map<string, number>();
  for (const n of live) counts.set(n.viewHash as string, (counts.get(n.viewHash as string) ?? 0) + 1);
  // Most holders wins; on a tie, the fingerprint held by the alphabetically first node (live is sorted).
  let majorityHash: string | null = null;
  let majority = 0;
  for (const n of live) {
    const count = counts.get(n.viewHash as string) ?? 0;
    if (count > majority) {
      majority = count;
      majorityHash = n.viewHash;
    }
  }
  const differing: string[] = [];
  for (const n of live) {
    n.agrees = n.viewHash === majorityHash;
    if (!n.agrees) differing.push(n.node);
  }
  return {
    cluster,
    at,
    registered: page.registered,
    live: live.length,
    converged: live.length > 0 && differing.length === 0,
    differing,
    majority,
    nodes: sorted,
    limit: page.limit,
    maxLimit: SUMMARY_MAX_LIMIT,
    next: page.next,
    complete: page.next === null && sorted.length === page.registered,
    fingerprints: Object.fromEntries(counts),
  };
}
