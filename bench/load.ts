/**
 * API load: autocannon against one node's view (`GET /v1/clusters/:c/nodes/:n`) for a fixed
 * duration on loopback; then, under the same connections and duration, the members query
 * (`GET /v1/clusters/:c/members`), the members query as a polling client sends it (with
 * If-None-Match: 304s) and `GET /v1/health`, the floor of any request through the Worker;
 * and a short sequential latency sample of the node view with no other load (used as the
 * per-request active-time estimate of the cost model).
 */
import { createRequire } from "node:module";
import { percentile } from "../src/sim/stats.js";

/** The part of autocannon's result the bench reads. */
interface AutocannonResult {
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  "3xx": number;
}

type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

export interface LoadFigures {
  url: string;
  connections: number;
  durationSeconds: number;
  requestsPerSecond: number;
  totalRequests: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  errors: number;
  non2xx: number;
  /** The members query under the same connections and duration (absent in older results). */
  members?: EndpointLoad;
  /** members.requestsPerSecond / requestsPerSecond. */
  membersToViewRequestsRatio?: number;
  /** The members query with If-None-Match set to its current ETag: what a polling client sends. */
  membersNotModified?: EndpointLoad;
  membersNotModifiedToViewRequestsRatio?: number;
  /** `GET /v1/health` under the same load: the Worker's own ceiling on this machine. */
  health?: EndpointLoad;
  healthToViewRequestsRatio?: number;
  /** workerd CPU (every workerd process, gossip included) per request of the view run, ms. */
  workerdCpuMsPerRequest?: number;
}

/** One endpoint's figures under load. */
export type EndpointLoad = Pick<
  LoadFigures,
  | "url"
  | "connections"
  | "durationSeconds"
  | "requestsPerSecond"
  | "totalRequests"
  | "latencyP50Ms"
  | "latencyP99Ms"
  | "latencyMaxMs"
  | "errors"
  | "non2xx"
  | "workerdCpuMsPerRequest"
> & {
  /** 304 answers (the conditional run). */
  notModified?: number;
};

/** Reads the CPU seconds of the Worker's processes so far, when it can. */
export type CpuReader = () => Promise<number | undefined>;

/**
 * One endpoint under load. autocannon runs in this process with one request in flight per
 * connection (no pipelining), as a browser or fetch() client sends them; at these rates it uses
 * a small part of one CPU, so the Worker, not the load generator, is what is measured.
 */
export async function runLoad(
  url: string,
  headers: Record<string, string>,
  durationSeconds: number,
  connections: number,
  cpu?: CpuReader,
): Promise<EndpointLoad> {
  if (new URL(url).hostname !== "127.0.0.1") throw new Error("load runs on 127.0.0.1 only");
  const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;
  const cpuBefore = await cpu?.();
  const result = await autocannon({ url, headers, connections, duration: durationSeconds, timeout: 10 });
  const cpuAfter = await cpu?.();
  const cpuMs =
    cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0
      ? ((cpuAfter - cpuBefore) * 1000) / result.requests.total
      : undefined;
  return {
    url: new URL(url).pathname,
    connections,
    durationSeconds: result.duration,
    requestsPerSecond: result.requests.total / Math.max(1e-9, result.duration),
    totalRequests: result.requests.total,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    ...(result["3xx"] > 0 ? { notModified: result["3xx"] } : {}),
    ...(cpuMs !== undefined ? { workerdCpuMsPerRequest: cpuMs } : {}),
  };
}

/** What the load runs against: the view of one node, the cluster's members query, health. */
export interface LoadTargets {
  viewUrl: string;
  membersUrl: string;
  /** The members query's current ETag, for the conditional run (skipped without one). */
  membersEtag?: string;
  healthUrl: string;
}

/**
 * The node view, the members query, the members query with If-None-Match and health, one
 * after another, each for `durationSeconds` with `connections`: the same load for each.
 */
export async function runViewAndMembersLoad(
  targets: LoadTargets,
  headers: Record<string, string>,
  durationSeconds: number,
  connections: number,
  cpu?: CpuReader,
): Promise<LoadFigures> {
  const run = (url: string, extra: Record<string, string> = {}) =>
    runLoad(url, { ...headers, ...extra }, durationSeconds, connections, cpu);
  const view = await run(targets.viewUrl);
  const members = await run(targets.membersUrl);
  const notModified = targets.membersEtag
    ? await run(targets.membersUrl, { "if-none-match": targets.membersEtag })
    : undefined;
  const health = await run(targets.healthUrl);
  const ratio = (other: EndpointLoad) => other.requestsPerSecond / Math.max(1e-9, view.requestsPerSecond);
  return {
    ...view,
    members,
    membersToViewRequestsRatio: ratio(members),
    ...(notModified
      ? { membersNotModified: notModified, membersNotModifiedToViewRequestsRatio: ratio(notModified) }
      : {}),
    health,
    healthToViewRequestsRatio: ratio(health),
  };
}

export interface LatencySample {
  count: number;
  p50Ms: number;
  p99Ms: number;
}

/** `count` sequential GETs, one at a time: the unloaded latency of one call. */
export async function sampleLatency(
  url: string,
  headers: Record<string, string>,
  count: number,
): Promise<LatencySample> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    if (res.ok) times.push(performance.now() - start);
  }
  return { count: times.length, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
}
