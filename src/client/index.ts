/**
 * A small typed client for hearsay's HTTP API, built on openapi-fetch over the types that
 * `npm run client:types` generates from the OpenAPI document (schema.d.ts): nothing here is
 * typed by hand. Calls throw HearsayApiError with the API's `{code, message}` on any 4xx/5xx.
 *
 *   const hearsay = createHearsayClient({ baseUrl: "http://127.0.0.1:8787", token: "dev-token" });
 *   const { members } = await hearsay.members("demo", { status: "alive", keys: "endpoint" });
 *
 * `startAgent` is an agent's heartbeat loop (see docs/agents.md; the `hearsay agent` CLI runs it).
 */
import createClient, { type Client } from "openapi-fetch";
import { followBootstrap, followMembers, followSummary } from "./pages.js";
import type { components, paths } from "./schema.js";

export { combineSummaryPages, followBootstrap, followMembers, followSummary } from "./pages.js";
export type { components, paths } from "./schema.js";
export { parseSseBlock, type SseMessage, sseMessages } from "./sse.js";
export type MembersPage = components["schemas"]["MembersPage"];
export type DirectoryMember = components["schemas"]["DirectoryMember"];
export type NodeView = components["schemas"]["NodeView"];
export type PutStateResult = components["schemas"]["PutStateResult"];
export type BootstrapRequest = components["schemas"]["BootstrapRequest"];
export type BootstrapResult = components["schemas"]["BootstrapResult"];
export type ClusterSummary = components["schemas"]["ClusterSummary"];
export type SummaryQuery = NonNullable<paths["/v1/clusters/{cluster}"]["get"]["parameters"]["query"]>;
/** The fault-injection and lifecycle actions on one node, as `POST .../nodes/:node/<action>`. */
export type NodeAction = "leave" | "stop" | "hang" | "start";
export type MembersQuery = NonNullable<paths["/v1/clusters/{cluster}/members"]["get"]["parameters"]["query"]>;
export type Owner = components["schemas"]["Owner"];
export type Owners = components["schemas"]["Owners"];
export type OwnersBatch = components["schemas"]["OwnersBatch"];
/** What `owners` and `ownersOf` take besides the keys: n, kind, region, from. */
export type OwnersOptions = Omit<components["schemas"]["OwnersRequest"], "keys">;

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
    /** The API's own message, as it sent it. */
    readonly apiMessage: string,
  ) {
    super(`${status} ${code}: ${apiMessage}`);
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

export type AgentClaim = components["schemas"]["AgentClaim"];
export type AgentHeartbeatRequest = components["schemas"]["AgentHeartbeatRequest"];

export interface AgentOptions {
  cluster: string;
  agent: string;
  /** Heartbeat period, ms (100..60000). The home expects a heartbeat about this often. */
  intervalMs: number;
  /** State to publish (e.g. `{ endpoint: "10.0.0.1:80" }`): sent on the first beat and after changes. */
  state?: Record<string, string>;
  /** A home node to ask for; default a stable choice made by the API. */
  node?: string;
  /** Longest wait between beats while they fail, ms (default 30 s). */
  maxBackoffMs?: number;
  /** Told of every successful beat. */
  onBeat?: (claim: AgentClaim) => void;
  /** Told of every failed beat; the loop goes on, backing off. */
  onError?: (error: unknown) => void;
}

/** Outcomes after which the home may not hold the agent's state: the loop sends it again. */
const STATE_LOST: ReadonlySet<AgentClaim["outcome"]> = new Set(["registered", "takeover"]);

/** A running agent loop. */
export interface AgentLoop {
  /** Merges keys into the published state; they go with the next beat. */
  setState(state: Record<string, string>): void;
  /** The last claim the home answered, if any. */
  readonly last: AgentClaim | undefined;
  /** Ends the loop; with `leave`, announces the agent's graceful leave (DELETE) as it ends. */
  stop(options?: { leave?: boolean }): Promise<void>;
}

/**
 * The wait before the next beat: one interval after the last beat began while beats succeed;
 * after failures, the interval doubled per failure up to `maxMs`, with up to 20% jitter so
 * many agents of a failed mesh do not come back in step.
 */
export function nextBeatDelay(
  intervalMs: number,
  failures: number,
  maxMs: number,
  rng = Math.random,
): number {
  if (failures === 0) return intervalMs;
  const backoff = Math.min(maxMs, intervalMs * 2 ** Math.min(failures - 1, 20));
  return backoff * (1 - 0.2 * rng());
}

export function createHearsayClient(options: HearsayClientOptions) {
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const api: Client<paths> = createClient<paths>({
    baseUrl: options.baseUrl,
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  return {
    /** The raw typed client, for routes without a helper here. */
    api,

    /** `GET /v1/clusters/:cluster/members`: one page of the directory. */
    members(cluster: string, query: MembersQuery = {}): Promise<MembersPage> {
      return unwrap(api.GET("/v1/clusters/{cluster}/members", { params: { path: { cluster }, query } }));
    },

    /** Every page of the directory, joined, all read from the node that answered the first. */
    membersAll(cluster: string, query: Omit<MembersQuery, "cursor"> = {}): Promise<MembersPage> {
      return followMembers((cursor, from) =>
        unwrap(
          api.GET("/v1/clusters/{cluster}/members", {
            params: {
              path: { cluster },
              query: { ...query, ...(from ? { from } : {}), ...(cursor ? { cursor } : {}) },
            },
          }),
        ),
      );
    },

    /** `GET /v1/clusters/:cluster/owners?key=`: one key's owners, in preference order. */
    owners(cluster: string, key: string, options: OwnersOptions = {}): Promise<Owners> {
      const { n, ...rest } = options;
      const query = { key, ...rest, ...(n === undefined ? {} : { n: String(n) }) };
      return unwrap(api.GET("/v1/clusters/{cluster}/owners", { params: { path: { cluster }, query } }));
    },

    /** `POST /v1/clusters/:cluster/owners`: the owners of up to 1000 keys, from one node's view. */
    ownersOf(cluster: string, keys: string[], options: OwnersOptions = {}): Promise<OwnersBatch> {
      return unwrap(
        api.POST("/v1/clusters/{cluster}/owners", {
          params: { path: { cluster } },
          body: { keys, ...options },
        }),
      );
    },

    /** `GET /v1/clusters/:cluster/nodes/:node`: the node's record and whole view. */
    node(cluster: string, node: string): Promise<NodeView> {
      return unwrap(api.GET("/v1/clusters/{cluster}/nodes/{node}", { params: { path: { cluster, node } } }));
    },

    /** `GET /v1/health`: the Worker answers. */
    health(): Promise<{ ok: boolean }> {
      return unwrap(api.GET("/v1/health"));
    },

    /**
     * `POST /v1/clusters/:cluster/bootstrap`, one call: starts (or restarts) a page of nodes,
     * n{from}.. of n0..n{size-1}. For a cluster larger than a page, `next` says where the next
     * call starts and `complete` is false; `bootstrapAll` makes every call.
     */
    bootstrap(cluster: string, body: BootstrapRequest): Promise<BootstrapResult> {
      return unwrap(api.POST("/v1/clusters/{cluster}/bootstrap", { params: { path: { cluster } }, body }));
    },

    /**
     * Starts (or restarts) every node n{from ?? 0}..n{size-1}, one bootstrap call per page,
     * following `next`; the answer lists every node started. A failed call throws, and the
     * nodes of the calls before it are running: call again with that call's `from`.
     */
    bootstrapAll(
      cluster: string,
      body: BootstrapRequest,
      onPage?: (result: BootstrapResult) => void,
    ): Promise<BootstrapResult> {
      return followBootstrap(
        (page) =>
          unwrap(api.POST("/v1/clusters/{cluster}/bootstrap", { params: { path: { cluster } }, body: page })),
        body,
        onPage,
      );
    },

    /**
     * `GET /v1/clusters/:cluster`, one page: those nodes in brief, and whether their views agree.
     * `complete` false means the verdict covers this page only; `summaryAll` reads them all.
     */
    summary(cluster: string, query: SummaryQuery = {}): Promise<ClusterSummary> {
      return unwrap(api.GET("/v1/clusters/{cluster}", { params: { path: { cluster }, query } }));
    },

    /**
     * Every page of the summary, combined: every node in brief, and the cluster's verdict
     * (fingerprints summed over the pages; one fingerprint means converged).
     */
    summaryAll(cluster: string, query: Omit<SummaryQuery, "cursor"> = {}): Promise<ClusterSummary> {
      return followSummary((cursor) =>
        unwrap(
          api.GET("/v1/clusters/{cluster}", {
            params: { path: { cluster }, query: cursor === undefined ? query : { ...query, cursor } },
          }),
        ),
      );
    },

    /** `POST .../nodes/:node/{leave,stop,hang,start}`: the node's record and view afterwards. */
    nodeAction(cluster: string, node: string, action: NodeAction): Promise<NodeView> {
      const params = { params: { path: { cluster, node } } };
      switch (action) {
        case "leave":
          return unwrap(api.POST("/v1/clusters/{cluster}/nodes/{node}/leave", params));
        case "stop":
          return unwrap(api.POST("/v1/clusters/{cluster}/nodes/{node}/stop", params));
        case "hang":
          return unwrap(api.POST("/v1/clusters/{cluster}/nodes/{node}/hang", params));
        case "start":
          return unwrap(api.POST("/v1/clusters/{cluster}/nodes/{node}/start", params));
      }
    },

    /**
     * `GET .../nodes/:node/events`: the server-sent event stream's body, to read as it comes
     * (`since` resumes after that sequence number). Cancel it, or abort `signal`, to close it.
     * `follow: false` reads the events the node holds now, and the stream ends by itself.
     */
    async events(
      cluster: string,
      node: string,
      options: { since?: number; follow?: boolean; signal?: AbortSignal } = {},
    ): Promise<ReadableStream<Uint8Array>> {
      const query = {
        ...(options.since === undefined ? {} : { since: String(options.since) }),
        ...(options.follow === false ? { follow: "false" as const } : {}),
      };
      const body = await unwrap(
        api.GET("/v1/clusters/{cluster}/nodes/{node}/events", {
          params: { path: { cluster, node }, query },
          parseAs: "stream",
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
      return body as ReadableStream<Uint8Array>;
    },

    /** `DELETE .../nodes/:node/state/:key`: deletes a key (a tombstone). */
    deleteKey(cluster: string, node: string, key: string): Promise<Omit<PutStateResult, "value">> {
      return unwrap(
        api.DELETE("/v1/clusters/{cluster}/nodes/{node}/state/{key}", {
          params: { path: { cluster, node, key } },
        }),
      );
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

    /** `PUT /v1/clusters/:cluster/agents/:agent`: one heartbeat (the first registers the agent). */
    agentHeartbeat(cluster: string, agent: string, body: AgentHeartbeatRequest): Promise<AgentClaim> {
      return unwrap(
        api.PUT("/v1/clusters/{cluster}/agents/{agent}", { params: { path: { cluster, agent } }, body }),
      );
    },

    /** `DELETE /v1/clusters/:cluster/agents/:agent`: the agent's graceful leave. */
    agentLeave(cluster: string, agent: string): Promise<AgentClaim> {
      return unwrap(
        api.DELETE("/v1/clusters/{cluster}/agents/{agent}", { params: { path: { cluster, agent } } }),
      );
    },

    /**
     * Heartbeats an agent every `intervalMs` (measured from the start of each beat, so a slow
     * answer does not stretch the period) until `stop()`. State goes with the first beat, after
     * `setState`, and again after any failure or a fresh registration; failures back off (see
     * nextBeatDelay) and are reported to `onError`. Each beat times out after two intervals.
     */
    startAgent(agent: AgentOptions): AgentLoop {
      const maxBackoffMs = agent.maxBackoffMs ?? 30_000;
      let stopped = false;
      let wake: (() => void) | undefined;
      let failures = 0;
      let last: AgentClaim | undefined;
      let state = { ...(agent.state ?? {}) };
      let stateDue = Object.keys(state).length > 0;
      const beat = async (): Promise<void> => {
        const body: AgentHeartbeatRequest = { intervalMs: agent.intervalMs };
        const sending = stateDue;
        if (sending) body.state = state;
        if (agent.node !== undefined) body.node = agent.node;
        stateDue = false;
        try {
          last = await unwrap(
            api.PUT("/v1/clusters/{cluster}/agents/{agent}", {
              params: { path: { cluster: agent.cluster, agent: agent.agent } },
              body,
              signal: AbortSignal.timeout(Math.max(2 * agent.intervalMs, 1_000)),
            }),
          );
        } catch (error) {
          if (sending) stateDue = true;
          throw error;
        }
        // Registered afresh (after a leave, or forgotten) or taken over by a new home, without
        // our state: send it next time.
        if (STATE_LOST.has(last.outcome) && !sending && Object.keys(state).length > 0) stateDue = true;
        agent.onBeat?.(last);
      };
      const loop = (async () => {
        while (!stopped) {
          const began = Date.now();
          try {
            await beat();
            failures = 0;
          } catch (error) {
            failures++;
            agent.onError?.(error);
          }
          if (stopped) break;
          const delay = nextBeatDelay(agent.intervalMs, failures, maxBackoffMs) - (Date.now() - began);
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, Math.max(0, delay));
          });
        }
      })();
      return {
        setState(patch) {
          state = { ...state, ...patch };
          stateDue = true;
        },
        get last() {
          return last;
        },
        async stop(options) {
          stopped = true;
          wake?.();
          await loop;
          if (options?.leave) {
            await unwrap(
              api.DELETE("/v1/clusters/{cluster}/agents/{agent}", {
                params: { path: { cluster: agent.cluster, agent: agent.agent } },
              }),
            );
          }
        },
      };
    },
  };
}

export type HearsayClient = ReturnType<typeof createHearsayClient>;

/** The package's name for createHearsayClient: `import { createClient } from "hearsay"`. */
export { createHearsayClient as createClient };

/** An agent's heartbeat loop on a client of its own: `startAgent({ baseUrl, token, cluster, agent, intervalMs })`. */
export function startAgent(options: HearsayClientOptions & AgentOptions): AgentLoop {
  return createHearsayClient(options).startAgent(options);
}
