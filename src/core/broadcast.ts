/**
 * Membership news waiting to ride on outgoing messages (memberlist's TransmitLimitedQueue):
 * one item per member (newer news about a member replaces older), each sent at most `limit`
 * times, least-sent first, within a byte cap per message. News about the recipient itself goes
 * first, so a suspected member hears of its suspicion on the next message it gets.
 */
import type { NewsItem } from "./types.js";

interface Queued {
  item: NewsItem;
  transmits: number;
  bytes: number;
}

/** JSON size of a news item, exact for ASCII names. */
export function newsBytes(item: NewsItem): number {
  let bytes = item[0].length + 2 + 2 + 4; // two quotes, two brackets, four commas
  for (let i = 1; i < 5; i++) bytes += String(item[i]).length;
  if (item[5] !== undefined) bytes += item[5].length + 3;
  return bytes;
}

export class BroadcastQueue {
  private readonly items = new Map<string, Queued>();

  get size(): number {
    return this.items.size;
  }

  /** Queues news about a member, replacing older news about it. */
  enqueue(item: NewsItem): void {
    this.items.set(item[0], { item, transmits: 0, bytes: newsBytes(item) });
  }

  /** Drops news about a member (it was forgotten). */
  drop(name: string): void {
    this.items.delete(name);
  }

  /**
   * News for one message to `recipient` within `budget` bytes; counts the transmissions and
   * retires items sent `limit` times.
   */
  take(budget: number, limit: number, recipient?: string): NewsItem[] {
    if (this.items.size === 0) return [];
    const out: NewsItem[] = [];
    let left = budget;
    const first = recipient === undefined ? undefined : this.items.get(recipient);
    if (first && first.bytes <= left) {
      out.push(first.item);
      left -= first.bytes;
      this.sent(recipient as string, first, limit);
    }
    const queued = [...this.items.entries()].sort((a, b) => a[1].transmits - b[1].transmits);
    for (const [name, entry] of queued) {
      if (entry === first) continue;
      if (entry.bytes > left) continue;
      out.push(entry.item);
      left -= entry.bytes;
      this.sent(name, entry, limit);
      if (left < 16) break;
    }
    return out;
  }

  private sent(name: string, entry: Queued, limit: number): void {
    entry.transmits++;
    if (entry.transmits >= limit) this.items.delete(name);
  }
}
