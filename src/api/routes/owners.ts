/**
 * `GET /v1/clusters/:cluster/owners?key=` and `POST /v1/clusters/:cluster/owners`: who owns a
 * key, or each of up to 1000 keys, by weighted rendezvous hashing over one node's view (see
 * src/core/owners.ts). Reads: the read token when one is set.
 */
import { createRoute } from "@hono/zod-openapi";
import { authorize } from "../auth.js";
import { createApp, jsonBody, jsonResponse, pick, readSecurity } from "../openapi.js";
import { checkOwnersLookup, lookupOwners } from "../owners.js";
import {
  OwnersAnswerSchema,
  OwnersBatchSchema,
  OwnersLookup,
  OwnersParams,
  ownersLookupFromParams,
} from "../owners-schemas.js";
import { ClusterParams } from "../schemas.js";

const OWNERS_PATH = "/v1/clusters/{cluster}/owners";
const HOW =
  "Weighted rendezvous hashing (highest random weight) over the alive members of one node's view: each member scores the key with a stable 64-bit hash, weighted by its `weight` state key, and the highest scores own it. Converged nodes name the same owners; while views differ, so may the answers (compare `fingerprint`).";

const unavailable = { 503: { ...pick(503)[503], description: "No running node of the cluster answered." } };

export const ownerRoutes = createApp();

ownerRoutes.openapi(
  createRoute({
    method: "get",
    path: OWNERS_PATH,
    tags: ["clusters"],
    operationId: "keyOwners",
    summary: "Who owns a key: its owners in preference order",
    description: HOW,
    middleware: [authorize] as const,
    security: readSecurity,
    request: { params: ClusterParams, query: OwnersParams },
    responses: {
      200: jsonResponse(OwnersAnswerSchema, "The key's owners, from one view."),
      ...pick(400, 401, 404, 409),
      ...unavailable,
    },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const params = c.req.valid("query");
    const lookup = checkOwnersLookup(ownersLookupFromParams(params), "query");
    const { owners, ...answer } = await lookupOwners(c.env, cluster, lookup);
    const key = lookup.keys[0] as string;
    return c.json({ ...answer, key, owners: owners[key] ?? [] }, 200);
  },
);

ownerRoutes.openapi(
  createRoute({
    method: "post",
    path: OWNERS_PATH,
    tags: ["clusters"],
    operationId: "keysOwners",
    summary: "Who owns each of many keys, all from one node's view",
    description: `${HOW} One call answers up to 1000 keys from the same view (one Durable Object request).`,
    middleware: [authorize] as const,
    security: readSecurity,
    request: {
      params: ClusterParams,
      body: jsonBody(OwnersLookup, "The keys, and optionally n, kind, region, from."),
    },
    responses: {
      200: jsonResponse(OwnersBatchSchema, "Each key's owners, from one view."),
      ...pick(400, 401, 404, 409, 413, 415),
      ...unavailable,
    },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const lookup = checkOwnersLookup(c.req.valid("json"), "body");
    return c.json(await lookupOwners(c.env, cluster, lookup), 200);
  },
);
