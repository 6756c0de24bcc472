/**
 * One page of a cluster's nodes in brief (node-brief.ts), for the summary and the metrics:
 * the registered nodes sorted by name, `limit` after `cursor`, one brief call each with
 * bounded concurrency, within one request's subrequest budget (see convergence.ts). A node
 * that cannot be read is listed with its error, never hidden.
 */
import type { Env } from "../env.js";
import { mapLimit } from "../shared/map-limit.js";
import type { BriefPage } from "./convergence.js";
import { ApiError, toErrorResponse } from "./errors.js";
import { clusterNodes } from "./registry-cache.js";
import { FAN_OUT_CONCURRENCY, nodeStub } from "./stubs.js";

/** Reads a page of briefs; 404 `not_found` when the cluster has no registered node. */
export async function readBriefPage(
  env: Env,
  cluster: string,
  options: { limit: number; cursor?: string; withDigest?: boolean },
): Promise<BriefPage> {
  const { limit, cursor } = options;
  const names = await clusterNodes(env, cluster);
  if (names.length === 0) throw new ApiError(404, "not_found", `cluster ${cluster} has no registered nodes`);
  const rest = cursor === undefined ? names : names.filter((name) => name > cursor);
  const page = rest.slice(0, limit);
  const next = rest.length > limit ? (page.at(-1) as string) : null;
  const nodes = await mapLimit(page, FAN_OUT_CONCURRENCY, async (node) => {
    try {
      return { node, brief: await nodeStub(env, cluster, node).brief(options.withDigest === true) };
    } catch (error) {
      // One unreadable node must not hide the others: report it.
      const { body } = toErrorResponse(error);
      return { node, brief: null, error: `${body.error.code}: ${body.error.message}` };
    }
  });
  return { registered: names.length, limit, next, nodes };
}
