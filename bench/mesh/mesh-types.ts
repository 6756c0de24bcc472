/**
 * What one mesh measurement is asked (MeshConfig) and what it reports (MeshFigures): the shapes
 * run-mesh.ts and its steps share, and that bench/results/*.json hold under `figures.mesh`.
 */
import type { Detector, GossipConfigInput } from "../../src/core/index.js";
import type { TrialStats, Victims } from "../trials.js";
import type { FailureTimeline } from "./trial-timeline.js";
import type { perSecond } from "./views.js";

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
  /** Detection trials (each stops one node and hangs another); default 1. */
  trials?: number;
  /** Seed of the victims' choice. */
  seed?: number;
  /** Told each trial's victims before it starts (the bench prints them). */
  onTrial?: (index: number, victims: Victims) => void;
  /** Told the mesh's full membership from cold as soon as it is measured (the bench prints it). */
  onFullMembership?: (figures: Pick<MeshFigures, "bootstrapCallMs" | "coldMs" | "coldRounds">) => void;
  /** Told what each trial's logs say of its victims (the bench prints it). */
  onTrialLogged?: (
    index: number,
    timelines: readonly FailureTimeline[],
    alarmLateMeanMs: number | null,
  ) => void;
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
  /** How late the runtime ran the nodes' alarms on average, ms (absent before it was counted). */
  alarmLateMeanMs?: number | null;
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
  /**
   * The cold start: every page of nodes started at once (bootstrapCallMs until the last page
   * answered), from the bootstrap request until every node's log held every other node alive,
   * the event-log time of `fullMembership`; null when the logs could not time it (the
   * polled time is then an upper bound). Absent from results written before it.
   */
  coldMs?: number | null;
  /** `coldMs` in rounds of the configured interval. */
  coldRounds?: number | null;
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
  /**
   * Every detection trial (the first is the one the single-trial keys above report), each
   * figure as {n, p50, p90, max} in ms. Absent from results written before trials.
   */
  trials?: MeshTrials;
}

/** The detection figures over the trials, with each trial's victims and what went wrong. */
export interface MeshTrials {
  stoppedNonAlive: TrialStats;
  stoppedDead: TrialStats;
  hungNonAlive: TrialStats;
  hungDead: TrialStats;
  /** Trials asked for, and their victims in order (a failed trial's too). */
  asked: number;
  victims: Victims[];
  /** Why a trial (and every one after it) could not be measured. */
  errors: string[];
  /**
   * Each measured trial as the logs tell it: its victims' timelines, and before each fault how
   * many members the live nodes counted alive. Absent from results written before it.
   */
  perTrial?: Array<{
    timelines: FailureTimeline[];
    aliveBefore: Array<Record<string, number>>;
    /** How late the nodes' alarms ran on average since the trial before (or the steady window), ms. */
    alarmLateMeanMs: number | null;
  }>;
}

/** CPU seconds so far of the processes named in `processes` (their ids). */
export interface CpuReading {
  processes: string;
  seconds: number;
}
