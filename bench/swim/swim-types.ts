/**
 * What the bench asks of a SWIM run and what the run reports back, shared by the parent
 * (bench/swim/run-swim.ts) and the child process that drives the members.
 */

export interface SwimRunConfig {
  /** Members in the cluster. */
  nodes: number;
  /** SWIM protocol period (ms), set to hearsay's gossip interval. */
  intervalMs: number;
  /** Steady window over which bytes are counted, ms. */
  steadyMs: number;
  /** Give up on any one phase after this long, ms. */
  phaseTimeoutMs: number;
  /** Kills measured in all (the first is the single-trial figures'); default 1. */
  trials?: number;
  /** Seed of the victims' choice. */
  seed?: number;
}

/** swim's own timeouts, scaled from its defaults (20 ms period: 4 / 12 / 10 ms) to the period. */
export interface SwimTimeouts {
  interval: number;
  pingTimeout: number;
  pingReqTimeout: number;
  suspectTimeout: number;
  joinTimeout: number;
}

export interface SwimFigures {
  timeouts: SwimTimeouts;
  /** All members started at once against one seed: until every member lists all others. */
  fullMembershipMs: number;
  /** A killed member (silently closed): until every live member marks it suspect or faulty. */
  detectNonAliveMs: number;
  /** ... until every live member marks it faulty. */
  detectFaultyMs: number;
  /** A new member joining a converged cluster: until all list it and it lists all. */
  joinSeenByAllMs: number;
  /** Payload bytes (UDP data) sent per member per second in the steady window. */
  bytesSentPerNodePerSecond: number;
  /** Datagrams sent per member per second in the steady window. */
  datagramsPerNodePerSecond: number;
  /** Distinct (observer, live member) pairs where a live member was seen suspect or faulty. */
  falseSuspicions: number;
  steadyWindowMs: number;
  /**
   * Every kill, in order (the first is the one above): its victim and times, ms. Between two
   * kills a fresh member joins through the seed and the cluster converges again, so each kill
   * meets the same number of members. Absent from results written before trials.
   */
  trials?: SwimKill[];
  /** Why a kill (and every one after it) could not be measured. */
  trialErrors?: string[];
}

export interface SwimKill {
  victim: string;
  detectNonAliveMs: number;
  detectFaultyMs: number;
}

/** Messages from the child to the parent. */
export type SwimChildMessage =
  | { type: "result"; figures: SwimFigures }
  | { type: "unavailable"; reason: string }
  | { type: "error"; message: string };
