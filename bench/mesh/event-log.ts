/**
 * Reads each node's membership event log once (the server-sent events stream from the start)
 * and reports the (observer, live node) pairs where a live node was ever declared suspect or
 * dead: false suspicions that polling views between rounds could miss.
 */
import { mapLimit } from "../../src/api/concurrency.js";
import type { SequencedEvent } from "../../src/node/rpc-types.js";
import { SseReader } from "../../test/support/sse.js";
import type { HearsayClient } from "./api-client.js";

/** The stream polls the node every 500 ms: a quiet gap this long means the backlog is read. */
const IDLE_MS = 400;
const FIRST_EVENT_MS = 5_000;
const MAX_MESSAGES = 10_000;
const CONCURRENCY = 8;

/** Every event a node has logged so far (its in-memory ring), oldest first. */
export async function readEventLog(
  client: HearsayClient,
  cluster: string,
  node: string,
): Promise<SequencedEvent[]> {
  const body = await client.api.events(cluster, node, {
    since: 0,
    signal: AbortSignal.timeout(FIRST_EVENT_MS + 10_000),
  });
  const reader = new SseReader(body);
  const events: SequencedEvent[] = [];
  try {
    for (let i = 0; i < MAX_MESSAGES; i++) {
      const message = await reader.next(events.length === 0 ? FIRST_EVENT_MS : IDLE_MS).catch(() => null);
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

/** "observer->node" pairs where a node in `live` was logged suspect or dead by a live observer. */
export function falseSuspicionsIn(
  logs: ReadonlyMap<string, SequencedEvent[]>,
  live: ReadonlySet<string>,
): { pairs: string[]; eventsRead: number } {
  const pairs = new Set<string>();
  let eventsRead = 0;
  for (const [observer, events] of logs) {
    if (!live.has(observer)) continue;
    eventsRead += events.length;
    for (const event of events) {
      if ((event.type === "suspect" || event.type === "dead") && live.has(event.node)) {
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
