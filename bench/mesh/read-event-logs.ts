/**
 * Reads each node's membership event log once (the server-sent events stream from the start)
 * and reports the (observer, live node) pairs where a live node was ever declared suspect or
 * dead: false suspicions that polling views between rounds could miss.
 */

import type { SequencedEvent } from "../../src/node/rpc-types.js";
import { mapLimit } from "../../src/shared/map-limit.js";
import { SseReader } from "../../tools/sse-reader.js";
import type { HearsayClient } from "./api-client.js";

/** The stream sends what the node holds and ends (`follow: false`); a gap this long is a failure. */
const READ_MS = 10_000;
const MAX_MESSAGES = 10_000;
const CONCURRENCY = 8;

/** Every event a node has logged so far (its in-memory ring), oldest first. */
export async function readEventLog(
  client: HearsayClient,
  cluster: string,
  node: string,
): Promise<SequencedEvent[]> {
  // Read once, not followed: a followed stream would keep polling the node after the bench
  // let go of it (wrangler dev does not pass the disconnect on), into the steady window.
  const body = await client.api.events(cluster, node, {
    since: 0,
    follow: false,
    signal: AbortSignal.timeout(2 * READ_MS),
  });
  const reader = new SseReader(body);
  const events: SequencedEvent[] = [];
  try {
    for (let i = 0; i < MAX_MESSAGES; i++) {
      const message = await reader.next(READ_MS);
      if (message === null) break;
      if (message.event === "error") throw new Error(`events of ${node}: ${message.data}`);
      if (message.data !== undefined && message.id !== undefined) {
        events.push(JSON.parse(message.data) as SequencedEvent);
      }
    }
  } finally {
    await reader.cancel();
  }
  return events;
}

/** The event logs of these nodes, by node. */
export async function readEventLogs(
  client: HearsayClient,
  cluster: string,
  nodes: readonly string[],
): Promise<Map<string, SequencedEvent[]>> {
  const logs = await mapLimit(nodes, CONCURRENCY, (node) => readEventLog(client, cluster, node));
  return new Map(nodes.map((node, i) => [node, logs[i] as SequencedEvent[]]));
}

/**
 * "observer->node" pairs where a node in `live` was logged suspect or dead by a live observer,
 * at or after `since` (a node restarted by the bench is live again, but was rightly suspected
 * while it was down).
 */
export function falseSuspicionsIn(
  logs: ReadonlyMap<string, SequencedEvent[]>,
  live: ReadonlySet<string>,
  since = 0,
): { pairs: string[]; eventsRead: number } {
  const pairs = new Set<string>();
  let eventsRead = 0;
  for (const [observer, events] of logs) {
    if (!live.has(observer)) continue;
    eventsRead += events.length;
    for (const event of events) {
      if ((event.type === "suspect" || event.type === "dead") && event.at >= since && live.has(event.node)) {
        pairs.add(`${observer}->${event.node}`);
      }
    }
  }
  return { pairs: [...pairs].sort(), eventsRead };
}

/**
 * When the last of `observers` first logged an event matching `match` at or after `since`
 * (ms since `since`), by the nodes' own clocks: precise where polling views is slow. Null when
 * some observer's log has no such event (its ring was overrun, or it never learned it).
 */
export function lastFirstArrival(
  logs: ReadonlyMap<string, SequencedEvent[]>,
  observers: readonly string[],
  since: number,
  match: (event: SequencedEvent) => boolean,
): number | null {
  let last = since;
  for (const observer of observers) {
    const first = logs.get(observer)?.find((event) => event.at >= since && match(event));
    if (!first) return null;
    last = Math.max(last, first.at);
  }
  return last - since;
}

/**
 * When one node's log (oldest first) first shows every node in `others` alive: the `at` of the
 * event that completed the set, by that node's clock; null when it never does. A member is
 * alive from its `joined` (a member discovered in another status has that status logged right
 * after, at the same instant) or an `alive`, until a `suspect`, `dead`, `left` or `forgotten`.
 */
export function allAliveAt(events: readonly SequencedEvent[], others: readonly string[]): number | null {
  const wanted = new Set(others);
  const alive = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as SequencedEvent;
    if (!wanted.has(event.node)) continue;
    if (event.type === "joined" || event.type === "alive") alive.add(event.node);
    else if (event.type !== "restarted" && event.type !== "state") alive.delete(event.node);
    // The status that follows a `joined` in the same change comes before the set is judged.
    const next = events[i + 1];
    if (event.type === "joined" && next?.node === event.node && next.at === event.at) continue;
    if (alive.size === wanted.size) return event.at;
  }
  return null;
}

/** Full membership timed from the event logs, or why it could not be. */
export type MembershipFromLogs =
  | { ms: number; lastNode: string; perNodeMs: Record<string, number> }
  | { ms: null; reason: string };

/**
 * From `since` (the bootstrap request) to when every node's log showed every other node
 * alive: per node, the first moment its log holds all the others alive; the figure is the
 * latest of those. A log holding `capacity` events may have lost its oldest (the ring is
 * full), so it cannot say when its node first knew everyone: the figure is then null, with
 * the reason, and the caller falls back to the polled time.
 */
export function fullMembershipFromLogs(
  logs: ReadonlyMap<string, readonly SequencedEvent[]>,
  names: readonly string[],
  since: number,
  capacity: number,
): MembershipFromLogs {
  if (names.length < 2) return { ms: null, reason: "one node: no other to learn of" };
  const perNodeMs: Record<string, number> = {};
  let ms = 0;
  let lastNode = names[0] ?? "";
  for (const node of names) {
    const events = logs.get(node);
    if (!events) return { ms: null, reason: `no event log read from ${node}` };
    if (events.length >= capacity) {
      return { ms: null, reason: `${node}'s log is full (${events.length} events): its first may be lost` };
    }
    const at = allAliveAt(
      events,
      names.filter((name) => name !== node),
    );
    if (at === null) return { ms: null, reason: `${node}'s log never shows every other node alive` };
    const took = Math.max(0, at - since);
    perNodeMs[node] = took;
    if (took >= ms) {
      ms = took;
      lastNode = node;
    }
  }
  return { ms, lastNode, perNodeMs };
}
