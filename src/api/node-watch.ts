/**
 * The Worker as a watcher of a node: one WebSocket to the node's own watch (the node holds it
 * through the Hibernation API; see node/watchers.ts), opened with `stub.fetch(upgrade)` and
 * accepted here. The SSE relay (routes/events.ts) and blocking members queries
 * (members-wait.ts) read changes from it instead of polling the node. A node that refuses
 * (full, never configured) answers its NodeError as JSON, thrown here so the API answers it as
 * it answers the same error over RPC.
 */
import type { Env } from "../env.js";
import type { SequencedEvent } from "../node/rpc-types.js";
import { WATCH_CLOSE } from "../node/watch-protocol.js";
import type { ErrorCode } from "./errors.js";
import { knownNode } from "./registry-cache.js";

/** The request the node's `fetch` takes for a watch (any host: the stub routes it). */
export function watchRequest(since: number | null): Request {
  const url = new URL("https://node/watch");
  if (since !== null) url.searchParams.set("since", String(since));
  return new Request(url, { headers: { Upgrade: "websocket" } });
}

/** A node's refusal of a watch, as the error its RPC would have thrown (see readNodeError). */
export async function watchRefusal(response: Response): Promise<Error> {
  const body = (await response.json().catch(() => null)) as {
    error?: { code?: string; message?: string };
  } | null;
  const { code = "internal", message = `the node answered a watch with ${response.status}` } =
    body?.error ?? {};
  return new Error(`${code}: ${message}`);
}

/** How each of the node's close codes reads as an API error (an SSE stream's last `error` event). */
const CLOSE_ERRORS: Record<number, ErrorCode> = {
  [WATCH_CLOSE.stopped.code]: "node_stopped",
  [WATCH_CLOSE.left.code]: "node_left",
  [WATCH_CLOSE.deregistered.code]: "not_found",
};

export interface NodeWatch {
  /** Resolves when the node closes the socket: with the API error that says why, or null. */
  readonly closed: Promise<{ code: ErrorCode; message: string } | null>;
  /** Each event the node sends, with its JSON text as sent. */
  onEvent(listener: (event: SequencedEvent, text: string) => void): void;
  close(): void;
}

/** Opens a watch on a registered node (404 when the registry does not list it). */
export async function openWatch(
  env: Env,
  cluster: string,
  node: string,
  since: number | null,
): Promise<NodeWatch> {
  const stub = await knownNode(env, cluster, node);
  const response = await stub.fetch(watchRequest(since));
  const socket = response.webSocket;
  if (!socket) throw await watchRefusal(response);
  socket.accept();
  const listeners: Array<(event: SequencedEvent, text: string) => void> = [];
  socket.addEventListener("message", (message) => {
    if (typeof message.data !== "string") return;
    const event = JSON.parse(message.data) as SequencedEvent;
    for (const listener of listeners) listener(event, message.data);
  });
  const closed = new Promise<{ code: ErrorCode; message: string } | null>((resolve) => {
    socket.addEventListener("close", (event) => {
      const code = CLOSE_ERRORS[event.code];
      resolve(code ? { code, message: `node ${node}: ${event.reason}` } : null);
    });
    socket.addEventListener("error", () => resolve(null));
  });
  return {
    closed,
    onEvent: (listener) => {
      listeners.push(listener);
    },
    close: () => {
      try {
        socket.close(1000, "watch ended");
      } catch {
        // Already closed.
      }
    },
  };
}
