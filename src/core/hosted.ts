/**
 * Hosted members: agents (processes outside the mesh) that a node owns besides itself. An
 * agent heartbeats directly into its home node; the home judges it with the phi-accrual
 * detector over those arrivals and writes its claim and keys exactly as it writes its own
 * (only the owner writes them), so their digest entries, deltas and news behave like the
 * node's. Every node can tell an agent from a node by two reserved keys written first (at
 * versions 1 and 2, so any delta prefix carries them): `~kind = "agent"` and `~home`.
 *
 * Identity: a generation chosen at registration at a home (later than any seen before), an
 * incarnation the home raises when a fresh heartbeat answers its own suspicion. A node that
 * takes an agent over starts a new generation with an incarnation above any seen; the old home
 * drops an agent it sees claimed higher elsewhere and never fights for it.
 *
 * This module is pure planning over NodeStates; agent-hosting.ts applies the plans.
 */
import { ArrivalWindow, type PhiOptions } from "./failure-detector.js";
import { isReservedKey, RESERVED_KEY_PREFIX } from "./keys.js";
import { type MemberState, NodeState, type NodeStateSnapshot } from "./node-state.js";
import { ALIVE, LEFT } from "./precedence.js";

/** Reserved key naming what a member is; `"agent"` for hosted members. */
export const KIND_KEY = `${RESERVED_KEY_PREFIX}kind`;
/** Reserved key naming an agent's home node. */
export const HOME_KEY = `${RESERVED_KEY_PREFIX}home`;
export const AGENT_KIND = "agent";

/** Whether what is known of a member says it is an agent. */
export function isAgentState(node: MemberState): boolean {
  return node.get(KIND_KEY) === AGENT_KIND;
}

/** The home an agent names, if any. */
export function homeOf(node: MemberState): string | undefined {
  return isAgentState(node) ? node.get(HOME_KEY) : undefined;
}

/**
 * What the home expects of an agent's heartbeats: a mean of `intervalMs` until samples exist,
 * a deviation floor of a quarter interval and half an interval of tolerated pause. At phi 8
 * a steady agent at 500 ms is suspected about 1.4 s after its last heartbeat.
 */
export function agentPhiOptions(intervalMs: number, window: number): PhiOptions {
  return {
    window,
    minStdDevMs: intervalMs / 4,
    acceptablePauseMs: intervalMs / 2,
    firstIntervalEstimateMs: intervalMs,
  };
}

/** What a home saves of one hosted agent to survive a wake-up. */
export interface HostedSnapshot {
  state: NodeStateSnapshot;
  intervalMs: number;
  /** When its last heartbeat arrived (home's clock); 0 when none yet. */
  lastHeartbeat: number;
  /** When its current status began here. */
  since: number;
}

/**
 * One agent a node hosts: its state (the one copy the node writes) and its heartbeat history.
 * One read back from a snapshot (a wake-up) knows when its last heartbeat was saved, not when
 * it arrived: that time is only where phi counts from until the next heartbeat, which starts
 * the history afresh instead of sampling a gap the agent never left.
 */
export class HostedAgent {
  private window: ArrivalWindow;
  /** Read back with a saved last heartbeat: the next arrival restarts the history. */
  private resumed: boolean;

  constructor(
    public state: NodeState,
    public intervalMs: number,
    private readonly phiWindow: number,
    public since: number,
    lastHeartbeat = 0,
  ) {
    this.window = new ArrivalWindow(agentPhiOptions(intervalMs, phiWindow));
    this.resumed = lastHeartbeat > 0;
    if (this.resumed) this.window.arrived(lastHeartbeat);
  }

  get lastHeartbeat(): number {
    return this.window.lastArrival() ?? 0;
  }

  /** A heartbeat arrived; a new interval, or the first after a wake-up, restarts the history. */
  arrived(now: number, intervalMs: number): void {
    if (intervalMs !== this.intervalMs || this.resumed) {
      this.intervalMs = intervalMs;
      this.resumed = false;
      this.window = new ArrivalWindow(agentPhiOptions(intervalMs, this.phiWindow));
    }
    this.window.arrived(now);
  }

  phi(now: number): number {
    return this.window.phi(now);
  }

