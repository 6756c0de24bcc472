/**
 * Routes on a whole cluster: bootstrap n0..n{size-1}, a page of nodes per call, and the
 * summary that asks a page of registered nodes for their brief (counts and a view
 * fingerprint, never the view) and says whether they agree. Both fan out to one Durable
 * Object per node with bounded concurrency (see stubs.ts), a page at a time, so each call
 * stays within one invocation's subrequest budget (node/subrequests.ts).
 */
import { createRoute } from "@hono/zod-openapi";
import { etag } from "hono/etag";
import { type GossipConfig, resolveConfig } from "../../core/index.js";
import { mapLimit } from "../../shared/map-limit.js";
import { authorize } from "../auth.js";
import { BOOTSTRAP_PAGE, planBootstrap } from "../bootstrap-plan.js";
import { cachedSummary, SUMMARY_CACHE_MS } from "../cluster-summary.js";
import { SUMMARY_MAX_LIMIT } from "../convergence.js";
import { ApiError, toErrorResponse } from "../errors.js";
import { createApp, jsonBody, jsonResponse, pick, readSecurity, writeSecurity } from "../openapi.js";
import { noteRegistered } from "../registry-cache.js";
import { BootstrapResponse, ClusterSummarySchema } from "../responses.js";
import { BootstrapBody, ClusterParams, SummaryQuery } from "../schemas.js";
import { FAN_OUT_CONCURRENCY, nodeStub } from "../stubs.js";

export const clusterRoutes = createApp();

clusterRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/bootstrap",
    tags: ["clusters"],
    operationId: "bootstrapCluster",
    summary: "Start nodes n0..n{size-1} of a cluster, a page per call",
    description: `Starts (or restarts, with a new generation) nodes n{from}.. of n0..n{size-1}, at most ${BOOTSTRAP_PAGE} per call (one subrequest each, within the Workers Free plan's budget), with the same seeds and config, placed round-robin over \`regions\` (location hints) when given; each node adds itself to the cluster's registry. A cluster of more than ${BOOTSTRAP_PAGE} nodes takes several calls: send the same body again with \`from\` set to the answer's \`next\` until \`next\` is null. \`complete\` is true only when this one call started every node. Seeds and regions follow from the body alone, so every page agrees when only \`from\` changes. Nodes from an earlier, larger bootstrap are left as they are.`,
    middleware: [authorize] as const,
    security: writeSecurity,
    request: {
      params: ClusterParams,
      body: jsonBody(
        BootstrapBody,
        "Cluster size, optional seeds, config, regions and the first node's index.",
      ),
    },
    responses: {
      200: jsonResponse(
        BootstrapResponse,
        "Every node of this call started; `config` is the resolved configuration, `next` where the next call starts.",
      ),
      ...pick(400, 401, 403, 413, 415, 503),
    },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const body = c.req.valid("json");
    const { config } = body;
    const plan = planBootstrap(body);
    const { nodes, seeds, regions } = plan;
    let resolved: GossipConfig | null = null;
    // Every node is tried even when some fail, so one overloaded object does not leave the
    // rest of the page unstarted; the caller then learns exactly which nodes to retry.
    const failed: Array<{ node: string; error: unknown }> = [];
    await mapLimit(nodes, FAN_OUT_CONCURRENCY, async (node) => {
      try {
        const region = regions?.get(node);
        const view = await nodeStub(c.env, cluster, node, region).configure({
          cluster,
          node,
          seeds,
          config,
          ...(region ? { region } : {}),
        });
        resolved ??= { ...view.config };
      } catch (error) {
        failed.push({ node, error });
      }
    });
    noteRegistered(
      cluster,
      nodes.filter((node) => !failed.some((f) => f.node === node)),
    );
    if (failed.length > 0) {
      failed.sort((a, b) => nodes.indexOf(a.node) - nodes.indexOf(b.node));
      throw bootstrapFailure(nodes.length, failed);
    }
    const placed = regions ? { regions: Object.fromEntries(regions) } : {};
    return c.json(
      {
        cluster,
        nodes,
        seeds,
        config: resolved ?? resolveConfig(config),
        ...placed,
        next: plan.next,
        complete: plan.complete,
      },
      200,
    );
  },
);

clusterRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/clusters/{cluster}",
    tags: ["clusters"],
    operationId: "getClusterSummary",
    summary: "Cluster summary: a page of nodes' views in brief, and whether they have converged",
    description: `Asks each registered node on this page (sorted by name; \`limit\` at most ${SUMMARY_MAX_LIMIT}, \`cursor\` from the previous page's \`next\`) for its view in brief: status counts, member count, rounds and a fingerprint of its view by (member, generation, maxVersion, status), ignoring heartbeats and phi. Full views are never read. A node is live when it is configured, running and has not left; a node that cannot be read is listed with \`error\` and is not live. \`converged\` is true when every live node on the page has the fingerprint most of them share; \`differing\` lists those that do not. When \`complete\` (one page holds the whole cluster) that is the cluster's verdict; otherwise sum \`fingerprints\` over the pages: one fingerprint means converged. A page may be up to ${SUMMARY_CACHE_MS / 1000} s old (the Worker reuses it); its ETag answers \`If-None-Match\` with 304.`,
    middleware: [authorize, etag()] as const,
    security: readSecurity,
    request: { params: ClusterParams, query: SummaryQuery },
    responses: {
      200: jsonResponse(ClusterSummarySchema, "The summary."),
      304: { description: "Not modified since the ETag in If-None-Match." },
      ...pick(400, 401, 404),
    },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const query = c.req.valid("query");
    const { json, etag } = await cachedSummary(c.env, cluster, {
      withDigest: query.digests === "true",
      limit: query.limit === undefined ? SUMMARY_MAX_LIMIT : Number(query.limit),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    c.header("ETag", etag);
    c.header(
      "Cache-Control",
      `${c.env.READ_TOKEN ? "private" : "public"}, max-age=${SUMMARY_CACHE_MS / 1000}`,
    );
    // The page as JSON text, made once per cached page, not once per request.
    return c.body(json, 200, { "Content-Type": "application/json" });
  },
);

/**
 * The answer to a bootstrap call in which some of its nodes failed. When every node failed the same way
 * (say, a node error that maps to a 4xx), that error is the answer; otherwise a 503 naming
 * the nodes that failed and why, so the caller knows the others are running.
 */
function bootstrapFailure(total: number, failed: ReadonlyArray<{ node: string; error: unknown }>): ApiError {
  const responses = failed.map(({ node, error }) => ({ node, ...toErrorResponse(error) }));
  const first = responses[0] as (typeof responses)[number];
  if (failed.length === total && responses.every((r) => r.body.error.code === first.body.error.code)) {
    return new ApiError(first.status, first.body.error.code, first.body.error.message);
  }
  const shown = responses
    .slice(0, 10)
    .map((r) => `${r.node} (${r.body.error.code}: ${r.body.error.message})`);
  const more = responses.length > shown.length ? `, and ${responses.length - shown.length} more` : "";
  return new ApiError(
    503,
    "bootstrap_incomplete",
    `${total - failed.length} of ${total} nodes started; failed: ${shown.join(", ")}${more}. ` +
      "The started nodes are running; repeat this call (the same body and `from`) to start the rest (it restarts every node of this call).",
  );
}
