/**
 * Shared pieces of the OpenAPI route definitions: the sub-app factory with the validation hook
 * that turns zod issues into `invalid_request` errors, JSON bodies, and the error responses.
 */
import { OpenAPIHono, type z } from "@hono/zod-openapi";
import type { Env } from "../env.js";
import { type ApiError, apiError, errorBody } from "./errors.js";
import { ErrorResponse } from "./responses.js";
import type { TokenGrant } from "./scopes.js";

/** The Worker's bindings, and what auth.ts learns of the caller: a scoped token's grant, or why it failed. */
export type AppEnv = { Bindings: Env; Variables: { grant?: TokenGrant; authFailure?: ApiError } };

/** One line per issue: `body.size: size must be between 1 and 1000`. */
export function formatIssues(target: string, error: z.ZodError): string {
  const where = target === "json" ? "body" : target === "param" ? "path" : target;
  return error.issues
    .slice(0, 5)
    .map((issue) => `${[where, ...issue.path.map(String)].join(".")}: ${issue.message}`)
    .join("; ");
}

/** `input` parsed by `schema`, or a 400 `invalid_request` naming each problem under `where`. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, where: string): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw apiError("invalid_request", formatIssues(where, parsed.error));
  return parsed.data;
}

/** A Hono sub-app whose validation failures answer 400 in the API's error shape. */
export function createApp(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return c.json(errorBody("invalid_request", formatIssues(result.target, result.error)), 400);
      }
    },
  });
}

export function jsonBody<T extends z.ZodType>(schema: T, description: string) {
  return { required: true, description, content: { "application/json": { schema } } } as const;
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } } as const;
}

const errorContent = { "application/json": { schema: ErrorResponse } } as const;

/** Error responses shared by the routes; pick the statuses a route can answer. */
export const errors = {
  400: {
    description: "Invalid input (bad name, key, value, config, or malformed JSON).",
    content: errorContent,
  },
  401: {
    description:
      "Missing, wrong, forged or revoked bearer token (`unauthorized`), or an expired one (`token_expired`).",
    content: errorContent,
  },
  403: {
    description:
      "The scoped token does not open this call (`forbidden`: another cluster, agent, or a scope that is not enough), or the server has no API_TOKEN configured, so mutating calls are refused (`no_token_configured`).",
    content: errorContent,
  },
  404: { description: "Unknown cluster or node.", content: errorContent },
  409: {
    description: "The node cannot do this now (stopped, left, or too many keys).",
    content: errorContent,
  },
  413: { description: "Request body too large.", content: errorContent },
  429: {
    description:
      "Too many at once (watchers and event streams on one node; agents remembered after they left).",
    content: errorContent,
  },
  415: { description: "Request body is not JSON.", content: errorContent },
  503: {
    description:
      "Some nodes could not be reached (overloaded or failing). The message names them; what did start keeps running, and repeating the call is safe.",
    content: errorContent,
  },
} as const;

/** Security requirement of routes that need API_TOKEN. */
export const writeSecurity = [{ bearerAuth: [] }];

/** Reads: open when the server has no READ_TOKEN (the empty requirement), else READ_TOKEN. */
export const readSecurity: Array<Record<string, string[]>> = [{}, { bearerAuth: [] }];

/** The shared error responses for these statuses. */
export function pick<K extends keyof typeof errors>(...statuses: K[]): Pick<typeof errors, K> {
  const out = {} as Pick<typeof errors, K>;
  for (const status of statuses) out[status] = errors[status];
  return out;
}
