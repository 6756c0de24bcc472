/**
 * `GET .../events`: a node's membership and state changes as server-sent events.
 * Polls the node's `events(since)` every 500 ms (or, with `?follow=false`, reads it once and
 * ends), resumes after `Last-Event-ID` (or `?since=`),
 * sends a comment every 15 s so proxies keep the connection, and frees its slot and stops
 * polling as soon as the client is seen to go (the request's abort signal, or the body
 * cancelled; under `wrangler dev` neither arrives, see docs/operations.md). Each poll is a subrequest, so a stream ends itself after 5 minutes (600
 * polls, under every plan's subrequest limit); EventSource reconnects and resumes by itself.
 * Streams are capped per node (429 `too_many_streams`) and share their polls (stream-hub.ts).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { type SSEMessage, streamSSE } from "hono/streaming";
import type { EventsPage } from "../../node/rpc-types.js";
import { authorize } from "../auth.js";
import { apiError, toErrorResponse } from "../errors.js";
import { createApp, errors, pick, readSecurity } from "../openapi.js";
import { isRegistered } from "../registry-cache.js";
import { EventsQuery, NodeParams } from "../schemas.js";
import { maxStreamsPerNode, openStream, sharedPoll } from "../stream-hub.js";
import { nodeStub } from "../stubs.js";

export const POLL_INTERVAL_MS = 500;
export const KEEPALIVE_MS = 15_000;
export const MAX_STREAM_MS = 5 * 60_000;
/** Client reconnect delay sent as the SSE `retry` field. */
export const RETRY_MS = 1_000;

export const eventRoutes = createApp();

eventRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/nodes/{node}/events",
    tags: ["nodes"],
    summary: "Server-sent events of membership and state changes seen by one node",
    description:
      "Each event has `id` (its sequence number), `event` (joined, alive, suspect, dead, left, forgotten, restarted or state) and `data` (JSON: type, node, generation, at, keys for state, seq). Reconnecting with `Last-Event-ID` resumes after that event. With `follow=false` the stream sends the events the node holds now and ends. A comment line is sent every 15 s; a stream closes after 5 minutes and EventSource reconnects. A node error ends the stream with an `error` event whose data is the API error body.",
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
      429: { ...errors[429], description: "This node already has the most event streams open (default 32)." },
    },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    if (!(await isRegistered(c.env, cluster, node)))
      throw apiError("not_found", `node ${node} of cluster ${cluster} does not exist`);
    const stub = nodeStub(c.env, cluster, node);
    const query = c.req.valid("query");
    let since = startPosition(c.req.header("Last-Event-ID"), query.since);
    const follow = query.follow !== "false";
    const key = `${cluster}/${node}`;
    const cap = maxStreamsPerNode(c.env.MAX_STREAMS_PER_NODE);
    const release = openStream(key, cap);
    if (!release)
      throw apiError("too_many_streams", `node ${node} already has ${cap} event streams open; retry later`);

    // The slot is freed the moment the client is seen to go: the request's signal
    // (enable_request_signal) or the response body cancelled, whichever comes first.
    const left = goneSignal(c.req.raw.signal);
    left.promise.then(release);
    return streamSSE(c, async (stream) => {
      stream.onAbort(left.fire);
      try {
        await (follow ? pollInto(stream) : sendHeld(stream));
      } finally {
        release();
      }
    });

    type Stream = Parameters<Parameters<typeof streamSSE>[1]>[0];

    /** Writes to the stream; a write waits while the reader does not read, until the client goes. */
    function sender(stream: Stream): (message: string | SSEMessage) => Promise<void> {
      return (message) =>
        Promise.race([
          typeof message === "string" ? stream.write(message) : stream.writeSSE(message),
          left.promise,
        ]).then(() => undefined);
    }

    /**
     * Reads a page of the node's log with `read` and sends its events: the page, or null when
     * the node failed (an `error` event says why) or the client went.
     */
    async function relay(stream: Stream, read: () => Promise<EventsPage>): Promise<EventsPage | null> {
      const send = sender(stream);
      let page: EventsPage;
      try {
        page = await read();
      } catch (error) {
        await send({ event: "error", data: JSON.stringify(toErrorResponse(error).body) });
        return null;
      }
      for (const event of page.events) {
        if (left.gone()) return null;
        await send({ id: String(event.seq), event: event.type, data: JSON.stringify(event) });
      }
      return page;
    }

    /** `follow=false`: one fresh read of what the node holds, sent, and the stream ends. */
    async function sendHeld(stream: Stream): Promise<void> {
      await relay(stream, () => stub.events(since));
    }

    async function pollInto(stream: Stream): Promise<void> {
      const send = sender(stream);
      const started = Date.now();
      let lastWrite = started;
      await send(`retry: ${RETRY_MS}\n\n`);
      while (!left.gone() && Date.now() - started < MAX_STREAM_MS) {
        const page = await relay(stream, () =>
          sharedPoll(key, since, POLL_INTERVAL_MS, (from) => stub.events(from)),
        );
        if (page === null) return;
        if (page.events.length > 0) lastWrite = Date.now();
        since = page.next;
        if (Date.now() - lastWrite >= KEEPALIVE_MS) {
          await send(": keep-alive\n\n");
          lastWrite = Date.now();
        }
        await Promise.race([stream.sleep(POLL_INTERVAL_MS), left.promise]);
      }
    }
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
  if (lastEventId !== undefined && /^[0-9]{1,16}$/.test(lastEventId.trim()))
    return Number(lastEventId.trim());
  return since === undefined ? 0 : Number(since);
}
