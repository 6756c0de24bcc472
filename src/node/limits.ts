/**
 * Limits a GossipNode enforces on its callers (the API checks the same shapes first, but the
 * node trusts no one). Exported so the API can validate with the same numbers.
 */

/** Live user keys one node may hold. */
export const MAX_USER_KEYS = 256;

/** Own entries (live keys plus tombstones not yet collected) one node may hold. */
export const MAX_OWN_ENTRIES = 4 * MAX_USER_KEYS;

/** Longest value, in UTF-16 code units. 256 keys of this size keep a node's row under 2 MB. */
export const MAX_VALUE_LENGTH = 4096;

/** Cluster and node names: 1..64 characters of [A-Za-z0-9._-]. */
export const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Most seeds a node accepts. */
export const MAX_SEEDS = 64;

/** Membership events kept in memory per node for `events(since)`. */
export const EVENT_LOG_CAPACITY = 1000;
