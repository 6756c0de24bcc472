/**
 * `detect`: crash one node of a converged, warmed-up cluster (silently, like a hung machine:
 * its callers time out); rounds until every live node marks it non-alive (suspect), then until
 * every live node marks it dead. The warm-up gives the phi detectors real heartbeat history,
 * as in a cluster that has been running a while.
 */
import { bytesPerMember, heldBytes } from "../heap.js";
import type { SimOptions } from "../options.js";
import {
  buildCluster,
  NodeCondition,
  regionValues,
  runRounds,
  spreadOf,
  type Trial,
  trialSeed,
  Window,
} from "./common.js";

export async function detectTrial(options: SimOptions, seed: number): Promise<Trial> {
  // Memory is measured in the first trial only: a later one in the same thread may start while
  // the previous trial's cluster is still held, and would count it against its own.
  const measured = seed === trialSeed(options, 0);
  const before = measured ? heldBytes() : 0;
  const cluster = buildCluster(options, seed);
  const interval = cluster.config.intervalMs;
  await runRounds(cluster, options.warmupRounds ?? 10);
  const memory: Record<string, number> = measured
    ? { heapBytesPerMember: bytesPerMember(before, options.nodes) }
    : {};
  const victim = cluster.pick(cluster.live());
  cluster.crash(victim.name);
  const crashedAt = cluster.now;
  const suspected = new NodeCondition(cluster, (node) => node.gossiper.statusOf(victim.name) !== "alive");
  const dead = new NodeCondition(cluster, (node) => {
    const status = node.gossiper.statusOf(victim.name);
    return status === "dead" || status === undefined;
  });
  suspected.recheckAll();
  dead.recheckAll();
  cluster.onTouch = (node) => {
    suspected.check(node);
    dead.check(node);
  };
  // When the first probe of the victim goes out (a ping to it, by anyone): the wait for it,
  // the probe's own timeouts and the spread of the news are the three parts of the time.
  let firstProbeAt: number | null = null;
  cluster.onRequest = (_from, to, message) => {
    if (firstProbeAt === null && to === victim.name && message.t === "ping") firstProbeAt = cluster.now;
  };
  const window = new Window(cluster);
  let suspectedAt: number | null = null;
  const done = await cluster.clock.advanceUntil(
    () => {
      if (suspectedAt === null && suspected.done()) suspectedAt = cluster.now;
      return dead.done();
    },
    crashedAt + options.maxRounds * interval,
  );
  const traffic = window.close();
  cluster.onRequest = null;
  const firstSuspectAt = Math.min(...suspected.firstMet.values());
  const rounds = (from: number, to: number | null) => (to === null ? Number.NaN : (to - from) / interval);
  return {
    rounds: suspectedAt === null ? null : (suspectedAt - crashedAt) / interval,
    values: {
      deadRounds: done ? (cluster.now - crashedAt) / interval : Number.NaN,
      messagesPerNodeRound: traffic.messagesPerNodeRound,
      bytesPerNodeRound: traffic.bytesPerNodeRound,
      falseSuspicions: traffic.falseSuspicions,
      ...regionValues(traffic),
      falseDeaths: traffic.falseDeaths,
      firstProbeRounds: rounds(crashedAt, firstProbeAt),
      probeToSuspectRounds: firstProbeAt === null ? Number.NaN : rounds(firstProbeAt, firstSuspectAt),
      suspectSpreadRounds: rounds(firstSuspectAt, suspectedAt),
      ...memory,
    },
  };
}

/** Names of the per-trial values `detect` also reports as mean/p50/p99/max. */
export const DETECT_SPREAD_VALUES = [
  "deadRounds",
  "firstProbeRounds",
  "probeToSuspectRounds",
  "suspectSpreadRounds",
];

/**
 * Extra figures of `detect`: the spread of rounds until dead everywhere, and of the parts of
 * the time until non-alive everywhere: the wait for the first probe of the victim, that
 * probe's timeouts until the first suspicion, and the news spreading to every node.
 */
export function detectFigures(trials: Trial[]) {
  const figures: Record<string, number> = {};
  for (const name of DETECT_SPREAD_VALUES) {
    const values = trials.map((t) => t.values[name] ?? Number.NaN).filter((v) => !Number.isNaN(v));
    if (values.length > 0) Object.assign(figures, spreadOf(name, values));
  }
  return figures;
}
