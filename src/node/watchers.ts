/**
 * A node's watchers: WebSockets it holds itself through the Hibernation API, one per client of
 * `GET .../nodes/:node/watch` (or per SSE stream the Worker relays). Each event the node records
 * is sent to every watcher as it is recorded, in the events stream's shape (with `seq`); a
 * watcher that asked `?since=seq` first gets the events held after it. Keepalive pings are
 * answered by the runtime (`setWebSocketAutoResponse`), so they neither wake nor bill the node.
 * The cap is global per node: the sockets the runtime holds for it (`getWebSockets`), which
 * survive hibernation, as does each socket's attachment (the last seq it was sent, so nothing
 * is sent twice). The protocol's facts are in watch-protocol.ts.
 */
import { NodeError } from "./node-error.js";
import type { EventsPage, SequencedEvent } from "./rpc-types.js";
import {
  maxWatchers,
  parseSince,
  WATCH_CLOSE,
  WATCH_PING,
  WATCH_PONG,
  WATCH_TAG,
  type WatchCloseReason,
} from "./watch-protocol.js";

/** What each socket keeps across hibernation (a few dozen bytes, far under the 16 KiB allowed). */
interface WatchAttachment {
  openedAt: number;
  /** The highest seq this watcher was sent (or had covered by its replay): later ones only. */
  lastSeq: number;
}

export class Watchers {
  /** Watchers this node accepts at once; tests lower it through `runInDurableObject`. */
  cap: number;

  constructor(
    private readonly ctx: DurableObjectState,
    configuredCap: string | undefined,
  ) {
    this.cap = maxWatchers(configuredCap);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(WATCH_PING, WATCH_PONG));
  }

  /** Watchers open now, those held across a hibernation included. */
  get count(): number {
    return this.ctx.getWebSockets(WATCH_TAG).length;
  }

  /**
   * Takes a watcher from an upgrade request: the 101 answer, with the events held after
   * `?since=` already on the socket (none without it: live events only). Throws a NodeError
   * (nothing accepted) for a request that is no upgrade, a malformed `since` or a full node.
   * Synchronous from the replay to the accept, so no event falls between them.
   */
  accept(request: Request, held: (since: number) => EventsPage): Response {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket")
      throw new NodeError("upgrade_required", "watch is a WebSocket: send Upgrade: websocket");
    const since = parseSince(new URL(request.url).searchParams.get("since"));
    if (since === undefined) throw new NodeError("invalid_value", "since must be a non-negative integer");
    if (this.count >= this.cap)
      throw new NodeError("too_many_watchers", `this node already has ${this.cap} watchers; retry later`);
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [WATCH_TAG]);
    let lastSeq = 0;
    if (since !== null) {
      const page = held(since);
      for (const event of page.events) server.send(JSON.stringify(event));
      lastSeq = page.next;
    }
    const attachment: WatchAttachment = { openedAt: Date.now(), lastSeq };
    server.serializeAttachment(attachment);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends freshly recorded events to every watcher, each once. */
  send(events: readonly SequencedEvent[]): void {
    if (events.length === 0) return;
    const sockets = this.ctx.getWebSockets(WATCH_TAG);
    if (sockets.length === 0) return;
    const texts = events.map((event) => JSON.stringify(event));
    for (const socket of sockets) {
      const attachment = socket.deserializeAttachment() as WatchAttachment | null;
      const after = attachment?.lastSeq ?? 0;
      let last = after;
      try {
        events.forEach((event, i) => {
          if (event.seq <= after) return;
          socket.send(texts[i] as string);
          last = event.seq;
        });
      } catch {
        // The socket is closing; the runtime drops it from getWebSockets.
      }
      if (last !== after) socket.serializeAttachment({ openedAt: attachment?.openedAt ?? 0, lastSeq: last });
    }
  }

  /** Closes every watcher with the close code that says why (watch-protocol.ts). */
  closeAll(why: WatchCloseReason): void {
    const { code, reason } = WATCH_CLOSE[why];
    for (const socket of this.ctx.getWebSockets(WATCH_TAG)) {
      try {
        socket.close(code, reason);
      } catch {
        // Already closing.
      }
    }
  }

  /** A watcher closed its end: close ours (a no-op where the runtime already replied). */
  closed(socket: WebSocket, code: number, reason: string): void {
    try {
      socket.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }
}
