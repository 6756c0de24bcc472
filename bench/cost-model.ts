/**
 * Dollars per node-month from measured per-round figures, at the Workers Paid list prices
 * for Durable Objects. Pure arithmetic, no I/O: the bench feeds it measurements, the tests
 * feed it hand-computed cases.
 *
 * Two views are given for every interval:
 * - marginal: what one more node adds to a bill that is already past every included
 *   allowance (the price of the node's own usage, allowance ignored);
 * - mesh: the bill of a whole mesh of `meshNodes` nodes in an otherwise empty account,
 *   with the monthly allowances subtracted once, divided by the node count.
 * The $5/month Workers Paid subscription is not included in either.
 */

/** List prices (Durable Objects on Workers Paid, SQLite backend). */
export const PRICES = {
  /** $ per million DO requests (each RPC call received, each alarm invocation). */
  requestsPerMillion: 0.15,
  requestsIncluded: 1_000_000,
  /** $ per million SQLite rows written (each setAlarm counts as one). */
  rowsWrittenPerMillion: 1.0,
  rowsWrittenIncluded: 50_000_000,
  /** $ per million GB-s of duration, billed at 128 MB per active object. */
  durationPerMillionGbSeconds: 12.5,
  durationIncludedGbSeconds: 400_000,
  objectMemoryGb: 0.125,
} as const;

/** A billing month of 30 days. */
export const SECONDS_PER_MONTH = 30 * 24 * 3600;

/** What one node costs per gossip round, as measured. */
export interface PerRoundUsage {
  /** Billed DO requests per node per round: alarm invocations plus RPC calls received. */
  requests: number;
  /** SQLite rows written per node per round, setAlarm included. */
  rowsWritten: number;
  /** Seconds per round the object is active (not hibernatable), hence billed for duration. */
  activeSeconds: number;
}

export interface MonthlyUsage {
  rounds: number;
  requests: number;
  rowsWritten: number;
  gbSeconds: number;
}

export interface CostBreakdown {
  requests: number;
  rowsWritten: number;
  duration: number;
  total: number;
}

export interface IntervalCost {
  intervalMs: number;
  /** One node's usage per month at this interval. */
  usage: MonthlyUsage;
  /** $ per node-month, allowances ignored. */
  marginal: CostBreakdown;
  /** $ per node-month for a mesh of `meshNodes` nodes, allowances subtracted once. */
  mesh: CostBreakdown;
  meshNodes: number;
}

/** One node's monthly usage when every round costs `perRound` and rounds are `intervalMs` apart. */
export function monthlyUsage(perRound: PerRoundUsage, intervalMs: number): MonthlyUsage {
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
  const rounds = (SECONDS_PER_MONTH * 1000) / intervalMs;
  return {
    rounds,
    requests: perRound.requests * rounds,
    rowsWritten: perRound.rowsWritten * rounds,
    gbSeconds: perRound.activeSeconds * rounds * PRICES.objectMemoryGb,
  };
}

/** Price of a usage, optionally after subtracting the monthly included amounts. */
export function price(usage: MonthlyUsage, withAllowance: boolean): CostBreakdown {
  const over = (used: number, included: number) => (withAllowance ? Math.max(0, used - included) : used);
  const requests = (over(usage.requests, PRICES.requestsIncluded) / 1e6) * PRICES.requestsPerMillion;
  const rowsWritten =
    (over(usage.rowsWritten, PRICES.rowsWrittenIncluded) / 1e6) * PRICES.rowsWrittenPerMillion;
  const duration =
    (over(usage.gbSeconds, PRICES.durationIncludedGbSeconds) / 1e6) * PRICES.durationPerMillionGbSeconds;
  return { requests, rowsWritten, duration, total: requests + rowsWritten + duration };
}

function scale(usage: MonthlyUsage, factor: number): MonthlyUsage {
  return {
    rounds: usage.rounds * factor,
    requests: usage.requests * factor,
    rowsWritten: usage.rowsWritten * factor,
    gbSeconds: usage.gbSeconds * factor,
  };
}

function divide(cost: CostBreakdown, by: number): CostBreakdown {
  return {
    requests: cost.requests / by,
    rowsWritten: cost.rowsWritten / by,
    duration: cost.duration / by,
    total: cost.total / by,
  };
}

/** Cost per node-month at one interval, marginal and for a mesh of `meshNodes`. */
export function costAtInterval(perRound: PerRoundUsage, intervalMs: number, meshNodes = 100): IntervalCost {
  if (!(meshNodes >= 1)) throw new RangeError(`meshNodes must be at least 1, got ${meshNodes}`);
  const usage = monthlyUsage(perRound, intervalMs);
  return {
    intervalMs,
    usage,
    marginal: price(usage, false),
    mesh: divide(price(scale(usage, meshNodes), true), meshNodes),
    meshNodes,
  };
}

/** What one node used per second of a measured window, as its own counters tell. */
export interface PerSecondUsage {
  /** Rounds (protocol periods) run. */
  rounds: number;
  /** Billed DO requests: alarm invocations plus gossip calls received from peers. */
  requests: number;
  rowsWritten: number;
  /** Seconds of each second the object was active (in an alarm or an RPC handler). */
  activeSeconds: number;
}

/** Cost as run: one node's measured rates held for a month, allowances ignored. */
export interface AsRunCost {
  usage: MonthlyUsage;
  marginal: CostBreakdown;
}

export function costAsRun(perSecond: PerSecondUsage): AsRunCost {
  const usage: MonthlyUsage = {
    rounds: perSecond.rounds * SECONDS_PER_MONTH,
    requests: perSecond.requests * SECONDS_PER_MONTH,
    rowsWritten: perSecond.rowsWritten * SECONDS_PER_MONTH,
    gbSeconds: perSecond.activeSeconds * SECONDS_PER_MONTH * PRICES.objectMemoryGb,
  };
  return { usage, marginal: price(usage, false) };
}

/** The standard table: 1 s, 5 s and 30 s intervals. */
export const COST_INTERVALS_MS = [1000, 5000, 30_000] as const;

export function costTable(perRound: PerRoundUsage, meshNodes = 100): IntervalCost[] {
  return COST_INTERVALS_MS.map((intervalMs) => costAtInterval(perRound, intervalMs, meshNodes));
}
