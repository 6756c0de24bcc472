/**
 * Helpers for watch tests inside workerd: open a node's watch through the Worker as a client
 * would (an upgrade request), collect what it sends with deadlines, and lower a node's watcher
 * cap for one test (the cap lives in the node's memory; a wake-up restores the configured one).
 */
import { runInDurableObject } from "cloudflare:test";
import type { GossipNode } from "../../../src/node/gossip-node.js";
import type { SequencedEvent } from "../../../src/node/rpc-types.js";
import { call } from "./api.js";
import { nodeStub, waitFor } from "./nodes.js";

/** A watcher's socket and everything it has received so far. */
export class WatchClient {
  readonly texts: string[] = [];
  closeCode: number | null = null;
  closeReason = "";

  constructor(readonly socket: WebSocket) {
    socket.accept();
    socket.addEventListener("message", (message) => {
      this.texts.push(typeof message.data === "string" ? message.data : "(binary)");
    });
    socket.addEventListener("close", (event) => {
      this.closeCode = event.code;
      this.closeReason = event.reason;
    });
  }

  /** Received events (texts other than the keepalive's answer). */
  get events(): SequencedEvent[] {
    return this.texts.filter((text) => text.startsWith("{")).map((text) => JSON.parse(text));
  }

  /** Waits until `match` holds for a received event; returns it. */
  until(
    match: (event: SequencedEvent) => boolean,
    label: string,
    timeoutMs = 15_000,
  ): Promise<SequencedEvent> {
    return waitFor(label, async () => this.events.find(match), timeoutMs);
  }

  close(): void {
    try {
      this.socket.close(1000, "test done");
    } catch {
      // Already closed.
    }
  }
}

/** Opens `path` (a node's watch) as a WebSocket; the response when it is not a 101. */
export async function openWatch(path: string, token: string | null = null): Promise<WatchClient | Response> {
  const res = await call("GET", path, { token, headers: { Upgrade: "websocket" } });
  if (res.status !== 101 || !res.webSocket) return res;
  return new WatchClient(res.webSocket);
}

/** Sets how many watchers a node accepts, until it is evicted. */
export async function setWatchCap(cluster: string, node: string, cap: number): Promise<void> {
  await runInDurableObject(nodeStub(cluster, node), async (instance: GossipNode) => {
    instance.watchers.cap = cap;
  });
}

/** How many watchers a node holds now. */
export async function watcherCount(cluster: string, node: string): Promise<number> {
  return runInDurableObject(nodeStub(cluster, node), async (instance: GossipNode) => instance.watchers.count);
}
