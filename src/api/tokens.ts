/**
 * Scoped tokens: JWTs signed and checked by Hono's JWT helper (HS256, key TOKEN_SECRET), each
 * bound to one cluster, a scope (scopes.ts) and, for `agent`, one agent. A token carries the
 * cluster's token epoch at minting (`ep`); revoking raises the epoch (token-epochs.ts), which
 * refuses every earlier token. With no TOKEN_SECRET nothing is minted and no token accepted.
 */
import { z } from "@hono/zod-openapi";
import { sign, verify } from "hono/jwt";
import { JwtTokenExpired } from "hono/utils/jwt/types";
import type { Env } from "../env.js";
import { apiError } from "./errors.js";
import { AgentName, ClusterName } from "./schemas.js";
import { SCOPES, type TokenGrant } from "./scopes.js";
import { tokenEpoch } from "./token-epochs.js";

const DAY_SECONDS = 86_400;
/** A token's life when the request names none, seconds (30 days). */
export const TOKEN_TTL_DEFAULT_SECONDS = 30 * DAY_SECONDS;
/** The longest life a token may have, seconds (a year). */
export const TOKEN_TTL_MAX_SECONDS = 365 * DAY_SECONDS;
/** The one algorithm minted and accepted (`alg: none` and every other are refused). */
const ALG = "HS256";

/** The claims of a scoped token, checked after its signature. */
const Claims = z.object({
  scope: z.enum(SCOPES),
  cluster: ClusterName,
  agent: AgentName.optional(),
  ep: z.number().int().min(0),
  exp: z.number(),
});

/** `POST /v1/tokens` body. */
export const MintTokenBody = z
  .strictObject({
    scope: z.enum(SCOPES).openapi({ description: "read, write, or agent (see the route)." }),
    cluster: ClusterName,
    agent: AgentName.optional().openapi({
      description: "The agent an `agent` token acts for (required then, refused otherwise).",
    }),
    ttlSeconds: z
      .number()
      .int()
      .min(1)
      .max(TOKEN_TTL_MAX_SECONDS)
      .optional()
      .openapi({
        description: `Life of the token, seconds: default ${TOKEN_TTL_DEFAULT_SECONDS} (30 days), at most ${TOKEN_TTL_MAX_SECONDS} (a year).`,
      }),
  })
  .refine((body) => (body.scope === "agent") === (body.agent !== undefined), {
    message: "agent is required with scope agent, and only then",
    path: ["agent"],
  })
  .openapi("MintTokenRequest");

export type MintTokenRequest = z.infer<typeof MintTokenBody>;

export interface MintedToken {
  token: string;
  scope: TokenGrant["scope"];
  cluster: string;
  agent: string | null;
  /** ISO 8601. */
  expiresAt: string;
}

function secretOf(env: Env): string {
  if (!env.TOKEN_SECRET) {
    throw apiError(
      "no_token_configured",
      "this server has no TOKEN_SECRET configured, so scoped tokens are neither minted nor accepted; set one with `wrangler secret put TOKEN_SECRET` (or in .dev.vars locally)",
    );
  }
  return env.TOKEN_SECRET;
}

/** Signs a token for the request, at the cluster's current epoch (read from the registry). */
export async function mintToken(env: Env, request: MintTokenRequest): Promise<MintedToken> {
  const secret = secretOf(env);
  const now = Math.floor(Date.now() / 1000);
  const exp = now + (request.ttlSeconds ?? TOKEN_TTL_DEFAULT_SECONDS);
  const ep = await tokenEpoch(env, request.cluster, true);
  const { scope, cluster, agent } = request;
  // No `iat`: the helper refuses a token "issued in the future", which a clock a second behind
  // on another isolate would see.
  const token = await sign({ scope, cluster, ...(agent ? { agent } : {}), ep, exp }, secret, ALG);
  return { token, scope, cluster, agent: agent ?? null, expiresAt: new Date(exp * 1000).toISOString() };
}

/** Whether a bearer value has a JWT's shape (three dot-separated parts), so it is not a static token. */
export function looksLikeJwt(token: string): boolean {
  return token.split(".").length === 3;
}

/** The grant of a valid, unexpired, unrevoked token; else the 401 `unauthorized` or `token_expired` error. */
export async function readToken(env: Env, token: string): Promise<TokenGrant> {
  const secret = env.TOKEN_SECRET;
  if (!secret) throw apiError("unauthorized", "scoped tokens are refused: this server has no TOKEN_SECRET");
  let payload: unknown;
  try {
    payload = await verify(token, secret, ALG);
  } catch (error) {
    if (error instanceof JwtTokenExpired)
      throw apiError("token_expired", "this token has expired; mint a new one");
    throw apiError("unauthorized", "invalid token (bad signature, algorithm or form)");
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success) throw apiError("unauthorized", "invalid token claims");
  const { scope, cluster, agent, ep } = claims.data;
  if (ep < (await tokenEpoch(env, cluster))) {
    throw apiError(
      "unauthorized",
      `this token was revoked (cluster ${cluster}'s tokens were revoked after it was minted)`,
    );
  }
  return { scope, cluster, ...(agent ? { agent } : {}) };
}
