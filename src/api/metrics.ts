/**
 * The metrics of a page of a cluster's nodes (series in metrics-text.ts), read by
 * brief-page.ts and kept in this isolate for METRICS_CACHE_MS, as members pages are, so
 * scrapers from many places cost the mesh one fan-out per page per isolate in that time.
 */
import type { Env } from "../env.js";
import { readBriefPage } from "./brief-page.js";
import { IsolateCache } from "./isolate-cache.js";
import { renderMetrics } from "./metrics-text.js";

/** How long this isolate reuses a metrics page, ms. */
export const METRICS_CACHE_MS = 1_000;

const pages = new IsolateCache<string>(METRICS_CACHE_MS, 500);

/** The metrics text of a page, from this isolate's cache when it is fresh. */
export async function cachedMetrics(
  env: Env,
  cluster: string,
  options: { limit: number; cursor?: string },
): Promise<string> {
  const key = JSON.stringify([cluster, options.limit, options.cursor ?? null]);
  const hit = pages.get(key);
  if (hit !== undefined) return hit;
  return pages.set(key, renderMetrics(cluster, await readBriefPage(env, cluster, options)));
}
