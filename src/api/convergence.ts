/**
 * Whether a cluster's views agree. Each live node's view is reduced to a fingerprint of what
 * gossip must spread: per member, its generation, max version and status (heartbeats and phi
 * change every round and are ignored). The fingerprint most live nodes share is the majority;
 * a live node whose fingerprint differs is listed in `differing`. `converged` is true when there
 * is at least one live node and none differs. A node is live when it is configured, running and
 * has not left; stopped, left, never-configured and unreadable nodes are reported but not compared.
 */
import type { DigestEntry, MemberStatus } from "../core/index.js";
import type { NodeView } from "../node/rpc-types.js";

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
  live: boolean;
  /** Whether its fingerprint is the majority's; null when not live. */
  agrees: boolean | null;
  viewHash: string | null;
  digest?: DigestEntry[];
  /** Set when the node's view could not be read (it is then reported as not live). */
  error?: string;
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
}

/** The comparable part of a view, as one canonical string. */
export function viewFingerprint(view: NodeView): string {
  return [...view.members]
    .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
    .map((m) => `${m.node}@${m.generation}:${m.maxVersion}:${m.status}`)
    .join(",");
}

/** Reduces one node's view (null = never configured) to its summary; `agrees` is filled later. */
export function summarizeNode(
  node: string,
  view: NodeView | null,
  withDigest: boolean,
  error?: string,
): NodeSummary {
  if (!view) {
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
      live: false,
      agrees: null,
      viewHash: null,
    };
  }
  const members: Partial<Record<MemberStatus, number>> = {};
  for (const m of view.members) members[m.status] = (members[m.status] ?? 0) + 1;
  const live = view.running && view.status !== "left";
  return {
    node,
    configured: true,
    running: view.running,
    status: view.status,
    generation: view.generation,
    heartbeat: view.self.heartbeat,
    maxVersion: view.self.maxVersion,
    ...(view.self.region === undefined ? {} : { region: view.self.region }),
    members,
    live,
    agrees: null,
    viewHash: hash53(viewFingerprint(view)),
    ...(withDigest ? { digest: view.digest } : {}),
  };
}

/** Compares the live nodes' fingerprints and fills `agrees`, `differing` and `converged`. */
export function summarizeCluster(cluster: string, nodes: NodeSummary[], at: number): ClusterSummary {
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
    registered: sorted.length,
    live: live.length,
    converged: live.length > 0 && differing.length === 0,
    differing,
    majority,
    nodes: sorted,
  };
}

/** cyrb53: a fast 53-bit string hash, as 14 hex digits. Not cryptographic; collisions are negligible here. */
function hash53(text: string): string {
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
