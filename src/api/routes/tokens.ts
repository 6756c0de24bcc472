/**
 * Scoped tokens: `POST /v1/tokens` mints one (admin only), `POST .../tokens/revoke` revokes
 * every token of a cluster minted so far. What each scope opens is in scopes.ts; how tokens
 * are signed, checked and revoked in tokens.ts and token-epochs.ts.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { authorize } from "../auth.js";
import { createApp, jsonBody, jsonResponse, pick, writeSecurity } from "../openapi.js";
import { ClusterParams } from "../schemas.js";
import { SCOPES } from "../scopes.js";
import { revokeTokens, TOKEN_EPOCH_CACHE_MS } from "../token-epochs.js";
import { MintTokenBody, mintToken } from "../tokens.js";

const MintedTokenSchema = z
  .object({
    token: z.string().openapi({ description: "Send as `Authorization: Bearer <token>`." }),
    scope: z.enum(SCOPES),
    cluster: z.string(),
    agent: z.string().nullable(),
    expiresAt: z.string().openapi({ description: "ISO 8601." }),
  })
  .openapi("MintedToken");

const RevokedSchema = z
  .object({
    cluster: z.string(),
    epoch: z
      .number()
      .int()
      .openapi({ description: "The cluster's token epoch now; tokens minted before it are refused." }),
    effectiveWithinSeconds: z
      .number()
      .openapi({ description: "Every Worker isolate refuses the old tokens within this time." }),
  })
  .openapi("TokensRevoked");

export const tokenRoutes = createApp();

tokenRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/tokens",
    tags: ["tokens"],
    operationId: "mintToken",
    summary: "Mint a scoped token (admin token only)",
    description:
      "A token bound to one cluster. `read`: the GETs of that cluster. `write`: every call on that cluster (stop, start, delete and bootstrap too), never another cluster and never this route. `agent`: `PUT` and `DELETE /v1/clusters/{cluster}/agents/{agent}` for its one agent, and the reads of the cluster. Each route's `x-hearsay-scopes` lists the scopes that open it. Needs TOKEN_SECRET on the server (403 `no_token_configured` otherwise).",
    middleware: [authorize] as const,
    security: writeSecurity,
    request: {
      body: jsonBody(MintTokenBody, "Scope, cluster, the agent of an `agent` token, and its life."),
    },
    responses: {
      200: jsonResponse(MintedTokenSchema, "The token and what it opens."),
      ...pick(400, 401, 403, 413, 415),
    },
  }),
  async (c) => c.json(await mintToken(c.env, c.req.valid("json")), 200),
);

tokenRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/tokens/revoke",
    tags: ["tokens"],
    operationId: "revokeTokens",
    summary: "Revoke every scoped token of a cluster minted so far (admin token only)",
    description: `Raises the cluster's token epoch, kept by the cluster registry. Tokens minted before are refused (401) by every Worker isolate within ${TOKEN_EPOCH_CACHE_MS / 1000} s; tokens minted afterwards work.`,
    middleware: [authorize] as const,
    security: writeSecurity,
    request: { params: ClusterParams },
    responses: {
      200: jsonResponse(RevokedSchema, "Revoked."),
      ...pick(400, 401, 403),
    },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const epoch = await revokeTokens(c.env, cluster);
    return c.json({ cluster, epoch, effectiveWithinSeconds: TOKEN_EPOCH_CACHE_MS / 1000 }, 200);
  },
);
