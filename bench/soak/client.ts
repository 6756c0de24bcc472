/**
 * The HTTP calls the chaos soak makes to a local hearsay Worker: bootstrap, views, writes, the
 * fault injections (stop, start, hang, evict, delete the alarm), agents' heartbeats and leaves,
 * every node's event log followed through its server-sent events, and the cron keeper fired
 * through wrangler dev's scheduled endpoint.
 * Loopback only; every call has a timeout; a non-2xx answer throws an ApiCallError.
 */
import type { GossipConfigInput } from "../../src/core/index.js";
import type { AgentClaim, NodeView, SequencedEvent } from "../../src/node/rpc-types.js";
import { SseReader } from "../../tools/sse-reader.js";
import { apiCall } from "../mesh/api-client.js";

const CALL_TIMEOUT_MS = 15_000;

/**
 * wrangler dev's endpoints that run the Worker's scheduled() (cron triggers do not fire
 * locally). Wrangler 4 serves the first; the second is its older name; `/__scheduled` needs
 * `--test-scheduled`. The first that answers 200 is used from then on.
 */
const SCHEDULED_PATHS = ["/cdn-cgi/local/scheduled", "/cdn-cgi/handler/scheduled", "/__scheduled"];

export class SoakClient {
  private scheduledPath: string | null = null;

  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    readonly cluster: string,
  ) {
    const host = new URL(baseUrl).hostname;
    if (host !== "127.0.0.1") throw new Error(`the soak talks to 127.0.0.1 only, not ${host}`);
  }

  nodeUrl(node: string): string {
    return `${this.baseUrl}/v1/clusters/${encodeURIComponent(this.cluster)}/nodes/${encodeURIComponent(node)}`;
  }

  /** Starts every node, one bootstrap call per page, each from the previous answer's `next`. */
  async bootstrap(size: number, config: GossipConfigInput): Promise<void> {
    const url = `${this.baseUrl}/v1/clusters/${encodeURIComponent(this.cluster)}/bootstrap`;
    let from: number | null = 0;
    while (from !== null) {
      const answer = (await this.call("POST", url, { size, config, ...(from > 0 ? { from } : {}) })) as {
        next: number | null;
      };
      from = answer.next;
    }
  }

  view(node: string): Promise<NodeView> {
    return this.call("GET", this.nodeUrl(node)) as Promise<NodeView>;
  }

  async put(node: string, key: string, value: string): Promise<{ version: number }> {
    return (await this.call("PUT", `${this.nodeUrl(node)}/state/${encodeURIComponent(key)}`, {
      value,
    })) as { version: number };
  }

  stop(node: string): Promise<NodeView> {
    return this.call("POST", `${this.nodeUrl(node)}/stop`) as Promise<NodeView>;
  }

  start(node: string): Promise<NodeView> {
    return this.call("POST", `${this.nodeUrl(node)}/start`) as Promise<NodeView>;
  }

  /** Freezes a node (no rounds, peers unanswered) until `start`, which resumes its generation. */
  hang(node: string): Promise<NodeView> {
    return this.call("POST", `${this.nodeUrl(node)}/hang`) as Promise<NodeView>;
  }

  /** An agent's heartbeat (registers it on the first); answers what its home did. */
  agentHeartbeat(agent: string, intervalMs: number): Promise<AgentClaim> {
    return this.call("PUT", this.agentUrl(agent), { intervalMs }) as Promise<AgentClaim>;
  }

  /** An agent's graceful leave. */
  agentLeave(agent: string): Promise<AgentClaim> {
    return this.call("DELETE", this.agentUrl(agent)) as Promise<AgentClaim>;
  }

  private agentUrl(agent: string): string {
    return `${this.baseUrl}/v1/clusters/${encodeURIComponent(this.cluster)}/agents/${encodeURIComponent(agent)}`;
  }

  async evict(node: string): Promise<void> {
    await this.call("POST", `${this.nodeUrl(node)}/evict`);
  }

  async deleteAlarm(node: string): Promise<boolean> {
    return ((await this.call("DELETE", `${this.nodeUrl(node)}/alarm`)) as { deleted: boolean }).deleted;
  }

  /** Runs the Worker's scheduled() once (the cron keeper); throws when no endpoint answers. */
  async triggerScheduled(): Promise<void> {
    const paths = this.scheduledPath ? [this.scheduledPath] : SCHEDULED_PATHS;
    let last = "";
    for (const path of paths) {
      const res = await fetch(`${this.baseUrl}${path}?cron=${encodeURIComponent("* * * * *")}`, {
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
      const text = await res.text();
      if (res.ok) {
        this.scheduledPath = path;
        return;
      }
      last = `${path} answered ${res.status}: ${text.slice(0, 200)}`;
    }
    throw new Error(`could not run scheduled(): ${last}`);
  }

  authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  private call(method: string, url: string, body?: unknown): Promise<unknown> {
    return apiCall(method, url, this.authHeaders(), body, CALL_TIMEOUT_MS);
  }
}

/** A pause before reconnecting a stream; longer after a 429 (the node's streams are capped). */
const RECONNECT_MS = 500;
const RECONNECT_AFTER_429_MS = 3_000;
/** The Worker sends a comment every 15 s: this long without a message means a dead stream. */
const STREAM_SILENCE_MS = 45_000;

/**
 * Follows one node's event log through one long-lived server-sent events stream, reconnecting
 * after `lastSeq` whenever the stream ends (the Worker ends each after 5 minutes, or with an
 * error event when the node's object was reset). One stream per node: a stream the client
 * closes may keep its slot on the Worker for minutes, so short reads would hit the node's
 * stream cap.
 */
export class EventFollower {
  lastSeq = 0;
  /** Since when the current stream is open (null: not connected). */
  connectedSince: number | null = null;
  connects = 0;
  readonly errors: Record<string, number> = {};
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;

  constructor(
    private readonly client: SoakClient,
    readonly node: string,
    private readonly onEvent: (event: SequencedEvent) => void,
  ) {
    this.done = this.loop();
  }

  /** True when the stream has been open for at least `ms` (it has polled the node since). */
  openFor(ms: number): boolean {
    return this.connectedSince !== null && Date.now() - this.connectedSince >= ms;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.done;
  }

  private note(cause: string): void {
    this.errors[cause] = (this.errors[cause] ?? 0) + 1;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let pause = RECONNECT_MS;
      try {
        this.connects++;
        const res = await fetch(`${this.client.nodeUrl(this.node)}/events?since=${this.lastSeq}`, {
          headers: this.client.authHeaders(),
          signal: this.abort.signal,
        });
        if (!res.ok || !res.body) {
          this.note(String(res.status));
          if (res.status === 429) pause = RECONNECT_AFTER_429_MS;
          await res.body?.cancel().catch(() => undefined);
        } else {
          this.connectedSince = Date.now();
          const reader = new SseReader(res.body);
          try {
            for (;;) {
              const message = await reader.next(STREAM_SILENCE_MS);
              if (message === null) break;
              if (message.event === "error") {
                this.note("error event");
                break;
              }
              if (message.data === undefined || message.id === undefined) continue;
              const event = JSON.parse(message.data) as SequencedEvent;
              this.lastSeq = Math.max(this.lastSeq, event.seq);
              this.onEvent(event);
            }
          } finally {
            this.connectedSince = null;
            await reader.cancel();
          }
        }
      } catch (error) {
        this.connectedSince = null;
        if (this.stopped) break;
        this.note(error instanceof Error ? error.name : "error");
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
