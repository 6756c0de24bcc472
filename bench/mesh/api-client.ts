/**
 * The few HTTP calls the bench makes to a local hearsay Worker: bootstrap, read a node's view,
 * write state, stop, hang and start a node. Loopback only; every call has a timeout; a non-2xx answer throws
 * with the API's error body.
 */
import type { GossipConfigInput } from "../../src/core/index.js";
import type { NodeView } from "../../src/node/rpc-types.js";

const CALL_TIMEOUT_MS = 10_000;

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what} answered ${status}: ${body.slice(0, 300)}`);
    this.name = "ApiCallError";
  }
}

/**
 * One JSON call to the local Worker with a deadline: the parsed answer, or an ApiCallError
 * carrying the API's error body. The bench's and the soak's clients both go through it.
 */
export async function apiCall(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
  timeoutMs = CALL_TIMEOUT_MS,
): Promise<unknown> {
  const sent = { ...headers };
  if (body !== undefined) sent["content-type"] = "application/json";
  const res = await fetch(url, {
    method,
    headers: sent,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new ApiCallError(res.status, text, `${method} ${new URL(url).pathname}`);
  return JSON.parse(text) as unknown;
}

export class HearsayClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {
    const host = new URL(baseUrl).hostname;
    if (host !== "127.0.0.1") throw new Error(`the bench talks to 127.0.0.1 only, not ${host}`);
  }

  nodeUrl(cluster: string, node: string): string {
    return `${this.baseUrl}/v1/clusters/${encodeURIComponent(cluster)}/nodes/${encodeURIComponent(node)}`;
  }

  /** The members query of a cluster, answered by any running node. */
  membersUrl(cluster: string): string {
    return `${this.baseUrl}/v1/clusters/${encodeURIComponent(cluster)}/members`;
  }

  bootstrap(cluster: string, size: number, config: GossipConfigInput): Promise<unknown> {
    return this.call("POST", `${this.baseUrl}/v1/clusters/${encodeURIComponent(cluster)}/bootstrap`, {
      size,
      config,
    });
  }

  view(cluster: string, node: string): Promise<NodeView> {
    return this.call("GET", this.nodeUrl(cluster, node)) as Promise<NodeView>;
  }

  setState(cluster: string, node: string, key: string, value: string): Promise<unknown> {
    return this.call("PUT", `${this.nodeUrl(cluster, node)}/state/${encodeURIComponent(key)}`, { value });
  }

  stop(cluster: string, node: string): Promise<NodeView> {
    return this.call("POST", `${this.nodeUrl(cluster, node)}/stop`) as Promise<NodeView>;
  }

  /** Fault injection: the node takes calls and never answers them, until started. */
  hang(cluster: string, node: string): Promise<NodeView> {
    return this.call("POST", `${this.nodeUrl(cluster, node)}/hang`) as Promise<NodeView>;
  }

  start(cluster: string, node: string): Promise<NodeView> {
    return this.call("POST", `${this.nodeUrl(cluster, node)}/start`) as Promise<NodeView>;
  }

  authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  private call(method: string, url: string, body?: unknown): Promise<unknown> {
    return apiCall(method, url, this.authHeaders(), body);
  }
}
