/**
 * A small client for API tests inside workerd: requests go through the Worker's own fetch
 * (`exports.default.fetch`), or through the Worker entry with other bindings (`withEnv`) to test
 * servers configured differently (no API_TOKEN, a READ_TOKEN).
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import worker from "../../../src/index.js";
import { waitFor } from "../../../tools/poll.js";

export const TOKEN = "dev-token";
export const BASE = "http://hearsay.test";

export interface CallOptions {
  /** JSON body (serialised), or a raw string sent as is. */
  body?: unknown;
  /** Bearer token; default the test API_TOKEN. `null` sends no Authorization header. */
  token?: string | null;
  headers?: Record<string, string>;
  /** Bindings to use instead of the test ones (goes through the Worker entry directly). */
  env?: Partial<Cloudflare.Env>;
}

export async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null && !headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const request = new Request(`${BASE}${path}`, { method, headers, body });
  if (!options.env) return exports.default.fetch(request);
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...options.env } as Cloudflare.Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** Calls and parses the JSON answer. */
// biome-ignore lint/suspicious/noExplicitAny: tests read answers of many shapes and assert on them.
export async function callJson<T = any>(method: string, path: string, options: CallOptions = {}) {
  const res = await call(method, path, options);
  const text = await res.text();
  let json: T;
  try {
    json = JSON.parse(text) as T;
  } catch {
    throw new Error(`${method} ${path} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, json };
}

/** waitFor with the argument order these API tests use. */
export function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
  label = "condition",
): Promise<T> {
  return waitFor(label, check, timeoutMs);
}

/** Asserts the API's error shape and returns it. */
export function expectError(json: unknown): { code: string; message: string } {
  const error = (json as { error?: { code?: unknown; message?: unknown } }).error;
  if (!error || typeof error.code !== "string" || typeof error.message !== "string") {
    throw new Error(`not an API error body: ${JSON.stringify(json)}`);
  }
  return error as { code: string; message: string };
}
