/**
 * The metrics of a page of a cluster's nodes (series in metrics-text.ts), read by
 * brief-page.ts and kept in this isolate for METRICS_CACHE_MS, as members pages are, so
 * scrapers from many places cost the mesh one fan-out per page per isolate in that time.
 */
import type { Env } from "../env.js";
import { readBriefPage } from "./brief-page.js";
import { renderMetrics } from "./metrics-text.js";
import { ClusterAnswers, stringBytes, type TtlCacheLimits } from "./ttl-cache.js";

/** How long this isolate reuses a metrics page, ms. */
export const METRICS_CACHE_MS = 1_000;

/** What this isolate keeps of metrics pages (a page of 40 nodes is some tens of KB of text). */
export const METRICS_CACHE_LIMITS: TtlCacheLimits = {
  maxBytes: 4 * 1024 * 1024,
  maxEntryBytes: 1024 * 1024,
  maxEntries: 500,
};

const pages = new ClusterAnswers<string>(METRICS_CACHE_LIMITS, METRICS_CACHE_MS, stringBytes);

/** The metrics text of a page, from this isolate's cache when it is fresh. */
export function cachedMetrics(
  env: Env,
  cluster: string,
  options: { limit: number; cursor?: string },
): Promise<string> {
  return pages.get(cluster, [options.limit, options.cursor ?? null], async () =>
    renderMetrics(cluster, await readBriefPage(env, cluster, options)),
  );
}
