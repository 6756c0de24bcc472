/**
 * A per-isolate cache of short-lived answers, bounded in bytes and in entries. An isolate has
 * 128 MB and serves many requests, so a cache that only counted entries could hold a few
 * hundred pages of a large cluster and exhaust it. Here every insert first drops the expired
 * entries, an answer larger than `maxEntryBytes` is never kept, and the oldest entries go
 * until the new one fits `maxBytes`. An entry past its time is not served as fresh, but may
 * be read as `stale` until it is dropped (a fallback when its source fails). Every cache an
 * isolate keeps is one of these: `ClusterAnswers` for pages about a cluster (members,
 * summaries, metrics), `cached` for one value made on a miss.
 */

export interface TtlCacheLimits {
  /** Bytes all entries may hold together (as their `bytes` say). */
  maxBytes: number;
  /** The largest entry kept; a larger one is answered but not cached. */
  maxEntryBytes: number;
  /** Entries at most, whatever their size. */
  maxEntries: number;
}

interface Entry<V> {
  value: V;
  bytes: number;
  until: number;
}

/** Bytes a string takes at most in V8 (two per UTF-16 unit). */
export function stringBytes(text: string): number {
  return 2 * text.length;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private held = 0;

  constructor(readonly limits: TtlCacheLimits) {}

  /** The value, while fresh at `now`. */
  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.until > now ? entry.value : undefined;
  }

  /** The value even past its time (until it is dropped), for when a refresh fails. */
  stale(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Keeps `value` until `until`, when it fits; false when it is too large to keep. */
  set(key: string, value: V, bytes: number, until: number, now: number): boolean {
    this.delete(key);
    if (bytes > this.limits.maxEntryBytes) return false;
    for (const [old, entry] of this.entries) if (entry.until <= now) this.delete(old);
    while (
      this.entries.size > 0 &&
      (this.held + bytes > this.limits.maxBytes || this.entries.size >= this.limits.maxEntries)
    ) {
      this.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, { value, bytes, until });
    this.held += bytes;
    return true;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.held -= entry.bytes;
  }

  /** Drops every entry whose key starts with `prefix`. */
  deletePrefix(prefix: string): void {
    for (const key of this.keys()) if (key.startsWith(prefix)) this.delete(key);
  }

  /** The keys held, oldest first. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Bytes and entries held now. */
  size(): { bytes: number; entries: number } {
    return { bytes: this.held, entries: this.entries.size };
  }
}

/** An answer kept as its JSON text with its ETag: a hit is answered without a call or a serialisation. */
export interface CachedJson {
  json: string;
  etag: string;
}

/** Bytes a CachedJson takes. */
export function jsonBytes(entry: CachedJson): number {
  return stringBytes(entry.json) + stringBytes(entry.etag);
}

/** Keeps `value` under `key` for `ttlMs` from now, when it fits; answers `value`. */
export function keepFor<V>(cache: TtlCache<V>, key: string, value: V, bytes: number, ttlMs: number): V {
  const now = Date.now();
  cache.set(key, value, bytes, now + ttlMs, now);
  return value;
}

/** The value under `key` while fresh in `cache`; otherwise `make`s it and keeps it for `ttlMs`. */
export async function cached<V>(
  cache: TtlCache<V>,
  key: string,
  ttlMs: number,
  make: () => Promise<V>,
  bytesOf: (value: V) => number,
): Promise<V> {
  const hit = cache.get(key, Date.now());
  if (hit !== undefined) return hit;
  const value = await make();
  return keepFor(cache, key, value, bytesOf(value), ttlMs);
}

/**
 * Answers about clusters (pages of members, summaries, metrics), each kept for `ttlMs` under
 * its cluster and what was asked; a cluster's answers are forgotten together when this isolate
 * changes something in it, so its next read is fresh.
 */
export class ClusterAnswers<V> {
  private readonly cache: TtlCache<V>;

  constructor(
    limits: TtlCacheLimits,
    readonly ttlMs: number,
    private readonly bytesOf: (value: V) => number,
  ) {
    this.cache = new TtlCache<V>(limits);
  }

  /** The answer to `asked` about `cluster` while fresh; otherwise `make`s and keeps it. */
  get(cluster: string, asked: readonly unknown[], make: () => Promise<V>): Promise<V> {
    return cached(this.cache, JSON.stringify([cluster, ...asked]), this.ttlMs, make, this.bytesOf);
  }

  /** Forgets every answer about `cluster`. */
  forget(cluster: string): void {
    this.cache.deletePrefix(`${JSON.stringify([cluster]).slice(0, -1)},`);
  }

  /** Bytes and entries held now. */
  size(): { bytes: number; entries: number } {
    return this.cache.size();
  }
}
