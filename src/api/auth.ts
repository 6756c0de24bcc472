/**
 * Who may call a route, with Hono's `bearerAuth` (timing-safe compare, WWW-Authenticate) and
 * answers in the API's error shape. `authorize` guards every route; what the route needs
 * comes from the rule table in scopes.ts (by method and path pattern):
 * - API_TOKEN (the admin) opens everything; routes other than reads are refused (403) when
 *   the Worker has none;
 * - reads are public unless READ_TOKEN is set; then READ_TOKEN, API_TOKEN or a scoped token
 *   for the cluster opens them;
 * - a scoped token (tokens.ts) opens what its scope allows on its own cluster, else 403
 *   `forbidden`; an expired one is 401 `token_expired`, a forged or revoked one 401;
 * - because browsers' EventSource cannot send headers, reads also take `?access_token=`, but
 *   only READ_TOKEN there: a write token is never accepted from a URL (URLs end up in logs).
 */
import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { timingSafeEqual } from "hono/utils/buffer";
import { API_ERRORS, ApiError, apiError, type ErrorCode, errorBody } from "./errors.js";
import type { AppEnv } from "./openapi.js";
import { type Access, accessFor, refusal } from "./scopes.js";
import { looksLikeJwt, readToken } from "./tokens.js";

const REALM = "hearsay";

/** True when `token` equals one of the configured tokens (each compared, so timing tells nothing). */
async function matchesAny(token: string, accepted: readonly (string | undefined)[]): Promise<boolean> {
  let ok = false;
  for (const candidate of accepted) {
    if (candidate && (await timingSafeEqual(candidate, token))) ok = true;
  }
  return ok;
}

function errorResponse(code: ErrorCode, message: string): Response {
  return new Response(JSON.stringify(errorBody(code, message)), {
    status: API_ERRORS[code],
    headers: { "content-type": "application/json" },
  });
}

/** The static tokens that open a route needing `access` (scoped tokens are checked apart). */
function staticTokens(c: Context<AppEnv>, access: Access): readonly (string | undefined)[] {
  return access === "read" ? [c.env.READ_TOKEN, c.env.API_TOKEN] : [c.env.API_TOKEN];
}

/** What the 401 for a missing header tells the caller to send. */
const NEEDS: Record<Access, string> = {
  admin: "API_TOKEN",
  write: "API_TOKEN or a write token",
  agent: "API_TOKEN, or a write or agent token",
  read: "READ_TOKEN, or a token for the cluster",
};

/** bearerAuth for one kind of route: a static token, or a valid scoped token (its grant kept on `c`). */
function bearer(access: Access): MiddlewareHandler<AppEnv> {
  return bearerAuth<AppEnv>({
    realm: REALM,
    verifyToken: async (token, c) => {
      if (await matchesAny(token, staticTokens(c, access))) return true;
      if (!looksLikeJwt(token)) return false;
      try {
        c.set("grant", await readToken(c.env, token));
        return true;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        c.set("authFailure", error);
        return false;
      }
    },
    noAuthenticationHeader: {
      message: () =>
        errorResponse("unauthorized", `this call needs Authorization: Bearer <${NEEDS[access]}>`),
    },
    invalidAuthenticationHeader: {
      message: () => errorResponse("unauthorized", 'Authorization header must be "Bearer <token>"'),
    },
    invalidToken: {
      message: (c) => {
        const failure = (c as Context<AppEnv>).get("authFailure");
        return failure
          ? errorResponse(failure.code, failure.message)
          : errorResponse("unauthorized", "wrong bearer token");
      },
    },
  });
}

const BEARERS: Record<Access, MiddlewareHandler<AppEnv>> = {
  admin: bearer("admin"),
  write: bearer("write"),
  agent: bearer("agent"),
  read: bearer("read"),
};

/** Guards a route: what it needs is `accessFor(method, route pattern)` (scopes.ts). */
export const authorize: MiddlewareHandler<AppEnv> = async (c, next) => {
  const access = accessFor(c.req.method, c.req.routePath);
  if (access === "read") {
    const readToken = c.env.READ_TOKEN;
    if (!readToken) return next();
    const fromUrl = c.req.query("access_token");
    if (fromUrl !== undefined && c.req.header("Authorization") === undefined) {
      if (fromUrl !== "" && (await matchesAny(fromUrl, [readToken]))) return next();
      c.header("WWW-Authenticate", `Bearer realm="${REALM}", error="invalid_token"`);
      throw apiError("unauthorized", "access_token in a URL must be READ_TOKEN");
    }
  } else if (!c.env.API_TOKEN) {
    throw apiError(
      "no_token_configured",
      "this server has no API_TOKEN configured, so mutating calls are refused; set one with `wrangler secret put API_TOKEN` (or in .dev.vars locally)",
    );
  }
  return BEARERS[access](c, async () => {
    const grant = c.get("grant");
    if (grant) {
      const why = refusal(grant, access, c.req.param());
      if (why) throw apiError("forbidden", why);
    }
    await next();
  });
};
