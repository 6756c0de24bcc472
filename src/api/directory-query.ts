/**
 * The members query, shared by `GET .../members` and the service binding: check the query,
 * ask one node (one-node.ts), and fingerprint the page for its ETag. Pages are kept in this
 * isolate for a second, with their JSON text, so a crowd polling the directory costs the mesh one call per query per
 * isolate per second, and each request in between is answered from memory (a 304 when its
 * If-None-Match is the page's ETag).
 */
import type { Env } from "../env.js";
import type { MembersPage, MembersQuery } from "../node/members-query.js";
import { strongEtag } from "./etags.js";
import { askOneNode } from "./one-node.js";
import { parseInput } from "./openapi.js";
import { MembersQueryInput } from "./schemas.js";
import { type CachedJson, ClusterAnswers, jsonBytes, type TtlCacheLimits } from "./ttl-cache.js";

/** How long this isolate reuses a page, ms (under the Cache-Control max-age clients get). */
export const MEMBERS_CACHE_MS = 1_000;

/**
 * What this isolate keeps of members pages: 8 MiB in all (an isolate has 128 MB, shared with
 * the summary cache and every request in flight), no page over 1 MiB (a larger one is
 * answered, not kept), 500 pages at most. Bytes are counted as the page's JSON text takes in
 * memory; the page object is parsed again from it on a hit by the service binding.
 */
export const MEMBERS_CACHE_LIMITS: TtlCacheLimits = {
  maxBytes: 8 * 1024 * 1024,
  maxEntryBytes: 1024 * 1024,
  maxEntries: 500,
};

/** A page's ETag and its JSON text. */
export type CachedPage = CachedJson;

const recent = new ClusterAnswers<CachedPage>(MEMBERS_CACHE_LIMITS, MEMBERS_CACHE_MS, jsonBytes);

/** Forgets the cluster's pages (this isolate just changed something in it: its next read is fresh). */
export function forgetMembersPages(cluster: string): void {
  recent.forget(cluster);
}

/** What the members cache holds now (tests check it stays within its budget). */
export function membersCacheSize(): { bytes: number; entries: number } {
  return recent.size();
}

/**
 * A page's JSON text and its ETag, from this isolate's cache when it is fresh. Only plain data
 * is shared between requests (never a promise or a stream, which belong to the request that
 * made them).
 */
export async function cachedMembers(
  env: Env,
  cluster: string,
  query: MembersQuery & { from?: string },
): Promise<CachedPage> {
  return recent.get(cluster, [query], async () => {
    const page = await queryMembers(env, cluster, query);
    return { json: JSON.stringify(page), etag: await membersEtag(page) };
  });
}

/** Checks a members query (object form); a 400 `invalid_request` when it breaks a rule. */
export function checkMembersQuery(input: unknown, where = "query"): MembersQuery & { from?: string } {
  return parseInput(MembersQueryInput, input ?? {}, where);
}

/** Answers a checked query from one node of the cluster. */
export async function queryMembers(
  env: Env,
  cluster: string,
  query: MembersQuery & { from?: string },
): Promise<MembersPage> {
  const { from, ...rest } = query;
  return askOneNode(env, cluster, from, (node) => node.members(rest));
}

/** A strong ETag over what a page says, not when or by whom: it changes with membership or state. */
export async function membersEtag(page: MembersPage): Promise<string> {
  return strongEtag(JSON.stringify([page.cluster, page.members, page.next]));
}
