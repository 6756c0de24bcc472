/**
 * The mesh measurement: bootstraps N GossipNode objects in a running Worker and measures over
 * HTTP, by deadline polling, the time (and rounds) to full membership, for a write to reach
 * every node, for a stopped node (it refuses) and then a hung one (it is silent) to be marked
 * non-alive and then dead everywhere; false suspicions seen along the way; and, from the
 * nodes' own counters over a quiet steady window (no polling inside it), billed requests, rows
 * written and bytes per node per round. The times come from the nodes' own event logs where
 * they hold them; the polls only say when to read them (and are the fallback). Waits that
 * need only counts (full membership, a quiet mesh) poll the cluster summary's briefs, not full
 * views. At the end every node is stopped, so a second mesh measured after it (another
 * detector) has the machine to itself.
 */

import type { Detector, GossipConfigInput } from "../../src/core/index.js";
import { EVENT_LOG_CAPACITY } from "../../src/node/limits.js";
import type { NodeView } from "../../src/node/rpc-types.js";
import { mapLimit } from "../../src/shared/map-limit.js";
import { pollUntil } from "../../tools/poll.js";
import type { HearsayClient } from "./api-client.js";
import {
  falseSuspicionsIn,
  fullMembershipFromLogs,
  lastFirstArrival,
  readEventLogs,
} from "./read-event-logs.js";
import {
  type BriefCounts,
  fullMembershipByCounts,
  medianRoundsBetween,
  perRound,
  perSecond,
  quietByBriefs,
  roundsByNode,
  SuspicionTracker,
  statusesOf,
  valueEverywhere,
  windowTotals,
} from "./views.js";

export interface MeshConfig {
  cluster: string;
  nodes: number;
  intervalMs: number;
  /** The failure detector the mesh runs. */
  detector: Detector;
  /** Other gossip tunables given to the bootstrap (`--core`). */
  core?: GossipConfigInput;
  /** Length of the steady window, in rounds. */
  steadyRounds: number;
  /** Give up on one phase after this long, ms. */
  phaseTimeoutMs: number;
  /** Pause between two polls of every view, ms. */
  pollEveryMs: number;
  /** Stop every node at the end (default true), so what is measured next has the machine. */
  stopAtEnd?: boolean;
  /** CPU used so far by the Worker's processes, when it can be read. */
  cpuSeconds?: () => Promise<CpuReading | undefined>;
}

/** A wait measured in wall time and in the median node's own round counter. */
export interface Elapsed {
  ms: number;
  rounds: number;
}

export interface SteadyFigures {
  /** False when some node restarted inside every attempt: the per-round figures are then partial. */
  valid: boolean;
  attempts: number;
  seconds: number;
  nodesCounted: number;
  resetNodes: string[];
  /** Measured mean time between a node's rounds (interval plus jitter and scheduling). */
  effectivePeriodMs: number;
  /** Billed DO requests per node per round: alarm invocations + peer RPC calls received. */
  requestsPerNodePerRound: number;
  alarmsPerNodePerRound: number;
  peerCallsReceivedPerNodePerRound: number;
  rowsWrittenPerNodePerRound: number;
  bytesSentPerNodePerRound: number;
  bytesSentPerNodePerSecond: number;
  /** CPU seconds of the whole workerd process per node per round (null: not measurable). */
  cpuSecondsPerNodePerRound: number | null;
  /**
   * The nodes' own count of wall time in alarm and RPC handlers per node per round, ms. In
   * workerd the clock moves only across I/O, so this misses CPU between I/O: a lower bound.
   */
  activeMsPerNodePerRound: number;
  /** The nodes' own counters per node per second over the window (cost as run is priced from it). */
  perNodeSecond?: ReturnType<typeof perSecond>;
  /** CPU seconds of the whole workerd process per node per second (null: not measurable). */
  cpuSecondsPerNodePerSecond?: number | null;
}

