/**
 * The owners lookup, shared by `GET`/`POST .../owners` and the service binding: check the
 * input, then one node (one-node.ts) answers every key from its own view in one call, so a
 * batch of 1000 keys costs one Durable Object request and no view crosses the wire.
 */
import { OWNERS_DEFAULT_N } from "../core/index.js";
import type { Env } from "../env.js";
import type { OwnersAnswer } from "../node/owners-query.js";
import { askOneNode } from "./one-node.js";
import { parseInput } from "./openapi.js";
import { OwnersLookup, type OwnersLookupInput } from "./owners-schemas.js";

/** Checks a lookup (object form); a 400 `invalid_request` when it breaks a rule. */
export function checkOwnersLookup(input: unknown, where: string): OwnersLookupInput {
  return parseInput(OwnersLookup, input ?? {}, where);
}

/** Answers a checked lookup from one node of the cluster. */
export async function lookupOwners(
  env: Env,
  cluster: string,
  lookup: OwnersLookupInput,
): Promise<OwnersAnswer> {
  const { from, keys, n = OWNERS_DEFAULT_N, kind = "node", region } = lookup;
  const query = region === undefined ? { keys, n, kind } : { keys, n, kind, region };
  return askOneNode(env, cluster, from, (node) => node.owners(query));
}
