/**
 * Limits a GossipNode enforces on its callers (the API checks the same shapes first, but the
 * node trusts no one). Exported so the API can validate with the same numbers.
 */

/** Live user keys one node may hold. */
export const MAX_USER_KEYS = 256;

/** Own entries (live keys plus tombstones not yet collected) one node may hold. */
export const MAX_OWN_ENTRIES = 4 * MAX_USER_KEYS;

/** Longest value, in bytes of UTF-8. */
export const MAX_VALUE_BYTES = 4096;

/** Cluster, node (and agent) names: the one rule, which the API's schemas use too. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const NAME_RULE = '1-63 characters of a-z, 0-9 and "-", starting with a letter or digit';

/**
 * Regions a node may be placed in: Durable Object location hints. The API passes a node's
 * region to `getByName(name, { locationHint })`, which places an object when it is first
 * created; the node publishes it to its peers, which prefer partners of their own region.
 */
export const LOCATION_HINTS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type LocationHint = (typeof LOCATION_HINTS)[number];

export function isLocationHint(value: unknown): value is LocationHint {
  return typeof value === "string" && (LOCATION_HINTS as readonly string[]).includes(value);
}

/** Most seeds a node accepts. */
export const MAX_SEEDS = 64;

/** Agents one node hosts at most (alive, suspect or dead ones not yet forgotten). */
export const MAX_AGENTS_PER_NODE = 64;

/**
 * Agents one cluster holds at most, counted in the view of the node a new agent registers at
 * (every member not dead or left). Their keys also count in the cluster-wide state budget.
 */
export const MAX_AGENTS_PER_CLUSTER = 1000;

/**
 * Agents that left or died, still remembered until their grace ends (leftGraceMs,
 * deadGraceMs), one cluster holds at most, counted in the same view: a registration beyond it
 * is refused for now, so agents that come and go cannot grow the membership without bound.
 */
export const MAX_DEPARTED_AGENTS_PER_CLUSTER = MAX_AGENTS_PER_CLUSTER;

/** An agent's heartbeat interval, ms: its range. The home's phi detector expects this rate. */
export const AGENT_INTERVAL_MIN_MS = 100;
export const AGENT_INTERVAL_MAX_MS = 60_000;

/** Membership events kept in memory per node for `events(since)`. */
export const EVENT_LOG_CAPACITY = 1000;

/** SQLite's largest string, BLOB or row in a Durable Object: no one saved row may reach it. */
export const MAX_SQLITE_ROW_BYTES = 2_000_000;

/**
 * Stored bytes of one node's keys at most: the UTF-8 size of the JSON row a peer saves for
 * them (see state-size.ts). Under MAX_SQLITE_ROW_BYTES with room to spare; 256 keys of
 * 4096 ASCII characters (about 1.1 MB stored) fit, values that grow when JSON-escaped
 * (control characters: 6 bytes each) hit this first.
 */
export const MAX_NODE_STATE_BYTES = 1_500_000;

/**
 * The cluster-wide state budget: stored bytes of every member's keys that one node holds,
 * at most. Every node holds every member's state, so this is also the whole cluster's.
 * 8 MiB keeps a node's full view (at most 2 bytes per stored byte once cloned) at half the
 * 32 MiB RPC limit, and a node's worst case in memory (state, a view being built and sent)
 * near 70 MB of a 128 MB isolate; about 10 MB for ASCII values. The arithmetic is in
 * docs/architecture.md.
 */
export const CLUSTER_STATE_BUDGET_BYTES = 8 * 1024 * 1024;
