/**
 * The cluster summary, shared by `GET /v1/clusters/:cluster`: a page of the cluster's
 * registered nodes, each asked for its brief (counts and a fingerprint, never the view), and
 * whether they agree (convergence.ts). Pages are kept in this isolate for a second, as their
 * JSON text with a strong ETag, within a byte budget (SUMMARY_CACHE_LIMITS), so a dashboard
 * or a crowd polling the summary costs the mesh one fan-out per page per isolate per second,
 * and a poll in between is answered from memory (a 304 when its If-None-Match matches). A
 * change made through this isolate's API drops the cluster's pages (app.ts), so a client
 * reads its own writes.
 */
import type { Env } from "../env.js";
import { readBriefPage } from "./brief-page.js";
import { SUMMARY_MAX_LIMIT, summarizeCluster, summarizeNode } from "./convergence.js";
import { strongEtag } from "./etags.js";
import { type CachedJson, ClusterAnswers, jsonBytes, type TtlCacheLimits } from "./ttl-cache.js";

/** How long this isolate reuses a summary page, ms. */
export const SUMMARY_CACHE_MS = 1_000;

/** What this isolate keeps of summary pages (a page of 40 briefs is about 20 KB; digests add more). */
export const SUMMARY_CACHE_LIMITS: TtlCacheLimits = {
  maxBytes: 4 * 1024 * 1024,
  maxEntryBytes: 1024 * 1024,
  maxEntries: 500,
};

export interface SummaryRequest {
  withDigest: boolean;
  limit: number;
  cursor?: string;
}

const recent = new ClusterAnswers<CachedJson>(SUMMARY_CACHE_LIMITS, SUMMARY_CACHE_MS, jsonBytes);

/** Forgets the cluster's summary pages (this isolate just changed something in it). */
export function forgetSummaries(cluster: string): void {
  recent.forget(cluster);
}

/** A summary page, from this isolate's cache while it is fresh. */
export async function cachedSummary(env: Env, cluster: string, request: SummaryRequest): Promise<CachedJson> {
  const asked = [request.withDigest, request.limit, request.cursor ?? null];
  return recent.get(cluster, asked, async () => {
    const json = JSON.stringify(await summaryPage(env, cluster, request));
    return { json, etag: await strongEtag(json) };
  });
}

/** Asks each node of the page for its brief (brief-page.ts) and says whether they agree. */
async function summaryPage(env: Env, cluster: string, { withDigest, limit, cursor }: SummaryRequest) {
  const page = await readBriefPage(env, cluster, {
    limit: Math.min(limit, SUMMARY_MAX_LIMIT),
    withDigest,
    ...(cursor === undefined ? {} : { cursor }),
  });
  const nodes = page.nodes.map(({ node, brief, error }) => summarizeNode(node, brief, error));
  return summarizeCluster(cluster, nodes, Date.now(), {
    registered: page.registered,
    limit,
    next: page.next,
  });
}