export interface MeshFigures {
  /** How long the bootstrap calls took, one per page of nodes (nodes start one by one meanwhile). */
  bootstrapCallMs: number;
  /**
   * From the bootstrap request to every node listing every node alive: as
   * `fullMembershipMeasuredBy` says, when the last node's event log first held every other node
   * alive (by its own clock), or the poll below. `rounds` is the median node's round count at that poll (so, from the logs, an
   * upper bound). The keys below are absent from results written before they were measured.
   */
  fullMembership: Elapsed;
  /** How `fullMembership` was taken: "events" (the nodes' logs) or "polls" (a log fell short). */
  fullMembershipMeasuredBy?: "events" | "polls";
  /**
   * The first poll of every node's brief (the cluster summary's counts) in which every node
   * counted every node alive: what polling sees, for comparison; it gates reading the logs.
   */
  fullMembershipPolled?: Elapsed;
  /** The median node's time until its log held every other node alive (null: not from logs). */
  fullMembershipMedianNodeMs?: number | null;
  /** Why the logs could not time full membership (null when they did). */
  fullMembershipLogError?: string | null;
  /** The most events one node's log held when read for full membership (the ring keeps 1000). */
  fullMembershipLongestLog?: number | null;
  writeEverywhere: Elapsed;
  stoppedNonAlive: Elapsed;
  stoppedDead: Elapsed;
  /** A hung node (takes calls, never answers): the failure a crash or a partition causes. */
  hungNonAlive: Elapsed | null;
  hungDead: Elapsed | null;
  detector: Detector;
  /**
   * How the times of the write and the detections were taken: from the nodes' event logs (when
   * each node first logged it, by its own clock) or, when a log fell short, from polled views.
   */
  measuredBy: "events" | "polls";
  /** Distinct (observer, live node) pairs seen suspect or dead in a polled view or an event log. */
  falseSuspicions: number;
  falseSuspicionPairs: string[];
  /** Why the event logs could not be read (false suspicions then come from views only). */
  eventLogError: string | null;
  /** Membership events read from the live nodes' logs. */
  eventsRead: number;
  steady: SteadyFigures;
  /** Polls of every live node's full view (each also checked for suspicions). */
  polls: number;
  /** Polls of the cluster summary's briefs (counts only), for full membership and a quiet mesh. */
  briefPolls?: number;
}

/** CPU seconds so far of the processes named in `processes` (their ids). */
export interface CpuReading {
  processes: string;
  seconds: number;
}

const STEADY_ATTEMPTS = 2;

/** Share of the nodes that may restart their counters inside a steady window that still counts. */
const MAX_RESET_SHARE = 0.05;

const VIEW_CONCURRENCY = 16;

/** Stops nodes n0..n{count-1} of a cluster (errors ignored: some are stopped already). */
export async function stopNodes(client: HearsayClient, cluster: string, count: number): Promise<void> {
  const names = Array.from({ length: count }, (_, i) => `n${i}`);
  await mapLimit(names, VIEW_CONCURRENCY, (node) => client.stop(cluster, node).catch(() => undefined));
}

