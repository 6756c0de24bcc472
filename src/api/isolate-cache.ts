/**
 * A small map that keeps answers in this isolate for a fixed time, with a cap on entries
 * (oldest dropped first). Only plain data goes in: never a promise or a stream, which belong
 * to the request that made them.
 */
export class IsolateCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {}

  /** The value while it is fresh, else undefined. */
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.until > Date.now() ? hit.value : undefined;
  }

  set(key: string, value: V): V {
    this.entries.delete(key);
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}
