/**
 * Pure questions the bench asks of a set of node views: has a value reached everyone, which
 * live nodes were ever seen as suspect or dead, and what changed in the counters over a
 * window. Those that need only counts (does everyone know everyone, is the mesh quiet, has
 * every node counted the victim out, how late ran the alarms) are asked of the nodes' briefs
 * (the cluster summary's entries), a small fraction of a full view.
 */
import type { NodeCounters, NodeView } from "../../src/node/rpc-types.js";

/** What the count checks read of one node's brief (an entry of the cluster summary). */
export interface BriefCounts {
  node: string;
  live: boolean;
  members: Partial<Record<string, number>>;
  memberCount: number | null;
  rounds: number | null;
  wakeRounds?: number | null;
}

/** A node's alarm counters (restarted by a wake-up from hibernation), from its view. */
export interface AlarmReading {
  node: string;
  counters?: { alarmsRun: number; alarmLateMs: number };
}

/**
 * The mean lateness of the alarms run between two readings of the same nodes, ms: how late the
 * runtime delivered them after the time they were armed for. Nodes whose counters restarted
 * in between (a wake-up) are left out; null when no alarm ran.
 */
export function meanAlarmLateness(
  before: readonly AlarmReading[],
  after: readonly AlarmReading[],
): number | null {
  const was = new Map(before.map((brief) => [brief.node, brief.counters]));
  let alarms = 0;
  let lateMs = 0;
  for (const brief of after) {
    const a = was.get(brief.node);
    const b = brief.counters;
    if (!a || !b || b.alarmsRun < a.alarmsRun || b.alarmLateMs < a.alarmLateMs) continue;
    alarms += b.alarmsRun - a.alarmsRun;
    lateMs += b.alarmLateMs - a.alarmLateMs;
  }
  return alarms === 0 ? null : lateMs / alarms;
}

/**
 * True when every node in `names` is live and counts exactly `names.length` members, all
 * alive. In a cluster whose only members are `names` (a fresh bootstrap, no agents) that is
 * every node listing every node alive, read from counts instead of full views.
 */
export function fullMembershipByCounts(briefs: readonly BriefCounts[], names: readonly string[]): boolean {
  const byNode = new Map(briefs.map((brief) => [brief.node, brief]));
  return names.every((name) => {
    const brief = byNode.get(name);
    return brief?.live && brief.memberCount === names.length && brief.members.alive === names.length;
  });
}

/**
 * True when every node in `nodes` waits its longest between wakes (`wakeRounds` at least
 * `longest`): none is busy after a change or a failure. A node missing from `briefs`, or one
 * whose brief does not say, is not quiet.
 */
export function quietByBriefs(
  briefs: readonly BriefCounts[],
  nodes: readonly string[],
  longest: number,
): boolean {
  const byNode = new Map(briefs.map((brief) => [brief.node, brief]));
  return nodes.every((node) => {
    const wake = byNode.get(node)?.wakeRounds;
    return typeof wake === "number" && wake >= longest;
  });
}

/**
 * True when every node in `nodes` counts one member fewer alive than it did in `before` (the
 * victim is non-alive there), or, with `dead`, one more dead or one fewer member (dead or
 * forgotten). Read from counts, so it holds the victim's change only while nothing else
 * changes: a wait for the nodes' logs, which then time it (and name any false suspicion).
 */
export function victimCountedEverywhere(
  before: readonly BriefCounts[],
  after: readonly BriefCounts[],
  nodes: readonly string[],
  stage: "nonAlive" | "dead",
): boolean {
  const was = new Map(before.map((brief) => [brief.node, brief]));
  const now = new Map(after.map((brief) => [brief.node, brief]));
  return nodes.every((node) => {
    const a = was.get(node);
    const b = now.get(node);
    if (!a || !b?.live) return false;
    if (stage === "nonAlive") return (b.members.alive ?? 0) < (a.members.alive ?? 0);
    return (b.members.dead ?? 0) > (a.members.dead ?? 0) || (b.memberCount ?? 0) < (a.memberCount ?? 0);
  });
}

/** Each node's round counter, from views or briefs. */
export function roundsByNode(
  from: ReadonlyArray<{ node: string; rounds?: number | null; counters?: { rounds: number } }>,
): Map<string, number> {
  return new Map(from.map((entry) => [entry.node, entry.counters?.rounds ?? entry.rounds ?? 0]));
}

/** The median node's rounds run between two readings of the same nodes (`after`'s nodes). */
export function medianRoundsBetween(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): number {
  const deltas = [...after].map(([node, rounds]) => rounds - (before.get(node) ?? 0));
  deltas.sort((a, b) => a - b);
  return deltas[Math.floor((deltas.length - 1) / 2)] ?? 0;
}

/** True when every view holds `key` = `value` in the state of `owner`. */
export function valueEverywhere(
  views: readonly NodeView[],
  owner: string,
  key: string,
  value: string,
): boolean {
  return views.every((view) => view.members.find((m) => m.node === owner)?.state[key] === value);
}

/**
 * Records (observer, member) pairs where a node believed live by the bench was reported
 * suspect or dead: false suspicions.
 */
export class SuspicionTracker {
  private readonly pairs = new Set<string>();

