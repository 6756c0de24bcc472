/**
 * The members query, shared by `GET .../members` and the service binding: check the query,
 * ask one node (one-node.ts), and fingerprint the page for its ETag. Pages are kept in this
 * isolate for a second, with their JSON text, so a crowd polling the directory costs the mesh one call per query per
 * isolate per second, and each request in between is answered from memory (a 304 when its
 * If-None-Match is the page's ETag).
 */
import type { Env } from "../env.js";
import type { MembersPage, MembersQuery } from "../node/members-query.js";
import { askOneNode } from "./one-node.js";
import { parseInput } from "./openapi.js";
import { MembersQueryInput } from "./schemas.js";

/** How long this isolate reuses a page, ms (under the Cache-Control max-age clients get). */
export const MEMBERS_CACHE_MS = 1_000;
/** Pages kept per isolate (oldest dropped first). */
const MEMBERS_CACHE_ENTRIES = 500;

/** A page, its ETag and its JSON text: a hit is answered without an RPC or a serialisation. */
export interface CachedPage {
  page: MembersPage;
  etag: string;
  json: string;
}

interface Cached extends CachedPage {
  until: number;
}

const recent = new Map<string, Cached>();

/**
 * A page and its ETag, from this isolate's cache when it is fresh. Only plain data is shared
 * between requests (never a promise or a stream, which belong to the request that made them).
 */
export async function cachedMembers(
  env: Env,
  cluster: string,
  query: MembersQuery & { from?: string },
): Promise<CachedPage> {
  const key = JSON.stringify([cluster, query]);
  const hit = recent.get(key);
  const now = Date.now();
  if (hit && hit.until > now) return hit;
  const page = await queryMembers(env, cluster, query);
  const json = JSON.stringify(page);
  const entry = { page, json, etag: await membersEtag(page), until: Date.now() + MEMBERS_CACHE_MS };
  recent.delete(key);
  recent.set(key, entry);
  while (recent.size > MEMBERS_CACHE_ENTRIES) recent.delete(recent.keys().next().value as string);
  return entry;
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
  const text = JSON.stringify([page.cluster, page.members, page.next]);
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `"${hex}"`;
}
