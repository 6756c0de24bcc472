/**
 * Membership news waiting to ride on outgoing messages (memberlist's TransmitLimitedQueue):
 * one item per member (newer news about a member replaces older), each sent at most `limit`
 * times, least-sent first, within a byte cap per message. News about the recipient itself goes
 * first, so a suspected member hears of its suspicion on the next message it gets.
 *
 * A node that discovers a whole cluster at once queues news of every member, so the queue is
 * kept in columns by slot (about 55 bytes an item, not an object, an array and a map entry of
 * about 170), in one list per transmit count (taking costs what it sends, not a sort of the
 * queue), and each item is built when it is sent. It holds at most MAX_QUEUED items: past that
 * the most-sent, oldest item gives way, as memberlist's queue is pruned. A message carries
 * about 60 items, so news that deep in a queue would wait hundreds of rounds to be sent, long
 * after anti-entropy has carried the same members; the node's own news never gives way.
 */
import { grownCapacity } from "./member-table.js";
import { NameIndex } from "./name-index.js";
import type { NewsItem, StatusCode } from "./types.js";

/** End of a list. */
const NONE = -1;
/** Slots a new queue starts with. */
const INITIAL_CAPACITY = 8;
/** Once the room left is under this, no item fits: the message is full. */
const FULL_BELOW = 16;
/** Items too big for the room left that one message passes over before it stops looking. */
const MAX_SKIPPED = 64;
/**
 * Room a queue keeps however few items it holds: it gives room back (compacts) only past this.
 * A queue of a few items grew and shrank again by the item (8 slots, 16, 8 again), eight typed
 * arrays made each time, on every message that retired an item.
 */
const KEPT_CAPACITY = 64;
/** Most items queued at once. */
export const MAX_QUEUED = 4096;

/** JSON size of a news item, exact for ASCII names. */
export function newsBytes(item: NewsItem): number {
  let bytes = item[0].length + 2 + 2 + 4; // two quotes, two brackets, four commas
  for (let i = 1; i < 5; i++) bytes += String(item[i]).length;
  if (item[5] !== undefined) bytes += item[5].length + 3;
  return bytes;
}

export class BroadcastQueue {
  private capacity = 0;
  /** One past the highest slot ever used since the last compaction. */
  private high = 0;
  private count = 0;
  private readonly free: number[] = [];
  private readonly names: Array<string | undefined> = [];
  private readonly index = new NameIndex(this.names);
  /** Reporters of suspicions, by slot (few items carry one). */
  private readonly reporters = new Map<number, string>();
  private generations = new Float64Array(0);
  private incarnations = new Float64Array(0);
  private maxVersions = new Float64Array(0);
  private statuses = new Uint8Array(0);
  /** Under 1,000: names are at most 200 characters, numbers at most 16 digits. */
  private bytes = new Uint16Array(0);
  /** At most retransmitMult (64) x ceil(log10(N + 1)). */
  private transmits = new Uint16Array(0);
  /** Each transmit count's list, oldest first: its first and last slot, and the links. */
  private readonly heads: number[] = [];
  private readonly tails: number[] = [];
  private nexts = new Int32Array(0);
  private prevs = new Int32Array(0);
  /** Slots one take sends, counted once it has chosen them all. */
  private readonly chosen: number[] = [];

  /** `own`: the node's own name, whose news never gives way to a full queue. */
  constructor(private readonly own?: string) {
    this.resize(INITIAL_CAPACITY);
  }

  get size(): number {
    return this.count;
  }

  /** Queues news about a member, replacing older news about it (its count starts again). */
  enqueue(item: NewsItem): void {
    const [name, generation, incarnation, status, maxVersion, reporter] = item;
    let slot = this.index.find(name);
    if (slot === NONE) {
      if (this.count >= MAX_QUEUED) this.giveWay();
      slot = this.allocate(name);
    } else {
      this.unlink(slot);
      this.reporters.delete(slot);
    }
    this.generations[slot] = generation;
    this.incarnations[slot] = incarnation;
    this.statuses[slot] = status;
    this.maxVersions[slot] = maxVersion;
    if (reporter !== undefined) this.reporters.set(slot, reporter);
    this.bytes[slot] = newsBytes(item);
    this.transmits[slot] = 0;
    this.append(slot, 0);
  }

  /** Drops news about a member (it was forgotten). */
  drop(name: string): void {
    const slot = this.index.find(name);
    if (slot !== NONE) this.release(slot);
  }

  /**
   * News for one message to `recipient` within `budget` bytes; counts the transmissions and
   * retires items sent `limit` times.
   */
  take(budget: number, limit: number, recipient?: string): NewsItem[] {
    if (this.count === 0) return [];
    const out: NewsItem[] = [];
    const chosen = this.chosen;
    let left = budget;
    const first = recipient === undefined ? NONE : this.index.find(recipient);
    if (first !== NONE && (this.bytes[first] as number) <= left) {
      chosen.push(first);
      left -= this.bytes[first] as number;
    }
    let skipped = 0;
    scan: for (let sent = 0; sent < this.heads.length; sent++) {
      for (let slot = this.heads[sent] as number; slot !== NONE; slot = this.nexts[slot] as number) {
        if (slot === first) continue;
        const size = this.bytes[slot] as number;
        if (size > left) {
          if (++skipped > MAX_SKIPPED) break scan;
          continue;
        }
        chosen.push(slot);
        left -= size;
        if (left < FULL_BELOW) break scan;
      }
    }
    // Counted after choosing, so an item moved to the next list is not met again in this scan.
    for (const slot of chosen) {
      out.push(this.itemAt(slot));
      this.sent(slot, limit);
    }
    chosen.length = 0;
    if (this.capacity > KEPT_CAPACITY && this.count * 4 < this.capacity) this.compact();
    return out;
  }

