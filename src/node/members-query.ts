/**
 * The members query: one node's view of the cluster as a directory, filtered, projected and
 * paged. A pure function over the core's member views, so the Durable Object method is one line
 * and the rules are testable without workerd. The records carry no per-round counters
 * (heartbeat, phi), so a page changes only when membership or state changes.
 */
import type { MemberStatus, MemberView } from "../core/index.js";

/** Page size when `limit` is not given, and the largest one allowed. */
export const MEMBERS_DEFAULT_LIMIT = 100;
export const MEMBERS_MAX_LIMIT = 1000;
/** Most state keys one query may ask for. */
export const MEMBERS_MAX_KEYS = 64;
/** `keys=*` asks for every live key. */
export const ALL_KEYS = "*";

export const MEMBER_KINDS = ["node", "agent"] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number];

/** What a member is, beyond the core's view: filled in by the protocol where it knows more. */
export interface DirectoryFields {
  kind: MemberKind;
  incarnation: number;
  region?: string;
  home?: string;
}

/**
 * The one place that says what a member reports when the core does not know yet: a Durable
 * Object node at incarnation 0, no region, no home. A core view that carries these fields wins.
 */
export function directoryFields(member: MemberView & Partial<DirectoryFields>): DirectoryFields {
  const fields: DirectoryFields = { kind: member.kind ?? "node", incarnation: member.incarnation ?? 0 };
  if (member.region !== undefined) fields.region = member.region;
  if (member.home !== undefined) fields.home = member.home;
  return fields;
}

export interface MembersQuery {
  /** Only members with one of these statuses. */
  status?: MemberStatus[];
  kind?: MemberKind;
  /** State keys to include; `["*"]` for all; none = no state. */
  keys?: string[];
  region?: string;
  limit?: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

export interface DirectoryMember extends DirectoryFields {
  node: string;
  status: MemberStatus;
  generation: number;
  state?: Record<string, string>;
}

export interface MembersPage {
  cluster: string;
  /** The node whose view this is. */
  from: string;
  /** That node's clock when it answered, ms since epoch. */
  at: number;
  members: DirectoryMember[];
  /** Cursor of the next page; null on the last one. */
  next: string | null;
}

/**
 * Filters `view` (sorted by name, as the core gives it), projects each member to its
 * directory record with only the asked keys, and cuts one page after the cursor.
 * Throws a RangeError for a cursor this module did not make.
 */
export function membersPage(
  view: readonly MemberView[],
  query: MembersQuery,
  meta: { cluster: string; from: string; at: number },
): MembersPage {
  const limit = Math.min(Math.max(1, Math.floor(query.limit ?? MEMBERS_DEFAULT_LIMIT)), MEMBERS_MAX_LIMIT);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const statuses = query.status && query.status.length > 0 ? new Set(query.status) : undefined;
  const members: DirectoryMember[] = [];
  let more = false;
  for (const member of view) {
    if (after !== undefined && member.node <= after) continue;
    if (statuses && !statuses.has(member.status)) continue;
    const fields = directoryFields(member);
    if (query.kind && fields.kind !== query.kind) continue;
    if (query.region !== undefined && fields.region !== query.region) continue;
    if (members.length === limit) {
      more = true;
      break;
    }
    const record: DirectoryMember = {
      node: member.node,
      ...fields,
      status: member.status,
      generation: member.generation,
    };
    const state = pickKeys(member.state, query.keys);
    if (state) record.state = state;
    members.push(record);
  }
  const last = members[members.length - 1];
  return { ...meta, members, next: more && last ? encodeCursor(last.node) : null };
}

function pickKeys(state: Record<string, string>, keys: readonly string[] | undefined) {
  if (!keys || keys.length === 0) return undefined;
  if (keys.includes(ALL_KEYS)) return { ...state };
  const out: Record<string, string> = {};
  for (const key of keys) if (Object.hasOwn(state, key)) out[key] = state[key] as string;
  return out;
}

const CURSOR_PREFIX = "m1:";

/** An opaque cursor: base64url of a versioned "after this member" marker. */
export function encodeCursor(after: string): string {
  return btoa(CURSOR_PREFIX + after)
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** The member a cursor points after; RangeError when it is not one of ours. */
export function decodeCursor(cursor: string): string {
  let text: string;
  try {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw new Error();
    text = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    throw new RangeError("cursor is not one this API returned");
  }
  if (!text.startsWith(CURSOR_PREFIX) || text.length === CURSOR_PREFIX.length)
    throw new RangeError("cursor is not one this API returned");
  return text.slice(CURSOR_PREFIX.length);
}
