/**
 * The owners query: who owns each key in one node's view (weighted rendezvous hashing, the
 * core's OwnerTable), with that view's fingerprint. A pure function over the core's member
 * views, so the Durable Object method is one line, one DO request answers up to
 * OWNERS_MAX_KEYS keys, and no view crosses the wire. Input is checked again here: the API
 * checks it first, but anything holding the binding can call the node.
 */
import {
  type MemberView,
  OWNER_KINDS,
  OWNERS_MAX_KEY_BYTES,
  OWNERS_MAX_KEYS,
  OWNERS_MAX_N,
  type Owner,
  type OwnerKind,
  OwnerTable,
  viewHash,
} from "../core/index.js";
import { NodeError } from "./node-error.js";

export interface OwnersQuery {
  keys: string[];
  /** Owners per key, 1..OWNERS_MAX_N. */
  n: number;
  kind: OwnerKind;
  /** This region's members first. */
  region?: string;
}

export interface OwnersAnswer {
  cluster: string;
  /** The node whose view this is. */
  from: string;
  /** That view's fingerprint: the summary's `viewHash` for this node. */
  fingerprint: string;
  /** That node's clock when it answered, ms since epoch. */
  at: number;
  /** Each key's owners in preference order (fewer than n when fewer members qualify). */
  owners: Record<string, Owner[]>;
}

const utf8 = new TextEncoder();

/** Owners of every key in `query` over `view`. NodeError `invalid_key` for input out of bounds. */
export function ownersAnswer(
  view: readonly MemberView[],
  query: OwnersQuery,
  meta: { cluster: string; from: string; at: number },
): OwnersAnswer {
  const keys = query?.keys;
  if (!Array.isArray(keys) || keys.length < 1 || keys.length > OWNERS_MAX_KEYS)
    throw new NodeError("invalid_key", `keys must hold 1 to ${OWNERS_MAX_KEYS} keys`);
  for (const key of keys) {
    if (typeof key !== "string" || utf8.encode(key).byteLength > OWNERS_MAX_KEY_BYTES)
      throw new NodeError("invalid_key", `a key must be a string of at most ${OWNERS_MAX_KEY_BYTES} bytes`);
  }
  const n = query.n;
  if (!Number.isInteger(n) || n < 1 || n > OWNERS_MAX_N)
    throw new NodeError("invalid_key", `n must be an integer between 1 and ${OWNERS_MAX_N}`);
  if (!OWNER_KINDS.includes(query.kind))
    throw new NodeError("invalid_key", `kind must be one of ${OWNER_KINDS.join(", ")}`);
  const table = new OwnerTable(view, query.kind);
  const options = query.region === undefined ? { n } : { n, region: query.region };
  // fromEntries defines own properties, so a key such as "__proto__" is answered as any other.
  const owners = Object.fromEntries(keys.map((key) => [key, table.lookup(key, options)]));
  return { ...meta, fingerprint: viewHash(view), owners };
}
