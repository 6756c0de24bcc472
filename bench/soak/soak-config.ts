/** The lifetime faults, in the order they run (lifetime/). */
export const LIFETIME_FAULTS = ["hang", "churn", "survivor"] as const;
export type LifetimeFault = (typeof LIFETIME_FAULTS)[number];

/**
 * The soak's configuration: what `npm run soak` and the short e2e soak set, and the defaults
 * both start from.
 */

export interface SoakConfig {
  cluster: string;
  nodes: number;
  /** How long the chaos runs, ms (the final convergence comes after). */
  durationMs: number;
  /** The nodes' gossip interval, ms. */
  intervalMs: number;
  /** Pause between two driver steps, ms. */
  stepMs: number;
  seed: number;
  /** Nodes n0..n{protected-1} are never faulted by the chaos (n0 and n1 are the seeds). */
  protectedNodes: number;
  /** Distinct keys each node's writes use (a later write to a key replaces the earlier one). */
  keysPerNode: number;
  /** Fire the cron keeper this often, ms. */
  keeperEveryMs: number;
  /** Sample every node's counters this often, ms. */
  sampleEveryMs: number;
  /** At most this share of the unprotected nodes is stopped at once. */
  maxStoppedShare: number;
  /** Give up waiting for convergence after this long, ms. */
  convergeTimeoutMs: number;
  /**
   * Check (c): mesh-wide, the rows the gossip itself writes (alarm, heartbeat, membership,
   * peers' keys; not the rows an API call writes: own keys, configure/start/stop) per alarm
   * run must stay at or under this, plus one row at each other node per write the driver made
   * (counters.ts, rowsBound).
   */
  rowsPerAlarmBound: number;
  /**
   * The mesh's dead grace, in rounds: short, so that a hang outlasts it and every peer
   * forgets the hung node within the soak (the lifetime faults).
   */
  deadGraceRounds: number;
  /**
   * The lifetime faults run after the chaos, in LIFETIME_FAULTS' order: `hang` (past the dead
   * grace, then a start), `churn` (agents that come and go), `survivor`. None: the chaos and
   * its checks alone.
   */
  lifetime: readonly LifetimeFault[];
  /** How long agents come and go in the churn fault, ms. */
  agentChurnMs: number;
  /** Agents coming and going at once in the churn fault. */
  churnAgents: number;
}

/** The soak's defaults for a mesh of `nodes` (duration and seed are always given). */
export function soakDefaults(nodes: number): Omit<SoakConfig, "durationMs" | "seed"> {
  return {
    cluster: `soak-${Date.now().toString(36)}`,
    nodes,
    intervalMs: 1_000,
    stepMs: 150,
    protectedNodes: Math.max(2, Math.floor(nodes / 4)),
    keysPerNode: 8,
    keeperEveryMs: 15_000,
    sampleEveryMs: 5_000,
    maxStoppedShare: 1 / 3,
    convergeTimeoutMs: 180_000,
    rowsPerAlarmBound: 5,
    deadGraceRounds: 10,
    lifetime: LIFETIME_FAULTS,
    agentChurnMs: 30_000,
    churnAgents: 4,
  };
}
