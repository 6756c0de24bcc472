/**
 * Same-origin JSON calls to the public HTTP API. The bearer token lives in sessionStorage (this
 * tab only) and is never put in a URL. API errors (`{"error":{"code","message"}}`) become
 * ApiError with the HTTP status. The shapes below are the documented fields the page reads;
 * the API may send more, and the page ignores what it does not know.
 */

/**
 * @typedef {object} MemberView A member record as a node sees it.
 * @property {string} node
 * @property {string} status
 * @property {number} generation
 * @property {number} heartbeat
 * @property {number | null} phi
 * @property {number} maxVersion
 * @property {Record<string, string>} [state]
 */

/**
 * @typedef {object} NodeView GET /v1/clusters/:cluster/nodes/:node
 * @property {string} node
 * @property {boolean} running
 * @property {number} generation
 * @property {string} status
 * @property {MemberView} self
 * @property {MemberView[]} members
 * @property {string[]} [seeds]
 * @property {Record<string, unknown>} [config]
 * @property {Record<string, number>} [counters]
 */

/**
 * @typedef {object} NodeSummary One node in GET /v1/clusters/:cluster
 * @property {string} node
 * @property {boolean} configured
 * @property {boolean} running
 * @property {boolean} live
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
 * @param {string} cluster
 * @param {string} [node]
 */
export function clusterPath(cluster, node) {
  let path = `/v1/clusters/${encodeURIComponent(cluster)}`;
  if (node !== undefined) path += `/nodes/${encodeURIComponent(node)}`;
  return path;
}

/** @param {Record<string, string>} [extra] */
export function authHeaders(extra) {
  /** @type {Record<string, string>} */
  const headers = { ...extra };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  return headers;
}

/**
 * One API call; resolves to the parsed JSON body, rejects with ApiError.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function call(method, path, body) {
  const headers = authHeaders({ accept: "application/json" });
  if (body !== undefined) headers["content-type"] = "application/json";
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (error) {
    throw new ApiError(method, path, 0, "network_error", `the API did not answer (${String(error)})`);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const error = data && typeof data.error === "object" && data.error ? data.error : {};
    throw new ApiError(
      method,
      path,
      res.status,
      error.code || `http_${res.status}`,
      error.message || res.statusText || "request failed",
    );
  }
  return data;
}

const enc = encodeURIComponent;

export const api = {
  /** @param {string} cluster */
  summary: (cluster) => call("GET", clusterPath(cluster)),
  /**
   * @param {string} cluster
   * @param {string} node
   * @returns {Promise<NodeView>}
   */
  view: (cluster, node) => call("GET", clusterPath(cluster, node)),
  /**
   * @param {string} cluster
   * @param {number} size
   * @param {Record<string, unknown>} config
   */
  bootstrap: (cluster, size, config) => call("POST", `${clusterPath(cluster)}/bootstrap`, { size, config }),
  /**
   * @param {string} cluster
   * @param {string} node
   * @param {string} key
   * @param {string} value
   */
  setKey: (cluster, node, key, value) =>
    call("PUT", `${clusterPath(cluster, node)}/state/${enc(key)}`, { value }),
  /**
   * @param {string} cluster
   * @param {string} node
   * @param {string} key
   */
  deleteKey: (cluster, node, key) => call("DELETE", `${clusterPath(cluster, node)}/state/${enc(key)}`),
  /**
   * @param {string} cluster
   * @param {string} node
   * @returns {Promise<NodeView>}
   */
  stop: (cluster, node) => call("POST", `${clusterPath(cluster, node)}/stop`),
  /**
   * @param {string} cluster
   * @param {string} node
   * @returns {Promise<NodeView>}
   */
  start: (cluster, node) => call("POST", `${clusterPath(cluster, node)}/start`),
  /**
   * @param {string} cluster
   * @param {string} node
   */
  leave: (cluster, node) => call("POST", `${clusterPath(cluster, node)}/leave`),
};
