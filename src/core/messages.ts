/**
 * Validation of messages from peers. Nothing from the wire touches cluster state before it
 * passes here: shapes, types, ranges, ordering of versions and size limits are all checked.
 * Hand-written rather than schema-driven because it runs on every message of every round
 * (the simulator runs it millions of times) and the checks are protocol rules, such as
 * "versions ascend within a delta", not just shapes. Unknown extra fields are tolerated so
 * that a newer peer can talk to an older one during a deploy.
 */
import { isStatusCode } from "./precedence.js";
import {
  type DigestEntry,
  type GossipMessage,
  type HeartbeatEntry,
  type KeyUpdate,
  type NeedEntry,
  type NewsItem,
  type NodeDelta,
  PROTOCOL_VERSION,
} from "./types.js";

export interface MessageLimits {
  /** Longest node or cluster name accepted. */
  maxNameLength: number;
  maxKeyLength: number;
  maxValueLength: number;
  /** Most entries in a digest, need list or delta list. */
  maxEntries: number;
  /** Most key updates in one node delta. */
  maxKeysPerDelta: number;
}

export const DEFAULT_MESSAGE_LIMITS: MessageLimits = {
  maxNameLength: 200,
  maxKeyLength: 256,
  maxValueLength: 64 * 1024,
  maxEntries: 100_000,
  maxKeysPerDelta: 100_000,
};

/**
 * Most write ids in one message's notices or graft: a tree sends at most
 * PLUMTREE_LIMITS.havesPerMessage notices, and a graft names at most as many writes as it waits
 * for; this is the receiver's ceiling, with room for a newer sender.
 */
export const MAX_HAVES = 256;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; reason: string };

/** Keys on the wire: user keys plus reserved `~` keys (such as the leave marker). */
const WIRE_KEY = /^[A-Za-z0-9._:~-]+$/;

class Invalid extends Error {}

function fail(reason: string): never {
  throw new Invalid(reason);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function count(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    fail(`${what} must be a non-negative integer`);
  }
  return value;
}

function name(value: unknown, what: string, limits: MessageLimits): string {
  if (typeof value !== "string" || value.length === 0 || value.length > limits.maxNameLength) {
    fail(`${what} must be a non-empty string of at most ${limits.maxNameLength} characters`);
  }
  return value;
}

function list(value: unknown, what: string, limits: MessageLimits): unknown[] {
  if (!Array.isArray(value)) fail(`${what} must be an array`);
  if (value.length > limits.maxEntries) fail(`${what} has more than ${limits.maxEntries} entries`);
  return value;
}

function header(raw: Record<string, unknown>, limits: MessageLimits): void {
  if (raw.v !== PROTOCOL_VERSION) fail(`unsupported protocol version ${String(raw.v)}`);
  name(raw.c, "cluster", limits);
  name(raw.f, "from", limits);
  count(raw.g, "generation");
  if (raw.n !== undefined) for (const item of list(raw.n, "news", limits)) newsItem(item, limits);
  if (raw.ih !== undefined) haveList(raw.ih, "ih", limits);
}

/** Write ids of the broadcast tree, `[origin, generation, version]`, at most `maxHaves`. */
function haveList(value: unknown, what: string, limits: MessageLimits): void {
  if (!Array.isArray(value)) fail(`${what} must be an array`);
  if (value.length > MAX_HAVES) fail(`${what} has more than ${MAX_HAVES} entries`);
  for (const entry of value) {
    if (!Array.isArray(entry) || entry.length !== 3)
      fail(`${what} entry must be [origin, generation, version]`);
    name(entry[0], `${what} origin`, limits);
    count(entry[1], `${what} generation`);
    count(entry[2], `${what} version`);
  }
}

function statusOf(value: unknown, what: string): void {
  if (!isStatusCode(value)) fail(`${what} must be a status code 0..3`);
}

function digestEntry(value: unknown, limits: MessageLimits): asserts value is DigestEntry {
  if (!Array.isArray(value) || (value.length !== 5 && value.length !== 6)) {
    fail("digest entry must be [name, generation, incarnation, status, maxVersion, gcVersion?]");
  }
  name(value[0], "digest node", limits);
  count(value[1], "digest generation");
  count(value[2], "digest incarnation");
  statusOf(value[3], "digest status");
  count(value[4], "digest maxVersion");
  if (value.length === 6) count(value[5], "digest gcVersion");
}

function newsItem(value: unknown, limits: MessageLimits): asserts value is NewsItem {
  if (!Array.isArray(value) || (value.length !== 5 && value.length !== 6)) {
    fail("news item must be [name, generation, incarnation, status, maxVersion, reporter?]");
  }
  name(value[0], "news node", limits);
  count(value[1], "news generation");
  count(value[2], "news incarnation");
  statusOf(value[3], "news status");
  count(value[4], "news maxVersion");
  if (value.length === 6) name(value[5], "news reporter", limits);
}

function heartbeatEntry(value: unknown, limits: MessageLimits): asserts value is HeartbeatEntry {
  if (!Array.isArray(value) || value.length !== 3)
    fail("heartbeat entry must be [name, generation, heartbeat]");
  name(value[0], "heartbeat node", limits);
  count(value[1], "heartbeat generation");
  count(value[2], "heartbeat");
}

function needEntry(value: unknown, limits: MessageLimits): asserts value is NeedEntry {
  if (!Array.isArray(value) || (value.length !== 3 && value.length !== 4)) {
    fail("need entry must be [name, generation, fromVersion, gcVersion?]");
  }
  name(value[0], "need node", limits);
  count(value[1], "need generation");
  count(value[2], "need fromVersion");
  if (value.length === 4) count(value[3], "need gcVersion");
}

