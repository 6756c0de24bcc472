/**
 * The watch bench's arithmetic, pure: latency percentiles, the requests idle subscribers cost
 * the nodes (from the nodes' own counters read before and after a window), and dollars per
 * subscriber-month at list prices (cost-model.ts's PRICES). Tests feed it hand-made numbers.
 */
import { PRICES, SECONDS_PER_MONTH } from "../cost-model.js";

/** The p-th percentile (0..100) of `values`, nearest rank; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** The counters of one node this bench reads (a subset of NodeCounters). */
export interface WatchCounters {
  rpcCallsAnswered: number;
  peerCallsAnswered: number;
  watchersAccepted: number;
  watchMessagesReceived: number;
}

export interface IdleRequests {
  /** Requests the nodes answered from anyone but their peers, the bench's own reads excluded. */
  apiCalls: number;
  /** Messages from watchers the nodes handled (keepalive pings are answered by the runtime, unseen). */
  watchMessages: number;
  /** Watchers accepted in the window (reconnects). */
  connects: number;
  /** Billed DO requests: calls, connects and messages at 20:1. */
  billed: number;
  /** Nodes whose counters went back (a wake-up reset them): their window is not counted. */
  resetNodes: number;
}

/**
 * What the nodes answered between two reads of their counters, less the reading itself: each
 * node is read once before and once after, and the later read counts itself.
 */
export function idleRequests(
  before: readonly WatchCounters[],
  after: readonly WatchCounters[],
): IdleRequests {
  let apiCalls = 0;
  let watchMessages = 0;
  let connects = 0;
  let resetNodes = 0;
  before.forEach((b, i) => {
    const a = after[i] as WatchCounters;
    const api = a.rpcCallsAnswered - a.peerCallsAnswered - (b.rpcCallsAnswered - b.peerCallsAnswered) - 1;
    if (a.rpcCallsAnswered < b.rpcCallsAnswered) {
      resetNodes++;
      return;
    }
    apiCalls += api;
    watchMessages += a.watchMessagesReceived - b.watchMessagesReceived;
    connects += a.watchersAccepted - b.watchersAccepted;
  });
  // A connect is a call the node answered (its fetch): it is in apiCalls already.
  return { apiCalls, watchMessages, connects, billed: apiCalls + watchMessages / 20, resetNodes };
}

export interface SubscriberMonth {
  /** Billed DO requests per subscriber-month. */
  doRequests: number;
  /** Worker requests per subscriber-month (each connect, or each SSE stream, is one). */
  workerRequests: number;
  dollars: number;
}

/**
 * Dollars per subscriber-month, allowances ignored: the DO requests measured per idle
 * subscriber-second, plus one connect (a Worker request and a DO request) per `connectEveryMs`
 * (an SSE stream ends itself and reconnects; a WebSocket may stay open for as long as it holds),
 * plus a keepalive ping every `pingEveryMs` billed as an incoming message (20:1): the runtime
 * answers it without waking the node, and whether such a message is billed the platform's
 * pricing page does not say, so it is counted, as an upper bound.
 * Idle hibernatable objects are not billed for duration (platform docs; not measurable locally).
 */
export function perSubscriberMonth(
  idleDoRequestsPerSecond: number,
  connectEveryMs: number | null,
  pingEveryMs: number | null = null,
): SubscriberMonth {
  const connects = connectEveryMs === null ? 1 : (SECONDS_PER_MONTH * 1000) / connectEveryMs;
  const pings = pingEveryMs === null ? 0 : (SECONDS_PER_MONTH * 1000) / pingEveryMs;
  const doRequests = idleDoRequestsPerSecond * SECONDS_PER_MONTH + connects + pings / 20;
  const workerRequests = connects;
  const dollars =
    (doRequests / 1e6) * PRICES.requestsPerMillion + (workerRequests / 1e6) * WORKER_REQUESTS_PER_MILLION;
  return { doRequests, workerRequests, dollars };
}

/** $ per million Worker requests (Workers Paid, Standard). */
export const WORKER_REQUESTS_PER_MILLION = 0.3;

/** What the relay it replaced cost: a poll of the node twice a second per stream. */
export const POLLED_REQUESTS_PER_STREAM_SECOND = 2;
