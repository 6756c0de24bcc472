/**
 * The limits an owner write must keep, counted on what the node holds: live keys and own
 * entries per node, the node's own state as stored, and the cluster-wide state budget (all
 * members' state as stored). Shape checks of the key and value are in write-checks.ts.
 */
import { isReservedKey } from "../core/index.js";
import {
  CLUSTER_STATE_BUDGET_BYTES,
  MAX_NODE_STATE_BYTES,
  MAX_OWN_ENTRIES,
  MAX_USER_KEYS,
} from "./limits.js";
import { NodeError } from "./node-error.js";
import { entryBytes, StateSizes } from "./state-size.js";

export type KeyEntries = ReadonlyMap<string, { value: string | null; version: number }>;

export class WriteLimits {
  private readonly sizes = new StateSizes();

  /** Throws a NodeError when writing `key = value` on `self` would break a limit. */
  check(
    self: string,
    keys: KeyEntries,
    everyone: Iterable<[string, KeyEntries]>,
    key: string,
    value: string,
  ): void {
    const current = keys.get(key);
    if (!current || current.value === null) {
      const { live, total } = ownKeyCounts(keys);
      if (live >= MAX_USER_KEYS)
        throw new NodeError("too_many_keys", `a node holds at most ${MAX_USER_KEYS} keys`);
      if (!current && total >= MAX_OWN_ENTRIES) {
        throw new NodeError("too_many_keys", "too many recently deleted keys; retry later");
      }
    }
    const growth = entryBytes(key, value) - (current ? entryBytes(key, current.value) : 0);
    const own = this.sizes.nodeBytes(self, keys) + growth;
    if (own > MAX_NODE_STATE_BYTES) {
      throw new NodeError(
        "state_budget_exceeded",
        `this write would make the node's state ${own} bytes as stored, over its limit of ${MAX_NODE_STATE_BYTES}`,
      );
    }
    const total = this.heldBytes(everyone) + growth;
    if (total > CLUSTER_STATE_BUDGET_BYTES) {
      throw new NodeError(
        "state_budget_exceeded",
        `this write would make the state this node holds ${total} bytes as stored, over the cluster budget of ${CLUSTER_STATE_BUDGET_BYTES}`,
      );
    }
  }

  /** Stored bytes of the state of every node held (the writer included). */
  private heldBytes(everyone: Iterable<[string, KeyEntries]>): number {
    let total = 0;
    const names = new Set<string>();
    for (const [name, keys] of everyone) {
      names.add(name);
      total += this.sizes.nodeBytes(name, keys);
    }
    this.sizes.keepOnly(names);
    return total;
  }
}

/** Live user keys and all own entries (tombstones included), reserved keys excluded. */
function ownKeyCounts(keys: KeyEntries): { live: number; total: number } {
  let live = 0;
  let total = 0;
  for (const [key, entry] of keys) {
    if (isReservedKey(key)) continue;
    total++;
    if (entry.value !== null) live++;
  }
  return { live, total };
}
