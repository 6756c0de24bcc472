/**
 * `GET .../events`: a node's membership and state changes as server-sent events, relayed from
 * one WebSocket to the node's own watch (node-watch.ts): the Worker is the watcher, so an idle
 * stream makes no request to the node, and the cap is the node's (429 `too_many_watchers`,
 * counted over every isolate). With `?follow=false` it reads the node's log once and ends.
 * Resumes after `Last-Event-ID` (or `?since=`), sends a comment every 15 s so proxies keep the
 * connection, and closes the watch as soon as the client is seen to go (the request's abort
 * signal, or the body cancelled; under `wrangler dev` neither arrives, see
 * docs/operations.md). A stream ends itself after 5 minutes; EventSource reconnects and
 * resumes by itself. A node that stops, leaves or is deregistered ends the stream with an
 * `error` event saying so.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { type SSEMessage, streamSSE } from "hono/streaming";
import type { EventsPage } from "../../node/rpc-types.js";
import { SEQ_PATTERN } from "../../node/watch-protocol.js";
import { authorize } from "../auth.js";
import { errorBody, toErrorResponse } from "../errors.js";
import { openWatch } from "../node-watch.js";
import { createApp, errors, pick, readSecurity } from "../openapi.js";
import { knownNode } from "../registry-cache.js";
import { EventsQuery, NodeParams } from "../schemas.js";
import { KEEPALIVE_MS, MAX_STREAM_MS, RETRY_MS } from "../stream-limits.js";

export const eventRoutes = createApp();

eventRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/nodes/{node}/events",
    tags: ["nodes"],
    summary: "Server-sent events of membership and state changes seen by one node",
    description:
      "Each event has `id` (its sequence number), `event` (joined, alive, suspect, dead, left, forgotten, restarted or state) and `data` (JSON: type, node, generation, at, keys for state, seq). Reconnecting with `Last-Event-ID` resumes after that event. With `follow=false` the stream sends the events the node holds now and ends. A comment line is sent every 15 s; a stream closes after 5 minutes and EventSource reconnects. A node error, or the node stopping, leaving or being deregistered, ends the stream with an `error` event whose data is the API error body. A followed stream is one of the node's watchers (see `watch`) and counts in its cap.",
    operationId: "streamNodeEvents",
    middleware: [authorize] as const,
    security: readSecurity,
    request: { params: NodeParams, query: EventsQuery },
    responses: {
      200: {
        description: "An event stream.",
        content: { "text/event-stream": { schema: z.string() } },
      },
      ...pick(400, 401, 404),
      429: {
        ...errors[429],
        description: "This node already holds its most watchers (`too_many_watchers`).",
      },
    },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    const query = c.req.valid("query");
    const since = startPosition(c.req.header("Last-Event-ID"), query.since);
    const left = goneSignal(c.req.raw.signal);
    type Stream = Parameters<Parameters<typeof streamSSE>[1]>[0];

    /** Writes to the stream; a write waits while the reader does not read, until the client goes. */
    function sender(stream: Stream): (message: string | SSEMessage) => Promise<void> {
      return (message) =>
        Promise.race([
          typeof message === "string" ? stream.write(message) : stream.writeSSE(message),
          left.promise,
        ]).then(() => undefined);
    }

    if (query.follow === "false") {
      // One fresh read of what the node holds, sent, and the stream ends.
      const stub = await knownNode(c.env, cluster, node);
      return streamSSE(c, async (stream) => {
        stream.onAbort(left.fire);
        const send = sender(stream);
        let page: EventsPage;
        try {
          page = await stub.events(since);
        } catch (error) {
          await send({ event: "error", data: JSON.stringify(toErrorResponse(error).body) });
          return;
        }
        for (const event of page.events) {
          if (left.gone()) return;
          await send({ id: String(event.seq), event: event.type, data: JSON.stringify(event) });
        }
      });
    }

    // Opened before the stream starts, so a full or unknown node answers with its status.
    const watch = await openWatch(c.env, cluster, node, since);
    left.promise.then(watch.close);
    return streamSSE(c, async (stream) => {
      stream.onAbort(left.fire);
      const send = sender(stream);
      let lastWrite = Date.now();
      // Sent one after another, in the order the node sent them.
      let sending = send(`retry: ${RETRY_MS}\n\n`);
      watch.onEvent((event, text) => {
        lastWrite = Date.now();
        sending = sending.then(() => send({ id: String(event.seq), event: event.type, data: text }));
      });
      let ended = false;
      const closed = watch.closed.then((why) => {
        ended = true;
        return why;
      });
      const deadline = Date.now() + MAX_STREAM_MS;
      try {
        while (!left.gone() && !ended && Date.now() < deadline) {
          const wait = Math.min(KEEPALIVE_MS - (Date.now() - lastWrite), deadline - Date.now());
          await Promise.race([stream.sleep(Math.max(wait, 0)), left.promise, closed]);
          if (!ended && Date.now() - lastWrite >= KEEPALIVE_MS) {
            lastWrite = Date.now();
            sending = sending.then(() => send(": keep-alive\n\n"));
          }
        }
        await sending;
        const why = ended ? await closed : null;
        if (why && !left.gone())
          await send({ event: "error", data: JSON.stringify(errorBody(why.code, why.message)) });
      } finally {
        watch.close();
      }
    });
  },
);

/** "The client has gone": fired by the request's abort signal or by hand, once. */
function goneSignal(signal: AbortSignal): { promise: Promise<void>; fire: () => void; gone: () => boolean } {
  let fired = false;
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  const fire = () => {
    fired = true;
    resolve();
  };
  if (signal.aborted) fire();
  else signal.addEventListener("abort", fire, { once: true });
  return { promise, fire, gone: () => fired };
}

/** Where to resume: the Last-Event-ID header if it is a number, else `?since=`, else the start. */
function startPosition(lastEventId: string | undefined, since: string | undefined): number {
  if (lastEventId !== undefined && SEQ_PATTERN.test(lastEventId.trim())) return Number(lastEventId.trim());
  return since === undefined ? 0 : Number(since);
}