function keyUpdate(value: unknown, limits: MessageLimits): asserts value is KeyUpdate {
  if (!Array.isArray(value) || value.length !== 3) fail("key update must be [key, value, version]");
  const [key, val] = value;
  if (typeof key !== "string" || key.length > limits.maxKeyLength || !WIRE_KEY.test(key)) {
    fail(`key must be 1..${limits.maxKeyLength} characters of [A-Za-z0-9._:~-]`);
  }
  if (val !== null && (typeof val !== "string" || val.length > limits.maxValueLength)) {
    fail(`value must be null or a string of at most ${limits.maxValueLength} characters`);
  }
  count(value[2], "key version");
}

function nodeDelta(value: unknown, limits: MessageLimits): asserts value is NodeDelta {
  if (!isRecord(value)) fail("node delta must be an object");
  name(value.n, "delta node", limits);
  count(value.g, "delta generation");
  count(value.i, "delta incarnation");
  statusOf(value.s, "delta status");
  const from = count(value.from, "delta from");
  const max = count(value.max, "delta max");
  count(value.gc, "delta gc");
  if (typeof value.reset !== "boolean") fail("delta reset must be a boolean");
  if (!Array.isArray(value.kv)) fail("delta kv must be an array");
  if (value.kv.length > limits.maxKeysPerDelta) fail("delta has too many keys");
  let previous = from;
  for (const update of value.kv) {
    keyUpdate(update, limits);
    if (update[2] <= previous) fail("delta versions must ascend and exceed from");
    previous = update[2];
  }
  if (max < previous) fail("delta max is below its last version");
}

function mode(value: unknown): void {
  if (value !== "push" && value !== "pull" && value !== "push-pull") fail("unknown mode");
}

function bucketList(value: unknown, what: string, limits: MessageLimits): void {
  for (const bucket of list(value, what, limits)) count(bucket, `${what} entry`);
}

/** The body checks of each message type, after the envelope. */
const BODIES: Record<GossipMessage["t"], (raw: Record<string, unknown>, limits: MessageLimits) => void> = {
  ping: (raw) => void count(raw.s, "sequence"),
  ack: (raw) => void count(raw.s, "sequence"),
  nack: (raw) => void count(raw.s, "sequence"),
  pingreq: (raw, limits) => {
    count(raw.s, "sequence");
    name(raw.target, "target", limits);
  },
  syn: (raw, limits) => {
    mode(raw.mode);
    count(raw.fp, "fingerprint");
    if (raw.fh !== undefined) count(raw.fh, "fingerprint high half");
    if (raw.hb !== undefined) for (const entry of list(raw.hb, "hb", limits)) heartbeatEntry(entry, limits);
  },
  synack: (raw, limits) => {
    if (raw.eq !== undefined && typeof raw.eq !== "boolean") fail("eq must be a boolean");
    if (raw.fh !== undefined) count(raw.fh, "fingerprint high half");
    if (raw.bk !== undefined) bucketList(raw.bk, "bk", limits);
    if (raw.bh !== undefined) bucketList(raw.bh, "bh", limits);
    if (raw.hb !== undefined) for (const entry of list(raw.hb, "hb", limits)) heartbeatEntry(entry, limits);
  },
  digest: (raw, limits) => {
    mode(raw.mode);
    bucketList(raw.b, "buckets", limits);
    for (const entry of list(raw.d, "digest", limits)) digestEntry(entry, limits);
  },
  delta: (raw, limits) => {
    for (const entry of list(raw.need, "need", limits)) needEntry(entry, limits);
    for (const entry of list(raw.delta, "delta", limits)) nodeDelta(entry, limits);
  },
  push: (raw, limits) => {
    if (raw.delta !== undefined)
      for (const entry of list(raw.delta, "delta", limits)) nodeDelta(entry, limits);
    if (raw.hot !== undefined && typeof raw.hot !== "boolean") fail("hot must be a boolean");
    if (raw.prune !== undefined && typeof raw.prune !== "boolean") fail("prune must be a boolean");
    if (raw.graft !== undefined) haveList(raw.graft, "graft", limits);
  },
};

/** Whether `value` is one of the message types `expect` names. */
function isOneOf<T extends GossipMessage["t"]>(value: unknown, expect: readonly T[]): value is T {
  return expect.some((type) => type === value);
}

/** Checks the envelope and the body of a message of type `type`, or throws Invalid. */
function checkMessage<T extends GossipMessage["t"]>(
  raw: Record<string, unknown>,
  type: T,
  limits: MessageLimits,
): asserts raw is Record<string, unknown> & Extract<GossipMessage, { t: T }> {
  header(raw, limits);
  BODIES[type](raw, limits);
}

/**
 * Checks any peer message; `expect` names the types acceptable here (a reply must be of the
 * kind its request asks for).
 */
export function parseMessage<T extends GossipMessage["t"]>(
  raw: unknown,
  expect: readonly T[],
  limits: MessageLimits = DEFAULT_MESSAGE_LIMITS,
): ParseResult<Extract<GossipMessage, { t: T }>> {
  try {
    if (!isRecord(raw)) fail("message must be an object");
    const type = raw.t;
    if (!isOneOf(type, expect)) fail(`expected a ${expect.join(" or ")} message`);
    checkMessage(raw, type, limits);
    return { ok: true, message: raw };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message };
    return { ok: false, reason: "unreadable message" };
  }
}

/** Exact size of a message as JSON text, or Infinity when it cannot be serialised. */
export function jsonSize(message: unknown): number {
  try {
    const text = JSON.stringify(message);
    return text === undefined ? Number.POSITIVE_INFINITY : text.length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
