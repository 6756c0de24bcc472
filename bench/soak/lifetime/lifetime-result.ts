/**
 * What the lifetime faults report: the same invariants, under the same names, as the
 * simulator's lifetime scenario (issue 19), each with its goal, and what each fault saw.
 */

/** The goals of the invariants the soak checks in workerd (rounds are the mesh's intervals). */
export const LIFETIME_GOALS = {
  /** Longest a running, reachable node stays non-alive at another after its fault ended. */
  shunnedMaxRounds: 30,
  /** Running, reachable nodes declared dead. */
  falseDeaths: 0,
  /** Longest from the last change until every running node is back at its longest wake. */
  quietReturnMaxRounds: 64,
  /** Acknowledged writes missing from some view at the end. */
  keysLost: 0,
} as const;

export type InvariantName = keyof typeof LIFETIME_GOALS;

export interface Invariant {
  value: number;
  goal: number;
  /** False when the value is over its goal, or a wait for it passed its deadline. */
  ok: boolean;
  /** False when none of the faults that measure it ran (then it passes with value 0). */
  measured: boolean;
}

/** Rounds until a condition held; `reached: false` when the deadline came first (rounds is then a lower bound). */
export interface RoundsWaited {
  rounds: number;
  reached: boolean;
}

export interface HangResult {
  node: string;
  /** Rounds from the hang until no running node listed it any more (null: never, within the deadline). */
  forgottenAfterRounds: number | null;
  /** The start resumed the generation the node had before the hang. */
  generationKept: boolean;
  /** From the start until every running node listed it alive. */
  shunned: RoundsWaited | null;
  /** Running nodes that still did not list it alive when the wait ended. */
  shunnedBy: string[];
}

export interface ChurnResult {
  agents: string[];
  registered: number;
  left: number;
  heartbeats: number;
  /** Agent calls refused (4xx), by error code; failed (no answer, 5xx) apart. */
  refusedBy: Record<string, number>;
  failed: number;
  /** Polls during the churn that found some node busy (below its longest wake): the churn was felt. */
  busyPolls: number;
  /** From the last leave until every node saw every agent gone and was back at its longest wake. */
  quietReturn: RoundsWaited;
  /** Nodes not back at their longest wake when the wait ended. */
  notQuiet: string[];
  /** Most members any view listed, and the bound: the nodes plus the agents that come and go. */
  membersMax: number;
  membersBound: number;
}

export interface SurvivorResult {
  node: string;
  stopped: string[];
  /**
   * Until the survivor saw no other node alive or suspect and was back at its longest wake,
   * from the last change it saw: the later of the last stop and its last event about a
   * stopped node.
   */
  quietReturn: RoundsWaited;
  /** The same wait counted from the last stop (detection and the dead grace included). */
  quietAfterLastStop: RoundsWaited;
  /** The survivor's wake when the wait ended. */
  wakeRoundsAtEnd: number | null;
  /** From the last start until every node listed every node alive. */
  rejoin: RoundsWaited;
}

export interface LifetimeResult {
  invariants: Record<InvariantName, Invariant>;
  /** Each fault's figures; null when the configuration left it out. */
  hang: HangResult | null;
  churn: ChurnResult | null;
  survivor: SurvivorResult | null;
  /** Seconds from the survivor's fellows' start until the mesh converged (null: deadline). */
  finalConvergeSeconds: number | null;
  /** The churn kept membership within its bound (true without the churn). */
  membershipBounded: boolean;
}

/** An invariant measured in rounds: its worst value, over its goal or cut by a deadline fails. */
export function roundsInvariant(name: InvariantName, waits: ReadonlyArray<RoundsWaited | null>): Invariant {
  const goal = LIFETIME_GOALS[name];
  const measured = waits.filter((wait): wait is RoundsWaited => wait !== null);
  const value = Math.max(0, ...measured.map((wait) => wait.rounds));
  const ok = measured.length === waits.length && measured.every((wait) => wait.reached) && value <= goal;
  return { value: Math.round(value * 10) / 10, goal, ok, measured: waits.length > 0 };
}

/** An invariant that is a count. */
export function countInvariant(name: InvariantName, value: number): Invariant {
  const goal = LIFETIME_GOALS[name];
  return { value, goal, ok: value <= goal, measured: true };
}
