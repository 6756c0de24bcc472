/**
 * The watch protocol's facts, declared once: the WebSocket a node holds for each watcher
 * (`GET .../nodes/:node/watch`), its keepalive text, its close codes, its cap, and the shape of
 * a sequence number. The node (watchers.ts), the API (the route, the SSE relay, blocking
 * members queries), the docs, the tests and the bench all read them from here.
 */

/** Sent by a watcher as a keepalive; answered by the runtime without waking the node. */
export const WATCH_PING = "ping";
/** The runtime's answer to WATCH_PING. */
export const WATCH_PONG = "pong";

/** The tag every watcher's socket carries in `ctx.acceptWebSocket` (and `getWebSockets`). */
export const WATCH_TAG = "watch";

/** Watchers one node holds at once, unless MAX_WATCHERS_PER_NODE says otherwise. */
export const DEFAULT_MAX_WATCHERS = 256;

/** The cap a node runs with: MAX_WATCHERS_PER_NODE (a positive integer) or the default. */
export function maxWatchers(configured: string | undefined): number {
  const value = Number(configured);
  return configured !== undefined && Number.isInteger(value) && value > 0 ? value : DEFAULT_MAX_WATCHERS;
}

/** Why a node closes its watchers: a WebSocket close code (4000-4999 are the application's) each. */
export const WATCH_CLOSE = {
  /** The node was stopped (fault injection): reconnect to follow it once it starts again. */
  stopped: { code: 4001, reason: "node stopped" },
  /** The node left the cluster gracefully. */
  left: { code: 4002, reason: "node left" },
  /** The node was deregistered: it no longer exists. */
  deregistered: { code: 4003, reason: "node deregistered" },
} as const;

export type WatchCloseReason = keyof typeof WATCH_CLOSE;

/** A sequence number as a query parameter or Last-Event-ID: a non-negative integer. */
export const SEQ_PATTERN = /^[0-9]{1,16}$/;

/** Parses `?since=`: null when absent (live events only), a number, or undefined when malformed. */
export function parseSince(value: string | null): number | null | undefined {
  if (value === null) return null;
  return SEQ_PATTERN.test(value) ? Number(value) : undefined;
}
