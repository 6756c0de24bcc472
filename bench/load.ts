/**
 * API load: autocannon against one node's view (`GET /v1/clusters/:c/nodes/:n`) for a fixed
 * duration on loopback, then the members query (`GET /v1/clusters/:c/members`) under the same
 * load, and a short sequential latency sample of the node view with no other load (used as
 * the per-request active-time estimate of the cost model).
 */
import { createRequire } from "node:module";
import { median, percentile } from "./poll.js";

/** The part of autocannon's result the bench reads. */
interface AutocannonResult {
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
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
}

/** One endpoint's figures under load. */
export type EndpointLoad = Omit<LoadFigures, "members" | "membersToViewRequestsRatio">;

export async function runLoad(
  url: string,
  headers: Record<string, string>,
  durationSeconds: number,
  connections: number,
): Promise<LoadFigures> {
  if (new URL(url).hostname !== "127.0.0.1") throw new Error("load runs on 127.0.0.1 only");
  const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;
  const result = await autocannon({ url, headers, connections, duration: durationSeconds, timeout: 10 });
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
  };
}

/** The node view, then the members query, each for `durationSeconds` with `connections`. */
export async function runViewAndMembersLoad(
  viewUrl: string,
  membersUrl: string,
  headers: Record<string, string>,
  durationSeconds: number,
  connections: number,
): Promise<LoadFigures> {
  const view = await runLoad(viewUrl, headers, durationSeconds, connections);
  const members = await runLoad(membersUrl, headers, durationSeconds, connections);
  return {
    ...view,
    members,
    membersToViewRequestsRatio: members.requestsPerSecond / Math.max(1e-9, view.requestsPerSecond),
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
  return { count: times.length, p50Ms: median(times), p99Ms: percentile(times, 99) };
}
