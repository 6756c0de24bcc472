/**
 * The HTTP calls the chaos soak makes to a local hearsay Worker: bootstrap, views, writes, the
 * fault injections (stop, start, evict, delete the alarm), a node's event log read from its
 * server-sent events, and the cron keeper fired through wrangler dev's scheduled endpoint.
 * Loopback only; every call has a timeout; a non-2xx answer throws an ApiCallError.
 */
import type { GossipConfigInput } from "../../src/core/index.js";
import type { NodeView, SequencedEvent } from "../../src/node/rpc-types.js";
import { SseReader } from "../../test/support/sse.js";
import { ApiCallError } from "../mesh/api-client.js";

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

  bootstrap(size: number, config: GossipConfigInput): Promise<unknown> {
    return this.call("POST", `${this.baseUrl}/v1/clusters/${encodeURIComponent(this.cluster)}/bootstrap`, {
      size,
      config,
    });
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

  /**
   * The events a node logged after `since` (its in-memory log, from the server-sent events
   * stream): read until the stream is quiet for `quietMs`, then closed. Events still on their
   * way are read by the next call, which passes the last seq read here.
   */
  async eventsSince(node: string, since: number, quietMs: number): Promise<SequencedEvent[]> {
    const res = await fetch(`${this.nodeUrl(node)}/events?since=${since}`, {
      headers: this.authHeaders(),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS + quietMs),
    });
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => "");
      throw new ApiCallError(res.status, text, `GET events of ${node}`);
    }
    const reader = new SseReader(res.body);
    const events: SequencedEvent[] = [];
    try {
      // The first message is the `retry` field, sent before the first poll of the node.
      const first = await reader.next(CALL_TIMEOUT_MS).catch(() => null);
      if (first === null) return events;
      for (;;) {
        const message = await reader.next(quietMs).catch(() => null);
        if (message === null) break;
        if (message.event === "error") break;
        if (message.data !== undefined && message.id !== undefined) {
          events.push(JSON.parse(message.data) as SequencedEvent);
        }
      }
    } finally {
      await reader.cancel();
    }
    return events;
  }

  authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  private async call(method: string, url: string, body?: unknown): Promise<unknown> {
    const headers = this.authHeaders();
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const text = await res.text();
    if (!res.ok) throw new ApiCallError(res.status, text, `${method} ${new URL(url).pathname}`);
    return JSON.parse(text) as unknown;
  }
}
