/**
 * Bearer-token checks, with Hono's `bearerAuth` (timing-safe compare, WWW-Authenticate) and
 * answers in the API's error shape:
 * - mutating calls need API_TOKEN, and are refused (403) when the Worker has none;
 * - reads are public unless READ_TOKEN is set; then READ_TOKEN or API_TOKEN opens them;
 * - because browsers' EventSource cannot send headers, reads also take `?access_token=`, but
 *   only READ_TOKEN there: a write token is never accepted from a URL (URLs end up in logs).
 */
import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { timingSafeEqual } from "hono/utils/buffer";
import { API_ERRORS, apiError, errorBody } from "./errors.js";
import type { AppEnv } from "./openapi.js";

const REALM = "hearsay";

/** True when `token` equals one of the configured tokens (each compared, so timing tells nothing). */
async function matchesAny(token: string, accepted: readonly (string | undefined)[]): Promise<boolean> {
  let ok = false;
  for (const candidate of accepted) {
    if (candidate && (await timingSafeEqual(candidate, token))) ok = true;
  }
  return ok;
}

function unauthorized(message: string) {
  return {
    message: () =>
      new Response(JSON.stringify(errorBody("unauthorized", message)), {
        status: API_ERRORS.unauthorized,
        headers: { "content-type": "application/json" },
      }),
  };
}

/** bearerAuth with the API's messages; `accepted` names the tokens that open the route. */
function bearer(
  needs: string,
  accepted: (c: Context<AppEnv>) => readonly (string | undefined)[],
): MiddlewareHandler<AppEnv> {
  // bearerAuth is typed for any Env; our handlers read the Worker's bindings.
  return bearerAuth({
    realm: REALM,
    verifyToken: (token, c) => matchesAny(token, accepted(c as Context<AppEnv>)),
    noAuthenticationHeader: unauthorized(`this call needs Authorization: Bearer <${needs}>`),
    invalidAuthenticationHeader: unauthorized('Authorization header must be "Bearer <token>"'),
    invalidToken: unauthorized("wrong bearer token"),
  }) as unknown as MiddlewareHandler<AppEnv>;
}

const writeBearer = bearer("API_TOKEN", (c) => [c.env.API_TOKEN]);
const readBearer = bearer("READ_TOKEN", (c) => [c.env.READ_TOKEN, c.env.API_TOKEN]);

/** Guards a mutating route: `Authorization: Bearer <API_TOKEN>`, never a token in the URL. */
export const requireWriteToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.env.API_TOKEN) {
    throw apiError(
      "no_token_configured",
      "this server has no API_TOKEN configured, so mutating calls are refused; set one with `wrangler secret put API_TOKEN` (or in .dev.vars locally)",
    );
  }
  return writeBearer(c, next);
};

/** Guards a read route when READ_TOKEN is set (READ_TOKEN or API_TOKEN in the header). */
export const requireReadToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const readToken = c.env.READ_TOKEN;
  if (!readToken) return next();
  const fromUrl = c.req.query("access_token");
  if (fromUrl !== undefined && c.req.header("Authorization") === undefined) {
    if (fromUrl !== "" && (await matchesAny(fromUrl, [readToken]))) return next();
    c.header("WWW-Authenticate", `Bearer realm="${REALM}", error="invalid_token"`);
    throw apiError("unauthorized", "access_token in a URL must be READ_TOKEN");
  }
  return readBearer(c, next);
};
