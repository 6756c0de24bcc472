/**
 * `GET /v1/clusters/:cluster/metrics`: Prometheus text for one page of the cluster's nodes
 * (see metrics-text.ts for the series), read auth as other reads.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { authorize } from "../auth.js";
import { SUMMARY_MAX_LIMIT } from "../convergence.js";
import { cachedMetrics, METRICS_CACHE_MS } from "../metrics.js";
import { METRICS_CONTENT_TYPE } from "../metrics-text.js";
import { createApp, pick, readSecurity } from "../openapi.js";
import { ClusterParams, SummaryQuery } from "../schemas.js";

const MetricsQuery = SummaryQuery.pick({ limit: true, cursor: true });

export const metricsRoutes = createApp();

metricsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/metrics",
    tags: ["clusters"],
    operationId: "getClusterMetrics",
    summary: "Prometheus metrics of a page of the cluster's nodes",
    description: `Text format 0.0.4. Per node (labels cluster, node, region): \`hearsay_node_*_total\` counters (rounds, wakes, probes sent and failed, indirect probes, suspicions raised, refutations, pushes, forwards, bytes sent and received, rows written, rejected messages, storage errors) and gauges (\`hearsay_node_members{status}\`, \`hearsay_node_wake_rounds\`, \`hearsay_node_agents_hosted\`, \`hearsay_node_running\`); per cluster \`hearsay_cluster_registered_nodes\`, \`hearsay_cluster_converged\` and \`hearsay_cluster_fingerprints\` over the page. Built from the nodes' briefs, at most ${SUMMARY_MAX_LIMIT} nodes a page as the summary is (\`limit\`, \`cursor\`): scrape each page of a larger cluster as its own target. Reused by the Worker for ${METRICS_CACHE_MS / 1000} s.`,
    middleware: [authorize] as const,
    security: readSecurity,
    request: { params: ClusterParams, query: MetricsQuery },
    responses: {
      200: {
        description: "The metrics.",
        content: {
          "text/plain": {
            schema: z
              .string()
              .openapi({ example: 'hearsay_node_rounds_total{cluster="demo",node="n0",region=""} 42' }),
          },
        },
      },
      ...pick(400, 401, 403, 404),
    },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const query = c.req.valid("query");
    const limit = query.limit === undefined ? SUMMARY_MAX_LIMIT : Number(query.limit);
    const text = await cachedMetrics(c.env, cluster, {
      limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return c.text(text, 200, { "Content-Type": METRICS_CONTENT_TYPE });
  },
);
