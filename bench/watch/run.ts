/**
 * `npm run bench:watch`: what watching costs and how fast it is, on a real mesh in a local
 * `wrangler dev`. Change-to-subscriber latency (p50, p99) over a WebSocket on a node's watch
 * and over its SSE stream, from the moment a write is made on another node; the Durable Object
 * requests that idle subscribers cause over a window, from the nodes' own counters; dollars per
 * subscriber-month. Prints its configuration and figures, and writes bench/results/watch-<date>.json.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MAX_STREAM_MS } from "../../src/api/stream-limits.js";
import { waitFor } from "../../tools/poll.js";
import { startWranglerDev } from "../../tools/wrangler-dev.js";
import { HearsayClient } from "../mesh/api-client.js";
import {
  idleRequests,
  POLLED_REQUESTS_PER_STREAM_SECOND,
  percentile,
  perSubscriberMonth,
  type WatchCounters,
} from "./figures.js";
import { eventStream, type Subscriber, watchSocket } from "./subscribers.js";

const { values: args } = parseArgs({
  options: {
    nodes: { type: "string", default: "32" },
    interval: { type: "string", default: "1000" },
    samples: { type: "string", default: "40" },
    subscribers: { type: "string", default: "100" },
    "idle-seconds": { type: "string", default: "60" },
    "ping-seconds": { type: "string", default: "20" },
    quick: { type: "boolean", default: false },
    out: { type: "string", default: "bench/results" },
  },
});
const quick = args.quick === true;
const config = {
  nodes: quick ? 4 : Number(args.nodes),
  intervalMs: Number(args.interval),
  samples: quick ? 5 : Number(args.samples),
  subscribers: quick ? 10 : Number(args.subscribers),
  idleSeconds: quick ? 5 : Number(args["idle-seconds"]),
  pingSeconds: Number(args["ping-seconds"]),
};
const CLUSTER = "bench-watch";

async function main(): Promise<void> {
  console.log(`bench:watch configuration: ${JSON.stringify(config)}`);
  const dev = await startWranglerDev({ startTimeoutMs: 120_000 });
  const subscribers: Subscriber[] = [];
  try {
    const client = new HearsayClient(dev.url, dev.token);
    const names = Array.from({ length: config.nodes }, (_, i) => `n${i}`);
    await client.bootstrap(CLUSTER, config.nodes, { intervalMs: config.intervalMs });
    await waitFor(
      "every node to see every node alive",
      async () => {
        const briefs = await client.briefs(CLUSTER);
        return briefs.length === config.nodes && briefs.every((b) => (b.members.alive ?? 0) === config.nodes);
      },
      600_000,
      1_000,
    );
    console.log(`${config.nodes} nodes converged`);

    // 1. Latency: one WebSocket and one SSE stream on n0; each write is made on another node.
    const ws = await watchSocket(dev.url, CLUSTER, "n0", config.pingSeconds * 1000);
    const sse = await eventStream(dev.url, CLUSTER, "n0");
    subscribers.push(ws, sse);
    const wsMs: number[] = [];
    const sseMs: number[] = [];
    // From the moment n0 recorded the event (its `at`) to the subscriber: the watch's own part.
    const wsDeliveryMs: number[] = [];
    const sseDeliveryMs: number[] = [];
    for (let i = 0; i < config.samples; i++) {
      const writer = names[1 + (i % (config.nodes - 1))] as string;
      const key = `bench${i}`;
      const wroteAt = Date.now();
      await client.setState(CLUSTER, writer, key, String(i));
      const got = (s: Subscriber) =>
        s.arrivals.find(
          (a) => a.event.type === "state" && a.event.node === writer && (a.event.keys ?? []).includes(key),
        );
      const [a, b] = await waitFor(
        `write ${i} at both subscribers`,
        async () => {
          const pair = [got(ws), got(sse)];
          return pair[0] && pair[1] ? pair : undefined;
        },
        60_000,
        5,
      );
      wsMs.push((a?.at ?? 0) - wroteAt);
      sseMs.push((b?.at ?? 0) - wroteAt);
      wsDeliveryMs.push((a?.at ?? 0) - (a?.event.at ?? 0));
      sseDeliveryMs.push((b?.at ?? 0) - (b?.event.at ?? 0));
    }
    const figures = (values: number[]) => ({
      p50: percentile(values, 50),
      p99: percentile(values, 99),
      samples: values.length,
    });
    const latency = { ws: figures(wsMs), sse: figures(sseMs) };
    const delivery = { ws: figures(wsDeliveryMs), sse: figures(sseDeliveryMs) };
    console.log(
      `change-to-subscriber latency at ${config.nodes} nodes (ms, from the PUT on another node): WebSocket p50 ${latency.ws.p50} p99 ${latency.ws.p99}; SSE p50 ${latency.sse.p50} p99 ${latency.sse.p99} (${config.samples} writes)`,
    );
    console.log(
      `of which delivery (ms, from the watched node recording the event): WebSocket p50 ${delivery.ws.p50} p99 ${delivery.ws.p99}; SSE p50 ${delivery.sse.p50} p99 ${delivery.sse.p99}`,
    );

    // 2. Idle subscribers: half WebSockets, half SSE streams, spread over the nodes.
    for (let i = 0; i < config.subscribers; i++) {
      const node = names[i % config.nodes] as string;
      subscribers.push(
        i % 2 === 0
          ? await watchSocket(dev.url, CLUSTER, node, config.pingSeconds * 1000)
          : await eventStream(dev.url, CLUSTER, node),
      );
    }
    const counters = async () =>
      Promise.all(
        names.map(async (node) => (await client.view(CLUSTER, node)).counters as unknown as WatchCounters),
      );
    const before = await counters();
    const windowStart = Date.now();
    await new Promise((resolve) => setTimeout(resolve, config.idleSeconds * 1000));
    const after = await counters();
    const windowSeconds = (Date.now() - windowStart) / 1000;
    const idle = idleRequests(before, after);
    const open = config.subscribers + 2;
    const perSecond = idle.billed / (open * windowSeconds);
    const polled = POLLED_REQUESTS_PER_STREAM_SECOND * config.subscribers * windowSeconds;
    console.log(
      `${open} idle subscribers over ${windowSeconds.toFixed(1)} s: ${idle.apiCalls} requests to the nodes, ${idle.watchMessages} watcher messages, ${idle.connects} connects (${idle.resetNodes} nodes reset); the polling relay would have made about ${Math.round(polled)}`,
    );

    const cost = {
      ws: perSubscriberMonth(perSecond, null, config.pingSeconds * 1000),
      sse: perSubscriberMonth(perSecond, MAX_STREAM_MS),
      polledSse: perSubscriberMonth(POLLED_REQUESTS_PER_STREAM_SECOND, MAX_STREAM_MS),
    };
    console.log(
      `$ per subscriber-month (list prices, allowances ignored): WebSocket ${cost.ws.dollars.toFixed(5)} (its pings counted as billed messages), SSE ${cost.sse.dollars.toFixed(5)} (reconnects every ${MAX_STREAM_MS / 60_000} min), the polling relay ${cost.polledSse.dollars.toFixed(3)}`,
    );

    const result = {
      kind: "watch",
      at: new Date().toISOString(),
      config,
      latencyMs: latency,
      deliveryMs: delivery,
      samplesMs: { ws: wsMs, sse: sseMs },
      idle: { subscribers: open, windowSeconds, ...idle, polledEstimate: polled },
      costPerSubscriberMonth: cost,
    };
    await mkdir(args.out as string, { recursive: true });
    const file = join(args.out as string, `watch-${quick ? "quick-" : ""}${result.at.slice(0, 10)}.json`);
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${file}`);
  } finally {
    for (const s of subscribers) await s.close().catch(() => {});
    await dev.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
