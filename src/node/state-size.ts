/**
 * The stored size of key-value state: the UTF-8 bytes of the JSON a peer saves for a node's
 * keys (saved-others.ts writes each node's keys as one JSON row). Versions and tombstone
 * times are counted at their widest, so the figure is an upper bound of what is stored.
 * Entry sizes are cached by node, key and version, so summing a whole view re-encodes only
 * what changed since the last sum.
 */

const encoder = new TextEncoder();

/** A version and a tombstone time (at most 16 digits each), brackets and commas. */
const ENTRY_OVERHEAD_BYTES = 2 * 16 + 6;

/** The row's fixed fields besides the name: generation, heartbeat, versions, field names. */
const ROW_OVERHEAD_BYTES = 160;

interface Entry {
  value: string | null;
  version: number;
}

/** UTF-8 bytes of a string as JSON (escapes included); `null` for a tombstone. */
export function jsonBytes(value: string | null): number {
  return value === null ? 4 : encoder.encode(JSON.stringify(value)).length;
}

/** Stored bytes of one key-value entry. */
export function entryBytes(key: string, value: string | null): number {
  return jsonBytes(key) + jsonBytes(value) + ENTRY_OVERHEAD_BYTES;
}

/** Stored bytes of a node's row with no keys. */
export function rowOverheadBytes(name: string): number {
  return jsonBytes(name) + ROW_OVERHEAD_BYTES;
}

export class StateSizes {
  private readonly nodes = new Map<string, Map<string, { version: number; bytes: number }>>();

  /** Stored bytes of a node's row with these keys. */
  nodeBytes(name: string, keys: ReadonlyMap<string, Entry>): number {
    let cache = this.nodes.get(name);
    if (!cache || cache.size > 2 * keys.size + 16) {
      cache = new Map();
      this.nodes.set(name, cache);
    }
    let total = rowOverheadBytes(name);
    for (const [key, entry] of keys) {
      let cached = cache.get(key);
      if (!cached || cached.version !== entry.version) {
        cached = { version: entry.version, bytes: entryBytes(key, entry.value) };
        cache.set(key, cached);
      }
      total += cached.bytes;
    }
    return total;
  }

  /** Drops the cache of nodes not in `names`. */
  keepOnly(names: ReadonlySet<string>): void {
    for (const name of this.nodes.keys()) if (!names.has(name)) this.nodes.delete(name);
  }
}
