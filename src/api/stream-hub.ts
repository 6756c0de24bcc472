/**
 * What the event streams of this isolate share, per node: a count of open streams (the cap)
 * and the last poll of the node's event log (so streams on one node share one poll).
 *
 * Where the cap lives: here, per isolate. Each stream polls its node from the Worker, so the
 * isolate is where streams are counted without an extra call; deployed, a node behind many
 * isolates gets at most `cap` streams from each, but at most about one poll per interval from
 * each, whatever the number of streams, since they share the last answer. Only plain data is
 * shared between requests: each stream makes its own calls and writes its own response.
 */
import type { EventsPage } from "../node/rpc-types.js";

/** Concurrent event streams per node and isolate, unless MAX_STREAMS_PER_NODE says otherwise. */
export const DEFAULT_MAX_STREAMS_PER_NODE = 32;

/** The cap the Worker runs with: MAX_STREAMS_PER_NODE (a positive integer) or the default. */
export function maxStreamsPerNode(configured: string | undefined): number {
  const value = Number(configured);
  return configured !== undefined && Number.isInteger(value) && value > 0
    ? value
    : DEFAULT_MAX_STREAMS_PER_NODE;
}

const open = new Map<string, number>();

/** Takes a stream slot for `node`; null when `cap` are open. Call the returned release once. */
export function openStream(node: string, cap: number): (() => void) | null {
  const count = open.get(node) ?? 0;
  if (count >= cap) return null;
  open.set(node, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (open.get(node) ?? 1) - 1;
    if (left <= 0) {
      open.delete(node);
      lastPoll.delete(node);
    } else open.set(node, left);
  };
}

interface Poll {
  since: number;
  page: EventsPage;
  at: number;
}

const lastPoll = new Map<string, Poll>();

/**
 * The events after `since`: from another stream's poll of the same node when it is younger
 * than `maxAgeMs` and covers `since`, else from `fetch` (whose answer the others then share).
 */
export async function sharedPoll(
  node: string,
  since: number,
  maxAgeMs: number,
  fetch: (since: number) => Promise<EventsPage>,
): Promise<EventsPage> {
  const last = lastPoll.get(node);
  if (last && Date.now() - last.at < maxAgeMs && since >= last.since && since <= last.page.next) {
    return { events: last.page.events.filter((event) => event.seq > since), next: last.page.next };
  }
  const page = await fetch(since);
  if (open.has(node)) lastPoll.set(node, { since, page, at: Date.now() });
  return page;
}
