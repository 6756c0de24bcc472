/**
 * `GET /v1/clusters/:cluster/members`: the directory, answered by one running node's view,
 * filtered and paged. Its ETag fingerprints the page (not the clock), so a client polling with
 * `If-None-Match` gets 304 until membership or state changes; caches may keep it briefly.
 * With `?index=<etag>` (and `wait=`) the query blocks until the page changes (members-wait.ts).
 */
import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { etag } from "hono/etag";
import { authorize } from "../auth.js";
import { cachedMembers, checkMembersQuery } from "../directory-query.js";
import { apiError } from "../errors.js";
import { waitForChange } from "../members-wait.js";
import { type AppEnv, createApp, jsonResponse, pick, readSecurity } from "../openapi.js";
import { MembersPageSchema } from "../responses.js";
import { ClusterParams, MembersQueryParams, membersQueryFromParams } from "../schemas.js";
import { MEMBERS_WAIT_MAX_MS, parseWait } from "../wait-duration.js";

/** How long a client or shared cache may reuse a members page, seconds. */
export const MEMBERS_MAX_AGE_SECONDS = 2;

/** Short caching: shared caches only when reads are public (no READ_TOKEN). On 304s too. */
const cacheFor: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.res.status === 200 || c.res.status === 304) {
    const scope = c.env.READ_TOKEN ? "private" : "public";
    c.res.headers.set("Cache-Control", `${scope}, max-age=${MEMBERS_MAX_AGE_SECONDS}`);
  }
};

export const memberRoutes = createApp();

memberRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/members",
    tags: ["clusters"],
    operationId: "listMembers",
    summary: "The cluster's directory: members as one running node sees them, filtered and paged",
    description:
      "Answered by the node named in `from`, else by a running node chosen at random. Members are sorted by name. Each carries no heartbeat or phi, so the ETag changes only when membership or state changes; `If-None-Match` answers 304. A page may be up to a second old (the Worker reuses it), and clients may cache it for two. A blocking query (`index` = the ETag held, `wait` = how long) answers as soon as the page differs (200, with its new ETag), or 304 when the wait ends; the Worker waits on the answering node's watch, not by polling.",
    middleware: [authorize, cacheFor, etag()] as const,
    security: readSecurity,
    request: { params: ClusterParams, query: MembersQueryParams },
    responses: {
      200: jsonResponse(MembersPageSchema, "One page of members."),
      304: { description: "Not modified since the ETag in If-None-Match." },
      ...pick(400, 401, 404, 409),
      503: { ...pick(503)[503], description: "No running node of the cluster answered." },
    },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const params = c.req.valid("query");
    const query = checkMembersQuery(membersQueryFromParams(params));
    if (params.wait !== undefined && params.index === undefined)
      throw apiError("invalid_request", "query.wait: wait needs index, the ETag of the page to wait on");
    if (params.index !== undefined) {
      const waitMs = params.wait === undefined ? MEMBERS_WAIT_MAX_MS : (parseWait(params.wait) ?? 0);
      const { changed, entry } = await waitForChange(c.env, cluster, query, params.index, waitMs);
      c.header("ETag", entry.etag);
      if (!changed) return c.body(null, 304);
      return c.body(entry.json, 200, { "Content-Type": "application/json" });
    }
    const { etag, json } = await cachedMembers(c.env, cluster, query);
    c.header("ETag", etag);
    // The page as JSON text, made once per cached page, not once per request.
    return c.body(json, 200, { "Content-Type": "application/json" });
  },
);
