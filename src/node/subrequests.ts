/**
 * The subrequest budget, declared once: how many calls to Durable Objects (and any other
 * service) one Worker invocation may make, a request or a cron tick. Every fan-out over a
 * cluster's nodes that must fit one invocation takes its page size from here.
 *
 * Cloudflare's limits per invocation (developers.cloudflare.com/workers/platform/limits):
 * Workers Free 50, Workers Paid 10,000. hearsay plans for the Free plan's, so a paged fan-out
 * fits either plan; a cluster larger than a page is covered over several invocations.
 */

/** Subrequests per invocation, by plan. */
export const SUBREQUEST_LIMITS = { free: 50, paid: 10_000 } as const;

/** What hearsay plans one invocation within: the Free plan's limit. */
export const SUBREQUEST_BUDGET = SUBREQUEST_LIMITS.free;

/** Kept back from each invocation for its own bookkeeping (registry reads and writes) and slack. */
export const RESERVED_SUBREQUESTS = 10;

/** Nodes one invocation calls at most (one call each): a page of the keeper or the cluster summary. */
export const NODES_PER_INVOCATION = SUBREQUEST_BUDGET - RESERVED_SUBREQUESTS;

/** Nodes the cron keeper visits per tick (keeper.ts). */
export const KEEPER_PAGE = NODES_PER_INVOCATION;

/**
 * Clusters whose old registry rows a keeper tick copies: two calls each (the cluster's registry,
 * the directory), after one call asking for them, within what the budget keeps back.
 */
export const MIGRATED_PER_TICK = Math.floor((RESERVED_SUBREQUESTS - 3) / 2);

/** Subrequests one keeper tick makes at most: the directory's page, its nodes, the ask for old rows, the copies. */
export const KEEPER_TICK_SUBREQUESTS = 1 + KEEPER_PAGE + 1 + 2 * MIGRATED_PER_TICK;