  snapshot(): HostedSnapshot {
    return {
      state: this.state.snapshot(),
      intervalMs: this.intervalMs,
      lastHeartbeat: this.lastHeartbeat,
      since: this.since,
    };
  }
}

/** What a heartbeat did at the home. */
export type HeartbeatOutcome =
  /** First heartbeat here of an agent no one hosted (or that had left). */
  | "registered"
  /** First heartbeat here of an agent another node hosted: a new generation, higher claim. */
  | "takeover"
  /** A heartbeat answering the home's own suspicion (or death): a higher incarnation. */
  | "revived"
  /** An ordinary heartbeat. */
  | "heartbeat";

export interface HeartbeatPlan {
  outcome: HeartbeatOutcome;
  /** The agent's state afterwards: a new object when anything changes, else the hosted one. */
  next: NodeState;
  /** Whether the claim or keys change (what must be saved and spread). */
  changed: boolean;
}

/** A known replica or grave of the agent, which a new generation must outrank. */
export interface Outranked {
  generation: number;
  incarnation: number;
}

/**
 * Plans an agent's heartbeat at `home`, without changing anything: the caller saves the plan's
 * state first and then applies it. `updates` are key writes (keys already checked).
 */
export function planHeartbeat(args: {
  name: string;
  home: string;
  now: number;
  hosted?: NodeState;
  /** What this node knows of the agent when it does not host it (a replica). */
  known?: MemberState;
  /** Its grave, when this node forgot it. */
  grave?: Outranked;
  updates?: Readonly<Record<string, string>>;
  /**
   * Added to a new generation (0..1023 ms): two nodes registering or taking over the same agent
   * in the same millisecond would otherwise make equal claims with different owners.
   */
  tiebreak?: number;
}): HeartbeatPlan {
  const { hosted, updates } = args;
  if (hosted && hosted.status !== LEFT) {
    const revive = hosted.status !== ALIVE;
    const writes = changedKeys(hosted, updates);
    if (!revive && writes.length === 0) return { outcome: "heartbeat", next: hosted, changed: false };
    const next = NodeState.fromSnapshot(hosted.snapshot(), args.now);
    if (revive) {
      next.incarnation = hosted.incarnation + 1;
      next.status = ALIVE;
    }
    for (const [key, value] of writes) next.set(key, value);
    return { outcome: revive ? "revived" : "heartbeat", next, changed: true };
  }
  const before = hosted ?? args.known;
  // Whole milliseconds: the wire takes integer generations only, and a clock may read fractions.
  let generation = Math.floor(args.now) + (args.tiebreak ?? 0);
  let incarnation = 0;
  for (const seen of [before, args.grave]) {
    if (!seen) continue;
    generation = Math.max(generation, seen.generation + 1 + (args.tiebreak ?? 0));
    incarnation = Math.max(incarnation, seen.incarnation + 1);
  }
  const next = new NodeState(args.name, generation);
  next.incarnation = incarnation;
  next.status = ALIVE;
  next.set(KIND_KEY, AGENT_KIND);
  next.set(HOME_KEY, args.home);
  // A takeover carries the agent's keys over, oldest first; a leave ended them.
  if (before && before.status !== LEFT) {
    const carried = [...before.keys].filter(([key, entry]) => entry.value !== null && !isReservedKey(key));
    carried.sort((a, b) => a[1].version - b[1].version);
    for (const [key, entry] of carried) next.set(key, entry.value as string);
  }
  for (const [key, value] of Object.entries(updates ?? {})) if (next.get(key) !== value) next.set(key, value);
  const outcome = before && before.status !== LEFT && !hosted ? "takeover" : "registered";
  return { outcome, next, changed: true };
}

/** Key writes of `updates` that change something. */
function changedKeys(node: MemberState, updates?: Readonly<Record<string, string>>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(updates ?? {}))
    if (node.get(key) !== value) out.push([key, value]);
  return out;
}

/** The state of an agent after a graceful leave announced by `home` (same generation: final). */
export function planLeave(current: MemberState, now: number): NodeState {
  const next = NodeState.fromSnapshot(current.snapshot(), now);
  next.status = LEFT;
  return next;
}
