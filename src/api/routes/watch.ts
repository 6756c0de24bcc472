/**
 * `GET .../nodes/:node/watch`: a WebSocket the node itself holds (Hibernation API), checked here
 * (read auth, the upgrade header, the registry) and handed to the node's `fetch`, which takes
 * it or refuses it (429 `too_many_watchers`, the node's global cap). The protocol (events,
 * ping, close codes) is in node/watch-protocol.ts and docs/api.md.
 */
import { createRoute } from "@hono/zod-openapi";
import { DEFAULT_MAX_WATCHERS, WATCH_CLOSE, WATCH_PING, WATCH_PONG } from "../../node/watch-protocol.js";
import { authorize } from "../auth.js";
import { apiError } from "../errors.js";
import { watchRefusal, watchRequest } from "../node-watch.js";
import { createApp, errors, pick, readSecurity } from "../openapi.js";
import { knownNode } from "../registry-cache.js";
import { ErrorResponse } from "../responses.js";
import { NodeParams, WatchQuery } from "../schemas.js";

export const watchRoutes = createApp();

const closeCodes = Object.values(WATCH_CLOSE)
  .map(({ code, reason }) => `${code} (${reason})`)
  .join(", ");

watchRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/nodes/{node}/watch",
    tags: ["nodes"],
    summary: "A WebSocket of the membership and state changes one node records, as they happen",
    description: `Upgrade: websocket. Each message is one event as JSON text, in the events stream's shape (type, node, generation, at, keys for state, seq). With \`since\`, the events the node holds after it come first. Send \`${WATCH_PING}\` as a keepalive: the answer is \`${WATCH_PONG}\`, from the runtime, without waking the node. The node closes its watchers with ${closeCodes}. At most ${DEFAULT_MAX_WATCHERS} watchers per node (SSE streams included) by default.`,
    operationId: "watchNode",
    middleware: [authorize] as const,
    security: readSecurity,
    request: { params: NodeParams, query: WatchQuery },
    responses: {
      101: { description: "Switching protocols: the WebSocket." },
      ...pick(400, 401, 404),
      426: {
        description: "Not a WebSocket upgrade request.",
        content: { "application/json": { schema: ErrorResponse } },
      },
      429: {
        ...errors[429],
        description: "This node already holds its most watchers (`too_many_watchers`).",
      },
    },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    const { since } = c.req.valid("query");
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket")
      throw apiError("upgrade_required", "watch is a WebSocket: send Upgrade: websocket");
    const stub = await knownNode(c.env, cluster, node);
    const answer = await stub.fetch(watchRequest(since === undefined ? null : Number(since)));
    if (!answer.webSocket) throw await watchRefusal(answer);
    // A fresh response: the node's headers are immutable, and the middleware adds its own.
    return new Response(null, { status: 101, webSocket: answer.webSocket });
  },
);
