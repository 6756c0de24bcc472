/**
 * The API's one error shape, `{"error": {"code", "message"}}`, and the translations into it:
 * HTTP exceptions from Hono middleware, errors a GossipNode throws across RPC, and faults.
 * No response ever carries a stack trace.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { readNodeError } from "../node/node-error.js";

export type ErrorCode =
  | "invalid_request"
  | "invalid_json"
  | "unsupported_media_type"
  | "payload_too_large"
  | "unauthorized"
  | "no_token_configured"
  | "not_found"
  | "conflict"
  | "too_many_keys"
  | "state_budget_exceeded"
  | "leave_unconfirmed"
  | "node_stopped"
  | "node_left"
  | "invalid_config"
  | "invalid_key"
  | "invalid_value"
  | "overloaded"
  | "bootstrap_incomplete"
  | "internal";

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** An error the API answers with a given status and code. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/** How each node error code reads over HTTP. Unknown node = 404, bad input = 400, state = 409. */
const NODE_ERRORS: Record<string, { status: ContentfulStatusCode; code: ErrorCode }> = {
  not_configured: { status: 404, code: "not_found" },
  invalid_config: { status: 400, code: "invalid_config" },
  invalid_key: { status: 400, code: "invalid_key" },
  invalid_value: { status: 400, code: "invalid_value" },
  too_many_keys: { status: 409, code: "too_many_keys" },
  state_budget_exceeded: { status: 413, code: "state_budget_exceeded" },
  leave_unconfirmed: { status: 503, code: "leave_unconfirmed" },
  stopped: { status: 409, code: "node_stopped" },
  left: { status: 409, code: "node_left" },
};

/** Turns any error into the status and body the client sees. */
export function toErrorResponse(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (error instanceof ApiError) return { status: error.status, body: errorBody(error.code, error.message) };
  if (error instanceof HTTPException) return fromHttpException(error);
  const nodeError = readNodeError(error);
  if (nodeError) {
    const mapped = NODE_ERRORS[nodeError.code] ?? { status: 400 as const, code: "invalid_request" as const };
    return { status: mapped.status, body: errorBody(mapped.code, nodeError.message) };
  }
  if (isOverloaded(error)) {
    return { status: 503, body: errorBody("overloaded", "a gossip node is overloaded; retry later") };
  }
  return { status: 500, body: errorBody("internal", "internal error") };
}

function fromHttpException(error: HTTPException): { status: ContentfulStatusCode; body: ErrorBody } {
  const status = error.status as ContentfulStatusCode;
  switch (status) {
    case 400:
      return {
        status,
        body: /JSON/i.test(error.message)
          ? errorBody("invalid_json", "request body is not valid JSON")
          : errorBody("invalid_request", error.message || "bad request"),
      };
    case 401:
      return { status, body: errorBody("unauthorized", error.message || "missing or wrong bearer token") };
    case 413:
      return { status, body: errorBody("payload_too_large", error.message || "request body too large") };
    case 415:
      return {
        status,
        body: errorBody(
          "unsupported_media_type",
          "request body must be JSON (Content-Type: application/json)",
        ),
      };
    default:
      return status >= 500
        ? { status: 500, body: errorBody("internal", "internal error") }
        : { status, body: errorBody("invalid_request", error.message || "bad request") };
  }
}

/** Durable Object errors carry `.overloaded`; such calls must not be retried at once. */
function isOverloaded(error: unknown): boolean {
  return (
    typeof error === "object" && error !== null && (error as { overloaded?: unknown }).overloaded === true
  );
}

/** `app.onError`: every fault becomes the error shape; 5xx are logged, never echoed. */
export function handleError(error: unknown, c: Context): Response {
  const { status, body } = toErrorResponse(error);
  if (status >= 500) console.error(`${c.req.method} ${c.req.path}:`, error);
  return c.json(body, status);
}

/** `app.notFound`: unknown routes answer in the same shape. */
export function handleNotFound(c: Context): Response {
  return c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404);
}
