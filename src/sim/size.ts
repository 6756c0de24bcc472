/**
 * Cheap size of a gossip message as JSON text, for the simulator's byte counts. Walks the
 * message instead of serialising it: strings count their length plus quotes (escapes are not
 * counted, so a value full of quotes or control characters is under-estimated), integers count
 * their digits, everything else is exact. For protocol messages (names and keys are plain
 * ASCII) it is exact; tests hold it within a few percent of `jsonSize` on sample messages.
 */
import type { GossipMessage } from "../core/index.js";

/** Where a message keeps its size once walked: sender and receiver both ask for it. */
const SIZE = Symbol("size");

/**
 * The message's size, walked once: the sender counts it as sent and the receiver as received,
 * and nobody mutates a message once it is sent (see cluster.ts), so the second ask reads it back.
 */
export function estimateSize(message: GossipMessage): number {
  const sized = message as GossipMessage & { [SIZE]?: number };
  const known = sized[SIZE];
  if (known !== undefined) return known;
  const size = sizeOfValue(message);
  sized[SIZE] = size;
  return size;
}

function sizeOfValue(value: unknown): number {
  if (typeof value === "string") return value.length + 2;
  if (typeof value === "number") return numberLength(value);
  if (typeof value === "boolean") return value ? 4 : 5;
  if (typeof value !== "object") return 0;
  if (value === null) return 4;
  if (Array.isArray(value)) return sizeOfArray(value);
  let total = 2;
  let fields = 0;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const field = record[key];
    if (field === undefined || typeof field === "function") continue;
    total += key.length + 3 + sizeOfValue(field);
    fields++;
  }
  return total + (fields > 0 ? fields - 1 : 0);
}

/**
 * An array's size. Most elements in a message are strings and numbers (news items, digest
 * entries, haves are tuples of them): those are counted here, not in a call each.
 */
function sizeOfArray(array: readonly unknown[]): number {
  const n = array.length;
  let total = 2 + (n > 0 ? n - 1 : 0);
  for (let i = 0; i < n; i++) {
    const item = array[i];
    if (typeof item === "string") total += item.length + 2;
    else if (typeof item === "number") total += numberLength(item);
    else total += sizeOfValue(item);
  }
  return total;
}

function numberLength(n: number): number {
  if (Number.isInteger(n) && n >= 0 && n < 1e15) {
    if (n < 10) return 1;
    if (n < 100) return 2;
    if (n < 1000) return 3;
    if (n < 10000) return 4;
    if (n < 100000) return 5;
    if (n < 1000000) return 6;
    return Math.floor(Math.log10(n)) + 1;
  }
  return Number.isFinite(n) ? String(n).length : 4;
}
