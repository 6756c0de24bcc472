/**
 * The `figures:watch` block of docs/benchmarks.md, from the newest
 * `bench/results/watch-<YYYY-MM-DD>.json` (`npm run bench:watch`): latency of a change to a
 * subscriber over a WebSocket and over SSE, what idle subscribers cost the nodes, and dollars
 * per subscriber-month. Pure: it reads no file itself.
 */

/** The fields of a watch result the block shows (bench/watch/run.ts writes them). */
export interface WatchResult {
  config: { nodes: number; intervalMs: number; samples: number; subscribers: number; idleSeconds: number };
  latencyMs: Record<"ws" | "sse", { p50: number | null; p99: number | null; samples: number }>;
  /** From the watched node recording the event to the subscriber (absent in older results). */
  deliveryMs?: Record<"ws" | "sse", { p50: number | null; p99: number | null }>;
  idle: {
    subscribers: number;
    windowSeconds: number;
    apiCalls: number;
    watchMessages: number;
    polledEstimate: number;
  };
  costPerSubscriberMonth: Record<"ws" | "sse" | "polledSse", { dollars: number }>;
}

export interface WatchSource {
  path: string;
  result: WatchResult;
}

/** The newest full (not `--quick`) watch result's file name among `names`. */
export function newestWatchFile(names: readonly string[]): string | null {
  return (
    names
      .filter((name) => /^watch-\d{4}-\d{2}-\d{2}\.json$/.test(name))
      .sort()
      .at(-1) ?? null
  );
}

/** Checks the few fields the block reads; throws naming the file. */
export function parseWatchResult(path: string, raw: unknown): WatchResult {
  const r = raw as Partial<WatchResult> | null;
  if (!r?.config || !r.latencyMs?.ws || !r.latencyMs.sse || !r.idle || !r.costPerSubscriberMonth?.sse)
    throw new Error(`${path}: not a watch bench result`);
  return r as WatchResult;
}

const ms = (value: number | null) => (value === null ? "—" : `${value} ms`);
const usd = (value: number) => `$${value < 0.01 ? value.toPrecision(2) : value.toFixed(2)}`;

export function watchBlock(source: WatchSource | null, root: string): string {
  if (!source) return "_No watch result yet: run `npm run bench:watch`._";
  const { config, latencyMs, deliveryMs, idle, costPerSubscriberMonth: cost } = source.result;
  const delivery = deliveryMs
    ? [
        `| of which delivery (node records it -> subscriber), p50 / p99 | ${ms(deliveryMs.ws.p50)} / ${ms(deliveryMs.ws.p99)} | ${ms(deliveryMs.sse.p50)} / ${ms(deliveryMs.sse.p99)} |`,
      ]
    : [];
  return [
    `From [\`${source.path}\`](${root}${source.path}): ${config.nodes} nodes at ${config.intervalMs} ms rounds in one local \`wrangler dev\`; ${latencyMs.ws.samples} writes, each made on another node than the one watched.`,
    "",
    "| figure | WebSocket (`.../watch`) | SSE (`.../events`) |",
    "| --- | --- | --- |",
    `| change to subscriber, p50 | ${ms(latencyMs.ws.p50)} | ${ms(latencyMs.sse.p50)} |`,
    `| change to subscriber, p99 | ${ms(latencyMs.ws.p99)} | ${ms(latencyMs.sse.p99)} |`,
    ...delivery,
    `| $ per idle subscriber-month | ${usd(cost.ws.dollars)} (one connect; pings counted as billed messages) | ${usd(cost.sse.dollars)} (a reconnect each 5 min; the polling relay: ${usd(cost.polledSse.dollars)}) |`,
    "",
    `${idle.subscribers} idle subscribers (half WebSockets, half SSE streams) over ${idle.windowSeconds.toFixed(0)} s made ${idle.apiCalls} requests to the nodes and ${idle.watchMessages} watcher messages, counted by the nodes themselves; the polling relay would have made about ${Math.round(idle.polledEstimate)}.`,
  ].join("\n");
}
