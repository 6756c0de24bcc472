/**
 * Middleware for calls that take no body (a node's leave, stop, hang, start and evict): a
 * body that is there must be empty or `{}`. Anything else is a client's mistake, answered
 * with a 400 before the call changes anything, as a call with a body gets for a bad one:
 * `invalid_json` when it is not JSON, `invalid_request` when it is JSON with something in it.
 */
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError } from "./errors.js";
import type { AppEnv } from "./openapi.js";

export const noBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const text = (await c.req.text()).trim();
  if (text !== "") {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new HTTPException(400, { message: "Malformed JSON in request body" }); // errors.ts: invalid_json
    }
    const empty =
      typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
    if (!empty) throw new ApiError(400, "invalid_request", "this call takes no body (send none, or {})");
  }
  await next();
};