export async function runMesh(client: HearsayClient, config: MeshConfig): Promise<MeshFigures> {
  const names = Array.from({ length: config.nodes }, (_, i) => `n${i}`);
  const live = new Set(names);
  const suspicions = new SuspicionTracker();
  let polls = 0;
  let briefPolls = 0;

  const viewsOf = (nodes: readonly string[]) =>
    mapLimit(nodes, VIEW_CONCURRENCY, (node) => client.view(config.cluster, node));
  const liveNames = () => names.filter((name) => live.has(name));
  /** Polls every live node's view until `done(views)`; every poll also feeds the tracker. */
  const pollViews = (what: string, done: (views: NodeView[]) => boolean) =>
    pollUntil(
      async () => {
        const views = await viewsOf(liveNames());
        polls++;
        suspicions.observe(views, live);
        return done(views) ? views : undefined;
      },
      { what, timeoutMs: config.phaseTimeoutMs, everyMs: config.pollEveryMs },
    );
  /** Polls the cluster summary (every node's brief: counts, never a view) until `done(briefs)`. */
  const pollBriefs = (what: string, done: (briefs: BriefCounts[]) => boolean) =>
    pollUntil(
      async () => {
        const briefs = await client.briefs(config.cluster);
        briefPolls++;
        return done(briefs) ? briefs : undefined;
      },
      { what, timeoutMs: config.phaseTimeoutMs, everyMs: config.pollEveryMs },
    );
  const roundsSince = (
    before: ReadonlyArray<{ node: string; rounds?: number | null; counters?: { rounds: number } }>,
    after: readonly NodeView[],
  ) => medianRoundsBetween(roundsByNode(before), roundsByNode(after));

  /** Every live node waits its longest between wakes (none is busy after a change or a failure). */
  let longestWake = 1;
  const quiet = (briefs: BriefCounts[]) => quietByBriefs(briefs, liveNames(), longestWake);

  let steadyAttempts = 0;
  const steadyWindow = async () => {
    steadyAttempts++;
    const before = await viewsOf(names);
    const cpuBefore = await config.cpuSeconds?.();
    const windowStart = Date.now();
    await new Promise((resolve) => setTimeout(resolve, config.steadyRounds * config.intervalMs));
    const cpuAfter = await config.cpuSeconds?.();
    const after = await viewsOf(names);
    const seconds = (Date.now() - windowStart) / 1000;
    suspicions.observe(after, live);
    const totals = windowTotals(before, after, seconds);
    const per = perRound(totals);
    const sameProcesses = cpuBefore && cpuAfter && cpuBefore.processes === cpuAfter.processes;
    const figures: SteadyFigures = {
      // A node woken from hibernation restarts its counters: it is left out of the figures, and
      // the window still counts while such nodes are a small share of the mesh.
      valid: totals.nodes > 0 && totals.resetNodes.length <= MAX_RESET_SHARE * config.nodes,
      attempts: steadyAttempts,
      seconds,
      nodesCounted: totals.nodes,
      resetNodes: totals.resetNodes,
      effectivePeriodMs: 1000 / Math.max(1e-9, per.roundsPerSecond),
      requestsPerNodePerRound: per.requests,
      alarmsPerNodePerRound: per.alarms,
      peerCallsReceivedPerNodePerRound: per.peerCallsReceived,
      rowsWrittenPerNodePerRound: per.rowsWritten,
      bytesSentPerNodePerRound: per.bytesSent,
      bytesSentPerNodePerSecond: per.bytesSentPerSecond,
      activeMsPerNodePerRound: per.activeMs,
      cpuSecondsPerNodePerRound:
        sameProcesses && cpuAfter.seconds > cpuBefore.seconds && totals.rounds > 0
          ? (cpuAfter.seconds - cpuBefore.seconds) / totals.rounds
          : null,
      perNodeSecond: perSecond(totals),
      cpuSecondsPerNodePerSecond:
        sameProcesses && cpuAfter.seconds > cpuBefore.seconds && totals.nodes > 0
          ? (cpuAfter.seconds - cpuBefore.seconds) / totals.nodes / seconds
          : null,
    };
    return { figures, after };
  };

  // 1. Bootstrap; full membership is every node listing every node as alive.
  const bootAt = Date.now();
  await client.bootstrap(config.cluster, config.nodes, {
    ...config.core,
    intervalMs: config.intervalMs,
    detector: config.detector,
  });
  const bootstrapCallMs = Date.now() - bootAt;
  // Polled from counts: every node counts every node alive (one summary, not N full views).
  const full = await pollBriefs("full membership", (briefs) => fullMembershipByCounts(briefs, names));
  const fullMembershipPolled: Elapsed = {
    ms: full.at - bootAt,
    rounds: medianRoundsBetween(new Map(), roundsByNode(full.value)),
  };
  // Timed from the logs, read now: a node woken from hibernation later starts an empty log.
  let fullMembershipElapsed = fullMembershipPolled;
  let fullMembershipMeasuredBy: "events" | "polls" = "polls";
  let fullMembershipMedianNodeMs: number | null = null;
  let fullMembershipLogError: string | null = null;
  let fullMembershipLongestLog: number | null = null;
  try {
    const logs = await readEventLogs(client, config.cluster, names);
    suspicions.add(falseSuspicionsIn(logs, live).pairs);
    const joined = fullMembershipFromLogs(logs, names, bootAt, EVENT_LOG_CAPACITY);
    fullMembershipLongestLog = Math.max(0, ...[...logs.values()].map((events) => events.length));
    if (joined.ms === null) {
      fullMembershipLogError = joined.reason;
    } else {
      fullMembershipElapsed = { ms: joined.ms, rounds: fullMembershipPolled.rounds };
      fullMembershipMeasuredBy = "events";
      const perNode = Object.values(joined.perNodeMs).sort((a, b) => a - b);
      fullMembershipMedianNodeMs = perNode[Math.floor((perNode.length - 1) / 2)] ?? null;
    }
  } catch (error) {
    fullMembershipLogError = error instanceof Error ? error.message : String(error);
  }
  // Every node's config is the bootstrap's: the longest wake is read once (under phi every
  // wake is one round).
  const n0 = await client.view(config.cluster, "n0");
  longestWake = n0.config.detector === "phi" ? 1 : n0.config.roundsPerWake;

  // 2. Steady window, once the mesh is quiet (every node back to its longest wake): two
  // counter snapshots, nothing else asked of the nodes in between.
  // A node whose counters went down restarted inside the window (e.g. the dev server reloaded
  // the Worker): the window is measured again, at most STEADY_ATTEMPTS times in all.
  await pollBriefs("a quiet mesh before the steady window", quiet);
  let steady = await steadyWindow();
  for (let attempt = 1; attempt < STEADY_ATTEMPTS && !steady.figures.valid; attempt++) {
    steady = await steadyWindow();
  }
  const after = steady.after;

  // 3. A write on n0 until every node holds it.
  const value = `v${Date.now()}`;
  const writeAt = Date.now();
  await client.setState(config.cluster, "n0", "bench", value);
  const written = await pollViews("a write to reach every node", (views) =>
    valueEverywhere(views, "n0", "bench", value),
  );

  // 4. Once the mesh is quiet again (every node back to its longest wake, so detection is
  // measured as a quiet mesh sees it), stop the last node; every other node must mark it
  // non-alive, then dead.
  const quietBeforeStop = await pollBriefs("a quiet mesh before the stop", quiet);
  const victim = names[names.length - 1] as string;
  const beforeStop = quietBeforeStop.value.filter((brief) => brief.node !== victim);
  const stopAt = Date.now();
  await client.stop(config.cluster, victim);
  live.delete(victim);
  const nonAlive = await pollViews(`${victim} non-alive everywhere`, (views) =>
    statusesOf(views, victim).every((status) => status !== "alive" && status !== "joining"),
  );
  const dead = await pollViews(`${victim} dead everywhere`, (views) =>
    statusesOf(views, victim).every((status) => status === "dead" || status === undefined),
  );

  // 5. Hang another node: silent, so only timeouts and indirect probes can find it.
  let hungNonAlive: Elapsed | null = null;
  let hungDead: Elapsed | null = null;
  let hangInfo: { node: string; at: number } | null = null;
  if (names.length > 2) {
    const hung = names[names.length - 2] as string;
    const quietBeforeHang = await pollBriefs("a quiet mesh before the hang", quiet);
    const beforeHang = quietBeforeHang.value.filter((brief) => brief.node !== hung);
    const hangAt = Date.now();
    hangInfo = { node: hung, at: hangAt };
    await client.hang(config.cluster, hung);
    live.delete(hung);
    const silent = await pollViews(`${hung} (hung) non-alive everywhere`, (views) =>
      statusesOf(views, hung).every((status) => status !== "alive" && status !== "joining"),
    );
    hungNonAlive = { ms: silent.at - hangAt, rounds: roundsSince(beforeHang, silent.value) };
    const gone = await pollViews(`${hung} (hung) dead everywhere`, (views) =>
      statusesOf(views, hung).every((status) => status === "dead" || status === undefined),
    );
    hungDead = { ms: gone.at - hangAt, rounds: roundsSince(beforeHang, gone.value) };
  }

  // 6. The event logs catch suspicions that came and went between polls, and time each
  // phase by when every node actually learned it (polling 32 views can take a second).
  let eventLogError: string | null = null;
  let eventsRead = 0;
  let measuredBy: "events" | "polls" = "polls";
  const writeE = { ms: written.at - writeAt, rounds: roundsSince(after, written.value) };
  const stopE = { ms: nonAlive.at - stopAt, rounds: roundsSince(beforeStop, nonAlive.value) };
  const deadE = { ms: dead.at - stopAt, rounds: roundsSince(beforeStop, dead.value) };
  try {
    const logs = await readEventLogs(client, config.cluster, liveNames());
    const fromEvents = falseSuspicionsIn(logs, live);
    suspicions.add(fromEvents.pairs);
    eventsRead = fromEvents.eventsRead;
    const observers = liveNames();
    const about = (node: string, types: readonly string[]) => (event: { node: string; type: string }) =>
      event.node === node && types.includes(event.type);
    const wrote = lastFirstArrival(
      logs,
      observers.filter((node) => node !== "n0"),
      writeAt,
      (event) => event.node === "n0" && event.type === "state" && (event.keys ?? []).includes("bench"),
    );
    const stoppedAt = lastFirstArrival(logs, observers, stopAt, about(victim, ["suspect", "dead"]));
    const stoppedDeadAt = lastFirstArrival(logs, observers, stopAt, about(victim, ["dead"]));
    if (wrote !== null && stoppedAt !== null && stoppedDeadAt !== null) {
      measuredBy = "events";
      writeE.ms = wrote;
      stopE.ms = stoppedAt;
      deadE.ms = stoppedDeadAt;
      if (hangInfo) {
        const silentAt = lastFirstArrival(
          logs,
          observers,
          hangInfo.at,
          about(hangInfo.node, ["suspect", "dead"]),
        );
        const goneAt = lastFirstArrival(logs, observers, hangInfo.at, about(hangInfo.node, ["dead"]));
        if (hungNonAlive && silentAt !== null) hungNonAlive.ms = silentAt;
        if (hungDead && goneAt !== null) hungDead.ms = goneAt;
      }
    }
  } catch (error) {
    eventLogError = error instanceof Error ? error.message : String(error);
  }

  // 7. Quiet the machine for whatever is measured next.
  if (config.stopAtEnd !== false) await stopNodes(client, config.cluster, config.nodes);

  return {
    detector: config.detector,
    hungNonAlive,
    hungDead,
    bootstrapCallMs,
    fullMembership: fullMembershipElapsed,
    fullMembershipMeasuredBy,
    fullMembershipPolled,
    fullMembershipMedianNodeMs,
    fullMembershipLogError,
    fullMembershipLongestLog,
    writeEverywhere: writeE,
    stoppedNonAlive: stopE,
    stoppedDead: deadE,
    measuredBy,
    falseSuspicions: suspicions.count,
    falseSuspicionPairs: suspicions.list().slice(0, 20),
    eventLogError,
    eventsRead,
    steady: steady.figures,
    polls,
    briefPolls,
  };
}