  observe(views: readonly NodeView[], live: ReadonlySet<string>): void {
    for (const view of views) {
      if (!live.has(view.node)) continue;
      for (const member of view.members) {
        if (!live.has(member.node)) continue;
        if (member.status === "suspect" || member.status === "dead") {
          this.pairs.add(`${view.node}->${member.node}`);
        }
      }
    }
  }

  /** Adds pairs found elsewhere (the nodes' event logs). */
  add(pairs: readonly string[]): void {
    for (const pair of pairs) this.pairs.add(pair);
  }

  get count(): number {
    return this.pairs.size;
  }

  list(): string[] {
    return [...this.pairs].sort();
  }
}

/** Mesh-wide counter changes between two snapshots of the same nodes. */
export interface WindowTotals {
  nodes: number;
  seconds: number;
  rounds: number;
  alarms: number;
  /** How late those alarms ran in all, ms (divided by `alarms`: the mean). */
  alarmLateMs: number;
  /** Peer RPC calls made by all nodes = peer RPC calls received by all nodes. */
  peerCalls: number;
  rowsWritten: number;
  bytesSent: number;
  /** Wall time the nodes spent in alarm and RPC handlers, by their own count (ms). */
  activeMs: number;
  /** Wake-ups (alarms that ran rounds; a wake covers one or more rounds). */
  wakes: number;
  /** Calls the nodes answered: gossip from peers, and the rest (the API's). */
  peerCallsAnswered: number;
  callsAnswered: number;
  /** Nodes whose counters went down (a wake-up reset them): their deltas are left out. */
  resetNodes: string[];
}

const SUMMED = [
  "rounds",
  "alarmsRun",
  "alarmLateMs",
  "rpcCallsMade",
  "storageRowsWritten",
  "bytesSent",
  "activeMs",
  "wakes",
  "peerCallsAnswered",
  "rpcCallsAnswered",
] as const;

export function windowTotals(
  before: readonly NodeView[],
  after: readonly NodeView[],
  seconds: number,
): WindowTotals {
  const start = new Map(before.map((view) => [view.node, view.counters]));
  const sums: Record<(typeof SUMMED)[number], number> = {
    rounds: 0,
    alarmsRun: 0,
    alarmLateMs: 0,
    rpcCallsMade: 0,
    storageRowsWritten: 0,
    bytesSent: 0,
    activeMs: 0,
    wakes: 0,
    peerCallsAnswered: 0,
    rpcCallsAnswered: 0,
  };
  const resetNodes: string[] = [];
  let nodes = 0;
  for (const view of after) {
    const from: NodeCounters | undefined = start.get(view.node);
    if (!from) continue;
    if (SUMMED.some((key) => view.counters[key] < from[key])) {
      resetNodes.push(view.node);
      continue;
    }
    nodes++;
    for (const key of SUMMED) sums[key] += view.counters[key] - from[key];
  }
  return {
    nodes,
    seconds,
    rounds: sums.rounds,
    alarms: sums.alarmsRun,
    alarmLateMs: sums.alarmLateMs,
    peerCalls: sums.rpcCallsMade,
    rowsWritten: sums.storageRowsWritten,
    bytesSent: sums.bytesSent,
    activeMs: sums.activeMs,
    wakes: sums.wakes,
    peerCallsAnswered: sums.peerCallsAnswered,
    callsAnswered: sums.rpcCallsAnswered,
    resetNodes,
  };
}

/** Per node per round figures from window totals. */
export function perRound(totals: WindowTotals) {
  const rounds = Math.max(1, totals.rounds);
  return {
    /** Billed DO requests: each alarm invocation plus each peer RPC call received. */
    requests: (totals.alarms + totals.peerCalls) / rounds,
    alarms: totals.alarms / rounds,
    peerCallsReceived: totals.peerCalls / rounds,
    rowsWritten: totals.rowsWritten / rounds,
    bytesSent: totals.bytesSent / rounds,
    activeMs: totals.activeMs / rounds,
    /** Rounds per node per second: 1000 / this = the effective period in ms. */
    roundsPerSecond: totals.rounds / Math.max(1, totals.nodes) / Math.max(1e-9, totals.seconds),
    bytesSentPerSecond: totals.bytesSent / Math.max(1, totals.nodes) / Math.max(1e-9, totals.seconds),
  };
}

/** Per node per second figures from window totals: what the cost as run is priced from. */
export function perSecond(totals: WindowTotals) {
  const nodeSeconds = Math.max(1, totals.nodes) * Math.max(1e-9, totals.seconds);
  return {
    rounds: totals.rounds / nodeSeconds,
    wakes: totals.wakes / nodeSeconds,
    alarms: totals.alarms / nodeSeconds,
    /** Gossip calls received from peers (billed requests besides the alarms). */
    peerCallsAnswered: totals.peerCallsAnswered / nodeSeconds,
    /** Calls from the API (the bench's own reads at the window's ends), left out of the price. */
    clientCallsAnswered: (totals.callsAnswered - totals.peerCallsAnswered) / nodeSeconds,
    rowsWritten: totals.rowsWritten / nodeSeconds,
    activeMs: totals.activeMs / nodeSeconds,
  };
}
