/**
 * The few HTTP calls the bench makes to a local hearsay Worker (bootstrap every page at once,
 * read a node's view, write state, stop, hang and start a node), made with the typed client;
 * `apiCall`, the plain JSON call the soak still uses. Loopback only; every call has a timeout; a non-2xx answer
 * throws with the API's error.
 */

import { BOOTSTRAP_PAGE } from "../../src/api/bootstrap-plan.js";
import {
  type BootstrapRequest,
  type ClusterSummary,
  createHearsayClient,
  type HearsayClient as TypedClient,
} from "../../src/client/index.js";
import type { GossipConfigInput } from "../../src/core/index.js";
import type { NodeView } from "../../src/node/rpc-types.js";

const CALL_TIMEOUT_MS = 10_000;
/**
 * A bootstrap page's deadline. Later pages start nodes while the earlier ones join, and on two
 * cores a 128-node mesh joining can hold a page for over a minute.
 */
const BOOTSTRAP_TIMEOUT_MS = 180_000;

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

/**
 * The bench's calls, through the typed client (src/client) with a deadline on each; the URLs
 * autocannon loads are built here too.
 */
export class HearsayClient {
  /** The typed client every call goes through. */
  readonly api: TypedClient;

  /** The same client with BOOTSTRAP_TIMEOUT_MS as each call's deadline. */
  private readonly starter: TypedClient;

  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {
    const host = new URL(baseUrl).hostname;
    if (host !== "127.0.0.1") throw new Error(`the bench talks to 127.0.0.1 only, not ${host}`);
    // A deadline on each call, unless the caller brought its own signal (event streams).
    const withDeadline = (ms: number) => (input: string | URL | Request) =>
      fetch(input instanceof Request && input.signal.aborted === false ? withTimeout(input, ms) : input);
    this.api = createHearsayClient({ baseUrl, token, fetch: withDeadline(CALL_TIMEOUT_MS) });
    this.starter = createHearsayClient({ baseUrl, token, fetch: withDeadline(BOOTSTRAP_TIMEOUT_MS) });
  }

  nodeUrl(cluster: string, node: string): string {
    return `${this.baseUrl}/v1/clusters/${encodeURIComponent(cluster)}/nodes/${encodeURIComponent(node)}`;
  }

  /** The members query of a cluster, answered by any running node. */
  membersUrl(cluster: string): string {
    return `${this.baseUrl}/v1/clusters/${encodeURIComponent(cluster)}/members`;
  }

  /** The members query's current ETag (what a polling client sends back as If-None-Match). */
  async membersEtag(cluster: string): Promise<string | undefined> {
    const { response } = await this.api.api.GET("/v1/clusters/{cluster}/members", {
      params: { path: { cluster } },
    });
    return response.ok ? (response.headers.get("etag") ?? undefined) : undefined;
  }

  /** The Worker's health route: the floor of what one request through the Worker costs. */
  healthUrl(): string {
    return `${this.baseUrl}/v1/health`;
  }

  /**
   * Every registered node's brief (counts, rounds, wakeRounds; never a full view), from the
   * cluster summary's pages followed by their `next` cursors.
   */
  async briefs(cluster: string): Promise<ClusterSummary["nodes"]> {
    return (await this.api.summaryAll(cluster)).nodes;
  }

  /**
   * Starts every node at once, as a cold start: every page's bootstrap call is sent together
   * (a mesh may be larger than one page), not one after another, where the first pages' nodes
   * would be joining for a minute before the last page started.
   */
  async bootstrap(cluster: string, size: number, config: GossipConfigInput): Promise<void> {
    const pages = Array.from({ length: Math.ceil(size / BOOTSTRAP_PAGE) }, (_, i) => i * BOOTSTRAP_PAGE);
    await Promise.all(
      pages.map((from) => this.starter.bootstrap(cluster, { size, config, from } as BootstrapRequest)),
    );
  }

  view(cluster: string, node: string): Promise<NodeView> {
    // The node's own type: the OpenAPI view schema does not list every field (incarnation).
    return this.api.node(cluster, node) as unknown as Promise<NodeView>;
  }

  setState(cluster: string, node: string, key: string, value: string): Promise<unknown> {
    return this.api.setKey(cluster, node, key, value);
  }

  stop(cluster: string, node: string): Promise<unknown> {
    return this.api.nodeAction(cluster, node, "stop");
  }

  /** Fault injection: the node takes calls and never answers them, until started. */
  hang(cluster: string, node: string): Promise<unknown> {
    return this.api.nodeAction(cluster, node, "hang");
  }

  start(cluster: string, node: string): Promise<unknown> {
    return this.api.nodeAction(cluster, node, "start");
  }

  authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }
}

/** The same request with `ms` as its deadline. */
function withTimeout(request: Request, ms: number): Request {
  return new Request(request, { signal: AbortSignal.timeout(ms) });
}
