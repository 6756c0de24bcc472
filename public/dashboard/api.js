/**
 * Same-origin calls to the public HTTP API, through the typed client (src/client, bundled to
 * ./client.js by scripts/build-web.mjs). The bearer token lives in sessionStorage (this tab
 * only) and is never put in a URL. API errors (`{"error":{"code","message"}}`) become ApiError
 * with the method, path and HTTP status. The page reads the documented fields and ignores what
 * it does not know.
 */
import { createHearsayClient } from "./client.js";

/**
 * The shapes come from the OpenAPI document, through the client's generated types (one
 * source: src/client/schema.d.ts, checked against the server's types).
 * @typedef {import("./client.js").components["schemas"]["MemberView"]} MemberView
 * @typedef {import("./client.js").NodeView} NodeView
 * @typedef {import("./client.js").components["schemas"]["NodeSummary"]} NodeSummary
 */

const TOKEN_KEY = "hearsay.apiToken";

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

/** @param {string} token */
export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  /**
   * @param {string} method
   * @param {string} path
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(method, path, status, code, message) {
    super(message);
    this.name = "ApiError";
    this.method = method;
    this.path = path;
    this.status = status;
    this.code = code;
  }

  /** One line for people: what was asked, what came back. */
  describe() {
    const status = this.status ? `HTTP ${this.status} ` : "";
    return `${this.method} ${this.path} failed: ${status}${this.code}: ${this.message}`;
  }
}

/**
 * Every call of the client goes through here: the current token is added, nothing is cached,
 * and an answer that is not 2xx (or no answer) becomes an ApiError.
 * @param {Request} request
 * @returns {Promise<Response>}
 */
async function send(request) {
  const path = new URL(request.url).pathname;
  const headers = new Headers(request.headers);
  const token = getToken();
  if (token) headers.set("authorization", `Bearer ${token}`);
  let res;
  try {
    res = await fetch(new Request(request, { headers, cache: "no-store" }));
  } catch (error) {
    if (request.signal.aborted) throw error;
    throw new ApiError(request.method, path, 0, "network_error", `the API did not answer (${String(error)})`);
  }
  if (res.ok) return res;
  /** @type {{ code?: string, message?: string }} */
  let error = {};
  try {
    const body = await res.json();
    if (body && typeof body.error === "object" && body.error) error = body.error;
  } catch {
    // Not JSON: keep the status line.
  }
  throw new ApiError(
    request.method,
    path,
    res.status,
    error.code || `http_${res.status}`,
    error.message || res.statusText || "request failed",
  );
}

/** The typed client, same-origin. */
export const client = createHearsayClient({
  baseUrl: location.origin,
  fetch: (input, init) => send(new Request(input, init)),
});

export const api = {
  /**
   * Every page of the cluster summary, combined: every node, and the cluster's verdict.
   * @param {string} cluster
   */
  summary: (cluster) => client.summaryAll(cluster),
  /**
   * @param {string} cluster
   * @param {string} node
   * @returns {Promise<NodeView>}
   */
  view: (cluster, node) => client.node(cluster, node),
  /**
   * Starts every node, one bootstrap call per page of nodes.
   * @param {string} cluster
   * @param {number} size
   * @param {Record<string, unknown>} config
   */
  bootstrap: (cluster, size, config) => client.bootstrapAll(cluster, { size, config }),
  /**
   * @param {string} cluster
   * @param {string} node
   * @param {string} key
   * @param {string} value
   */
  setKey: (cluster, node, key, value) => client.setKey(cluster, node, key, value),
  /**
   * @param {string} cluster
   * @param {string} node
   * @param {string} key
   */
  deleteKey: (cluster, node, key) => client.deleteKey(cluster, node, key),
  /**
   * @param {string} cluster
   * @param {string} node
   * @returns {Promise<NodeView>}
   */
  stop: (cluster, node) => client.nodeAction(cluster, node, "stop"),
  /**
   * @param {string} cluster
   * @param {string} node
   * @returns {Promise<NodeView>}
   */
  start: (cluster, node) => client.nodeAction(cluster, node, "start"),
  /**
   * @param {string} cluster
   * @param {string} node
   */
  leave: (cluster, node) => client.nodeAction(cluster, node, "leave"),
  /**
   * A key's owners in preference order, from one node's view.
   * @param {string} cluster
   * @param {string} key
   * @param {{ n?: number, from?: string }} options
   */
  owners: (cluster, key, options) => client.owners(cluster, key, options),
  /**
   * The node's event stream, resuming after `since`.
   * @param {string} cluster
   * @param {string} node
   * @param {number | undefined} since
   * @param {AbortSignal} signal
   */
  events: (cluster, node, since, signal) => client.events(cluster, node, { since, signal }),
};
