/**
 * The bench's subscribers of a local hearsay Worker: a WebSocket on a node's watch (Node's own
 * WebSocket) and a server-sent events stream of the same node, each recording when every event
 * arrived, so the bench can time a write from the moment it was made to each subscriber.
 */
import type { SequencedEvent } from "../../src/node/rpc-types.js";
import { WATCH_PING } from "../../src/node/watch-protocol.js";
import { SseReader } from "../../tools/sse-reader.js";

/** One event as a subscriber got it. */
export interface Arrival {
  event: SequencedEvent;
  at: number;
}

export interface Subscriber {
  kind: "ws" | "sse";
  node: string;
  arrivals: Arrival[];
  close(): Promise<void>;
}

/** A WebSocket on `<base>/v1/clusters/<cluster>/nodes/<node>/watch`, open once this resolves. */
export async function watchSocket(
  base: string,
  cluster: string,
  node: string,
  pingEveryMs: number,
): Promise<Subscriber> {
  const socket = new WebSocket(`${base.replace(/^http/, "ws")}/v1/clusters/${cluster}/nodes/${node}/watch`);
  const arrivals: Arrival[] = [];
  socket.addEventListener("message", (message) => {
    const text = String(message.data);
    if (text.startsWith("{")) arrivals.push({ event: JSON.parse(text), at: Date.now() });
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error(`the watch of ${node} did not open`)), {
      once: true,
    });
  });
  const pinger = setInterval(() => socket.send(WATCH_PING), pingEveryMs);
  return {
    kind: "ws",
    node,
    arrivals,
    close: async () => {
      clearInterval(pinger);
      socket.close();
    },
  };
}

/** A followed SSE stream of `<base>/v1/clusters/<cluster>/nodes/<node>/events`, open once this resolves. */
export async function eventStream(base: string, cluster: string, node: string): Promise<Subscriber> {
  const controller = new AbortController();
  const res = await fetch(`${base}/v1/clusters/${cluster}/nodes/${node}/events`, {
    signal: controller.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`the event stream of ${node} answered ${res.status}`);
  const reader = new SseReader(res.body);
  await reader.next(); // the retry line: the relay's watch is open
  const arrivals: Arrival[] = [];
  let open = true;
  const reading = (async () => {
    while (open) {
      const message = await reader.next(24 * 3600_000).catch(() => null);
      if (message === null) return;
      if (message.data !== undefined) arrivals.push({ event: JSON.parse(message.data), at: Date.now() });
    }
  })();
  return {
    kind: "sse",
    node,
    arrivals,
    close: async () => {
      open = false;
      controller.abort();
      await reader.cancel().catch(() => {});
      await reading;
    },
  };
}
