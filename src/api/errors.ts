/**
 * The API's one error shape, `{"error": {"code", "message"}}`, and the translations into it:
 * HTTP exceptions from Hono middleware, errors a GossipNode throws across RPC, and faults.
 * No response ever carries a stack trace.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type NodeErrorCode, readNodeError } from "../node/node-error.js";

/** Every code the API answers with, and its HTTP status: the one list, declared once. */
export const API_ERRORS = {
  invalid_request: 400,
  invalid_json: 400,
  invalid_config: 400,
  invalid_key: 400,
  invalid_value: 400,
  unauthorized: 401,
  token_expired: 401,
  forbidden: 403,
  no_token_configured: 403,
  not_found: 404,
  conflict: 409,
  too_many_keys: 409,
  too_many_agents: 409,
  node_stopped: 409,
  node_left: 409,
  payload_too_large: 413,
  state_budget_exceeded: 413,
  unsupported_media_type: 415,
  upgrade_required: 426,
  too_many_watchers: 429,
  too_many_departed_agents: 429,
  internal: 500,
  not_available: 501,
  overloaded: 503,
  leave_unconfirmed: 503,
  bootstrap_incomplete: 503,
  no_running_node: 503,
  registry_unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof API_ERRORS;

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

/** The error for a code, with the status the table above gives it. */
export function apiError(code: ErrorCode, message: string): ApiError {
  return new ApiError(API_ERRORS[code], code, message);
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/** How each node error code reads over HTTP (status from API_ERRORS). */
const NODE_ERRORS: Record<NodeErrorCode, ErrorCode> = {
  not_configured: "not_found",
  invalid_config: "invalid_config",
  invalid_key: "invalid_key",
  invalid_value: "invalid_value",
  too_many_keys: "too_many_keys",
  state_budget_exceeded: "state_budget_exceeded",
  leave_unconfirmed: "leave_unconfirmed",
  stopped: "node_stopped",
  left: "node_left",
  too_many_agents: "too_many_agents",
  too_many_departed_agents: "too_many_departed_agents",
  name_taken: "conflict",
  unknown_agent: "not_found",
  upgrade_required: "upgrade_required",
  too_many_watchers: "too_many_watchers",
  registry_unavailable: "registry_unavailable",
};

/** Turns any error into the status and body the client sees. */
export function toErrorResponse(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (error instanceof ApiError) return { status: error.status, body: errorBody(error.code, error.message) };
  if (error instanceof HTTPException) return fromHttpException(error);
  const nodeError = readNodeError(error);
  if (nodeError) {
    const code = NODE_ERRORS[nodeError.code] ?? "invalid_request";
    return { status: API_ERRORS[code], body: errorBody(code, nodeError.message) };
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
  // Middleware such as bearerAuth throws with its answer already built (in our error shape).
  if (error instanceof HTTPException && error.res) return error.getResponse();
  const { status, body } = toErrorResponse(error);
  if (status >= 500) console.error(`${c.req.method} ${c.req.path}:`, error);
  return c.json(body, status);
}

/** `app.notFound`: unknown routes answer in the same shape. */
export function handleNotFound(c: Context): Response {
  return c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404);
}