  private itemAt(slot: number): NewsItem {
    const item: NewsItem = [
      this.names[slot] as string,
      this.generations[slot] as number,
      this.incarnations[slot] as number,
      this.statuses[slot] as StatusCode,
      this.maxVersions[slot] as number,
    ];
    const reporter = this.reporters.get(slot);
    if (reporter !== undefined) item.push(reporter);
    return item;
  }

  private sent(slot: number, limit: number): void {
    const transmits = (this.transmits[slot] as number) + 1;
    if (transmits >= limit) {
      this.release(slot);
      return;
    }
    this.unlink(slot);
    this.transmits[slot] = transmits;
    this.append(slot, transmits);
  }

  /** Drops the oldest of the most-sent items, but never the node's own news. */
  private giveWay(): void {
    for (let sent = this.heads.length - 1; sent >= 0; sent--) {
      for (let slot = this.heads[sent] as number; slot !== NONE; slot = this.nexts[slot] as number) {
        if (this.names[slot] === this.own) continue;
        this.release(slot);
        return;
      }
    }
  }

  // ---- slots ----

  private allocate(name: string): number {
    if (this.free.length === 0 && this.high === this.capacity) {
      // Doubled, not grown by a quarter as a member table is: a queue swells for a moment (a
      // heal queues news of most of the mesh at every node) and compacts once drained, so its
      // room costs little, where each growth is eight new columns.
      this.resize(Math.min(MAX_QUEUED, grownCapacity(this.capacity, 2 * this.capacity)));
    }
    const slot = this.free.length > 0 ? (this.free.pop() as number) : this.high++;
    this.names[slot] = name;
    this.index.add(name, slot);
    this.count++;
    return slot;
  }

  private release(slot: number): void {
    this.unlink(slot);
    this.index.remove(this.names[slot] as string);
    this.names[slot] = undefined;
    this.reporters.delete(slot);
    this.free.push(slot);
    this.count--;
  }

  /**
   * Moves the items to the lowest slots, list by list in order, into columns a quarter full
   * at most half: a queue that swelled (a node discovering a cluster) gives the room back.
   */
  private compact(): void {
    const order: number[] = [];
    for (let sent = 0; sent < this.heads.length; sent++) {
      for (let slot = this.heads[sent] as number; slot !== NONE; slot = this.nexts[slot] as number)
        order.push(slot);
    }
    const names = order.map((slot) => this.names[slot] as string);
    const reporters = order.map((slot) => this.reporters.get(slot));
    const old = {
      generations: this.generations,
      incarnations: this.incarnations,
      maxVersions: this.maxVersions,
      statuses: this.statuses,
      bytes: this.bytes,
      transmits: this.transmits,
    };
    this.capacity = 0;
    this.resize(Math.max(KEPT_CAPACITY, this.count * 2), false);
    this.heads.length = 0;
    this.tails.length = 0;
    this.reporters.clear();
    this.free.length = 0;
    this.names.length = 0;
    order.forEach((from, slot) => {
      this.names[slot] = names[slot];
      const reporter = reporters[slot];
      if (reporter !== undefined) this.reporters.set(slot, reporter);
      this.generations[slot] = old.generations[from] as number;
      this.incarnations[slot] = old.incarnations[from] as number;
      this.maxVersions[slot] = old.maxVersions[from] as number;
      this.statuses[slot] = old.statuses[from] as number;
      this.bytes[slot] = old.bytes[from] as number;
      this.transmits[slot] = old.transmits[from] as number;
      this.append(slot, old.transmits[from] as number);
    });
    this.high = order.length;
    this.index.reset();
  }

  /** Columns of `capacity` slots, keeping what the slots below `high` hold when `keep`. */
  private resize(capacity: number, keep = true): void {
    const copy = <T extends Float64Array | Uint16Array | Uint8Array | Int32Array>(from: T, to: T): T => {
      if (keep) to.set(from.subarray(0, this.high) as never);
      return to;
    };
    this.generations = copy(this.generations, new Float64Array(capacity));
    this.incarnations = copy(this.incarnations, new Float64Array(capacity));
    this.maxVersions = copy(this.maxVersions, new Float64Array(capacity));
    this.statuses = copy(this.statuses, new Uint8Array(capacity));
    this.bytes = copy(this.bytes, new Uint16Array(capacity));
    this.transmits = copy(this.transmits, new Uint16Array(capacity));
    this.nexts = copy(this.nexts, new Int32Array(capacity));
    this.prevs = copy(this.prevs, new Int32Array(capacity));
    this.capacity = capacity;
  }

  // ---- lists ----

  private append(slot: number, sent: number): void {
    while (this.heads.length <= sent) {
      this.heads.push(NONE);
      this.tails.push(NONE);
    }
    const tail = this.tails[sent] as number;
    this.prevs[slot] = tail;
    this.nexts[slot] = NONE;
    if (tail === NONE) this.heads[sent] = slot;
    else this.nexts[tail] = slot;
    this.tails[sent] = slot;
  }

  private unlink(slot: number): void {
    const sent = this.transmits[slot] as number;
    const prev = this.prevs[slot] as number;
    const next = this.nexts[slot] as number;
    if (prev === NONE) this.heads[sent] = next;
    else this.nexts[prev] = next;
    if (next === NONE) this.tails[sent] = prev;
    else this.prevs[next] = prev;
  }
}
