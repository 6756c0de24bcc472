/**
 * A small typed client for hearsay's HTTP API, built on openapi-fetch over the types that
 * `npm run client:types` generates from the OpenAPI document (schema.d.ts): nothing here is
 * typed by hand. Calls throw HearsayApiError with the API's `{code, message}` on any 4xx/5xx.
 *
 *   const hearsay = createHearsayClient({ baseUrl: "http://127.0.0.1:8787", token: "dev-token" });
 *   const { members } = await hearsay.members("demo", { status: "alive", keys: "endpoint" });
 *
 * `startAgent` is the heartbeat loop agents will run; the API has no agent routes yet, so each
 * beat fails with `not_found` and is reported to `onError` until they exist.
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths } from "./schema.js";
export type MembersPage = components["schemas"]["MembersPage"];
export type DirectoryMember = components["schemas"]["DirectoryMember"];
export type NodeView = components["schemas"]["NodeView"];
export type PutStateResult = components["schemas"]["PutStateResult"];
export type MembersQuery = NonNullable<paths["/v1/clusters/{cluster}/members"]["get"]["parameters"]["query"]>;

export interface HearsayClientOptions {
  /** e.g. `http://127.0.0.1:8787` (no trailing slash). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`: API_TOKEN for writes, READ_TOKEN for reads if set. */
  token?: string;
  /** Another fetch (tests, proxies). */
  fetch?: typeof fetch;
}

/** An answer in the API's error shape. */
export class HearsayApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = "HearsayApiError";
  }
}

/** The data of an openapi-fetch result, or its error as a HearsayApiError. */
async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data;
  const body = (error ?? {}) as { error?: { code?: string; message?: string } };
  throw new HearsayApiError(
    response.status,
    body.error?.code ?? "unknown",
    body.error?.message ?? (response.statusText || "request failed"),
  );
}

export interface AgentOptions {
  cluster: string;
  agent: string;
  intervalMs: number;
  /** State to publish with every heartbeat (e.g. `{ endpoint: "10.0.0.1:80" }`). */
  state?: Record<string, string>;
  /** A home node to ask for; default a stable choice made by the API. */
  node?: string;
  /** Told of every failed beat; the loop goes on. */
  onError?: (error: unknown) => void;
}

export function createHearsayClient(options: HearsayClientOptions) {
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const api: Client<paths> = createClient<paths>({
    baseUrl: options.baseUrl,
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const fetchImpl = options.fetch ?? fetch;

  return {
    /** The raw typed client, for routes without a helper here. */
    api,

    /** `GET /v1/clusters/:cluster/members`: one page of the directory. */
    members(cluster: string, query: MembersQuery = {}): Promise<MembersPage> {
      return unwrap(api.GET("/v1/clusters/{cluster}/members", { params: { path: { cluster }, query } }));
    },

    /** `GET /v1/clusters/:cluster/nodes/:node`: the node's record and whole view. */
    node(cluster: string, node: string): Promise<NodeView> {
      return unwrap(api.GET("/v1/clusters/{cluster}/nodes/{node}", { params: { path: { cluster, node } } }));
    },

    /** `PUT .../nodes/:node/state/:key`: writes application state on a node. */
    setKey(cluster: string, node: string, key: string, value: string): Promise<PutStateResult> {
      return unwrap(
        api.PUT("/v1/clusters/{cluster}/nodes/{node}/state/{key}", {
          params: { path: { cluster, node, key } },
          body: { value },
        }),
      );
    },

    /**
     * Heartbeats an agent every `intervalMs` until `stop()` (stub: the agent routes are not in
     * the API yet, so every beat fails and goes to `onError`).
     */
    startAgent(agent: AgentOptions): { stop(): Promise<void> } {
      let stopped = false;
      let wake: (() => void) | undefined;
      const beat = async () => {
        const url = `${options.baseUrl}/v1/clusters/${encodeURIComponent(agent.cluster)}/agents/${encodeURIComponent(agent.agent)}`;
        const body = { intervalMs: agent.intervalMs, state: agent.state, node: agent.node };
        const res = await fetchImpl(url, {
          method: "PUT",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
        if (!res.ok)
          throw new HearsayApiError(res.status, json.error?.code ?? "unknown", json.error?.message ?? "");
      };
      const loop = (async () => {
        while (!stopped) {
          await beat().catch((error: unknown) => agent.onError?.(error));
          if (stopped) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, agent.intervalMs);
          });
        }
      })();
      return {
        async stop() {
          stopped = true;
          wake?.();
          await loop;
        },
      };
    },
  };
}

export type HearsayClient = ReturnType<typeof createHearsayClient>;
