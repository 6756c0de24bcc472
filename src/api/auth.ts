/**
 * Bearer-token checks. Mutating calls need API_TOKEN and fail closed when the Worker has none.
 * Reads are public unless READ_TOKEN is set; then READ_TOKEN or API_TOKEN opens them. Reads
 * also accept `?access_token=` because browsers' EventSource cannot send headers.
 * Tokens are compared with Hono's timing-safe compare (SHA-256 of both, then constant time).
 */
import type { MiddlewareHandler } from "hono";
import { timingSafeEqual } from "hono/utils/buffer";
import type { Env } from "../env.js";
import { ApiError } from "./errors.js";

type AppEnv = { Bindings: Env };

/** The token in `Authorization: Bearer <token>`, or undefined when the header is absent. */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match) throw new ApiError(401, "unauthorized", 'Authorization header must be "Bearer <token>"');
  return match[1];
}

async function matchesAny(token: string, accepted: readonly (string | undefined)[]): Promise<boolean> {
  let ok = false;
  for (const candidate of accepted) {
    // Compare against every configured token so timing does not tell which one matched.
    if (candidate && (await timingSafeEqual(candidate, token))) ok = true;
  }
  return ok;
}

/** Guards a mutating route: `Authorization: Bearer <API_TOKEN>`. */
export const requireWriteToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const apiToken = c.env.API_TOKEN;
  if (!apiToken) {
    throw new ApiError(
      403,
      "no_token_configured",
      "this server has no API_TOKEN configured, so mutating calls are refused; set one with `wrangler secret put API_TOKEN` (or in .dev.vars locally)",
    );
  }
  const token = bearerToken(c.req.header("Authorization"));
  if (token === undefined) {
    c.header("WWW-Authenticate", 'Bearer realm="hearsay"');
    throw new ApiError(401, "unauthorized", "this call needs Authorization: Bearer <API_TOKEN>");
  }
  if (!(await matchesAny(token, [apiToken]))) {
    c.header("WWW-Authenticate", 'Bearer realm="hearsay", error="invalid_token"');
    throw new ApiError(401, "unauthorized", "wrong bearer token");
  }
  await next();
};

/** Guards a read route when READ_TOKEN is set (READ_TOKEN or API_TOKEN accepted). */
export const requireReadToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const readToken = c.env.READ_TOKEN;
  if (!readToken) return next();
  const token = bearerToken(c.req.header("Authorization")) ?? c.req.query("access_token");
  if (token === undefined || token === "") {
    c.header("WWW-Authenticate", 'Bearer realm="hearsay"');
    throw new ApiError(401, "unauthorized", "reads need Authorization: Bearer <READ_TOKEN> on this server");
  }
  if (!(await matchesAny(token, [readToken, c.env.API_TOKEN]))) {
    c.header("WWW-Authenticate", 'Bearer realm="hearsay", error="invalid_token"');
    throw new ApiError(401, "unauthorized", "wrong bearer token");
  }
  return next();
};
