/**
 * Client module /dashboard/api.js: same-origin JSON calls to the public HTTP API. The bearer
 * token lives in sessionStorage (this tab only) and is never put in a URL. API errors
 * (`{"error":{"code","message"}}`) become ApiError with the HTTP status.
 */
// biome-ignore lint/complexity/noUselessStringRaw: raw, so escapes in the client source reach the browser as written.
export const apiClientJs = String.raw`// Calls to the hearsay HTTP API.
const TOKEN_KEY = "hearsay.apiToken";

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
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
    const status = this.status ? "HTTP " + this.status + " " : "";
    return this.method + " " + this.path + " failed: " + status + this.code + ": " + this.message;
  }
}

export function clusterPath(cluster, node) {
  let path = "/v1/clusters/" + encodeURIComponent(cluster);
  if (node !== undefined) path += "/nodes/" + encodeURIComponent(node);
  return path;
}

export function authHeaders(extra) {
  const headers = Object.assign({}, extra);
  const token = getToken();
  if (token) headers.authorization = "Bearer " + token;
  return headers;
}

export async function call(method, path, body) {
  const headers = authHeaders({ accept: "application/json" });
  if (body !== undefined) headers["content-type"] = "application/json";
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (error) {
    throw new ApiError(method, path, 0, "network_error", "the API did not answer (" + String(error) + ")");
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
      error.code || "http_" + res.status,
      error.message || res.statusText || "request failed",
    );
  }
  return data;
}

const enc = encodeURIComponent;

export const api = {
  summary: (cluster) => call("GET", clusterPath(cluster) + "?digests=true"),
  view: (cluster, node) => call("GET", clusterPath(cluster, node)),
  bootstrap: (cluster, size, config) => call("POST", clusterPath(cluster) + "/bootstrap", { size, config }),
  setKey: (cluster, node, key, value) =>
    call("PUT", clusterPath(cluster, node) + "/state/" + enc(key), { value }),
  deleteKey: (cluster, node, key) => call("DELETE", clusterPath(cluster, node) + "/state/" + enc(key)),
  stop: (cluster, node) => call("POST", clusterPath(cluster, node) + "/stop"),
  start: (cluster, node) => call("POST", clusterPath(cluster, node) + "/start"),
  leave: (cluster, node) => call("POST", clusterPath(cluster, node) + "/leave"),
};
`;
