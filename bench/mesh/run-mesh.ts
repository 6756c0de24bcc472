/**
 * The mesh measurement: bootstraps N GossipNode objects in a running Worker and measures over
 * HTTP, by deadline polling, the time (and rounds) to full membership, for a write to reach
 * every node, and, over one or more trials, for a stopped node (it refuses) and then a hung
 * one (it is silent) to be marked non-alive and then dead everywhere; false suspicions seen
 * along the way; and, from the nodes' own counters over a quiet steady window (no polling
 * inside it), billed requests, rows written and bytes per node per round. The times come from
 * the nodes' own event logs where they hold them; the polls only say when to read them (and
 * are the fallback). Waits that need only counts (full membership, a quiet mesh) poll the
 * cluster summary's briefs, not full views. At the end every node is stopped, so a second mesh
 * measured after it (another detector) has the machine to itself. Each step is its own
 * function below; runMesh runs them in order.
 */

import { EVENT_LOG_CAPACITY } from "../../src/node/limits.js";
import type { NodeView } from "../../src/node/rpc-types.js";
import { mapLimit } from "../../src/shared/map-limit.js";
import { pickVictims, trialStats } from "../trials.js";
import type { HearsayClient } from "./api-client.js";
import { type DetectionOutcome, detectionTrial, restoreVictims } from "./detection-trial.js";
import { MeshSession, VIEW_CONCURRENCY } from "./mesh-session.js";
import type { Elapsed, MeshConfig, MeshFigures, MeshTrials } from "./mesh-types.js";
import {
  falseSuspicionsIn,
  fullMembershipFromLogs,
  lastFirstArrival,
  readEventLogs,
} from "./read-event-logs.js";
import { measureSteady } from "./steady-window.js";
import { medianRoundsBetween, roundsByNode, valueEverywhere } from "./views.js";

export type {
  CpuReading,
  Elapsed,
  MeshConfig,
  MeshFigures,
  MeshTrials,
  SteadyFigures,
} from "./mesh-types.js";

/** Stops nodes n0..n{count-1} of a cluster (errors ignored: some are stopped already). */
export async function stopNodes(client: HearsayClient, cluster: string, count: number): Promise<void> {
  const names = Array.from({ length: count }, (_, i) => `n${i}`);
  await mapLimit(names, VIEW_CONCURRENCY, (node) => client.stop(cluster, node).catch(() => undefined));
}

type FullMembership = Pick<
  MeshFigures,
  | "bootstrapCallMs"
  | "fullMembership"
  | "fullMembershipMeasuredBy"
  | "fullMembershipPolled"
  | "fullMembershipMedianNodeMs"
  | "fullMembershipLogError"
  | "fullMembershipLongestLog"
  | "coldMs"
  | "coldRounds"
>;

/**
 * 1. Bootstrap, every page at once (a cold start); full membership is every node listing every
 * node alive, polled from counts (one summary, not N full views) and timed from the logs, read
 * at once: a node woken from hibernation later starts an empty log.
 */
async function bootstrapToFullMembership(session: MeshSession): Promise<FullMembership> {
  const { client, config, names } = session;
  const bootAt = Date.now();
  await client.bootstrap(config.cluster, config.nodes, {
    ...config.core,
    intervalMs: config.intervalMs,
    detector: config.detector,
  });
  const bootstrapCallMs = Date.now() - bootAt;
  // Polled slowly, the more so the larger the mesh (each poll asks every node for its brief):
  // the logs time it, and a joining mesh needs the machine more than the poll.
  const everyMs = Math.max(2, config.nodes / 32) * config.intervalMs;
  const full = await session.untilFullMembership("full membership", everyMs);
  const polled: Elapsed = {
    ms: full.at - bootAt,
    rounds: medianRoundsBetween(new Map(), roundsByNode(full.value)),
  };
  const figures: FullMembership = {
    bootstrapCallMs,
    fullMembership: polled,
    fullMembershipMeasuredBy: "polls",
    fullMembershipPolled: polled,
    fullMembershipMedianNodeMs: null,
    fullMembershipLogError: null,
    fullMembershipLongestLog: null,
    coldMs: null,
    coldRounds: null,
  };
  try {
    const logs = await readEventLogs(client, config.cluster, names);
    session.suspicions.add(falseSuspicionsIn(logs, session.live).pairs);
    const joined = fullMembershipFromLogs(logs, names, bootAt, EVENT_LOG_CAPACITY);
    figures.fullMembershipLongestLog = Math.max(0, ...[...logs.values()].map((events) => events.length));
    if (joined.ms === null) {
      figures.fullMembershipLogError = joined.reason;
    } else {
      figures.fullMembership = { ms: joined.ms, rounds: polled.rounds };
      figures.fullMembershipMeasuredBy = "events";
      figures.coldMs = joined.ms;
      figures.coldRounds = joined.ms / config.intervalMs;
      const perNode = Object.values(joined.perNodeMs).sort((a, b) => a - b);
      figures.fullMembershipMedianNodeMs = perNode[Math.floor((perNode.length - 1) / 2)] ?? null;
    }
  } catch (error) {
    figures.fullMembershipLogError = error instanceof Error ? error.message : String(error);
  }
  return figures;
}

/** 3. A write on n0 until every node holds it, timed from the logs when they hold it. */
async function writeEverywhere(session: MeshSession, after: readonly NodeView[]): Promise<Elapsed> {
  const { client, config } = session;
  const value = `v${Date.now()}`;
  const writeAt = Date.now();
  await client.setState(config.cluster, "n0", "bench", value);
  const written = await session.pollViews("a write to reach every node", (views) =>
    valueEverywhere(views, "n0", "bench", value),
  );
  const elapsed = { ms: written.at - writeAt, rounds: session.roundsSince(after, written.value) };
  try {
    const observers = session.liveNames().filter((node) => node !== "n0");
    const logs = await readEventLogs(client, config.cluster, observers);
    const logged = lastFirstArrival(
      logs,
      observers,
      writeAt,
      (event) => event.node === "n0" && event.type === "state" && (event.keys ?? []).includes("bench"),
    );
    if (logged !== null) elapsed.ms = logged;
  } catch {
    // The polled time stands; the detection trials report a log that cannot be read.
  }
  return elapsed;
}

/**
 * 4. The detection trials, each on a quiet, whole mesh: the first is also reported by the
 * single-trial keys. A trial that fails (a phase timed out) ends the trials; the ones before
 * it still count.
 */
async function detectionTrials(session: MeshSession, wholeSince: number) {
  const { config, names } = session;
  const asked = config.trials ?? 1;
  const victims = pickVictims(names, asked, config.seed ?? 1);
  const outcomes: DetectionOutcome[] = [];
  const errors: string[] = [];
  let since = wholeSince;
  for (const [i, pair] of victims.entries()) {
    config.onTrial?.(i, pair);
    try {
      const outcome = await detectionTrial(session, pair, since);
      outcomes.push(outcome);
      config.onTrialLogged?.(i, outcome.timelines, outcome.alarmLateMeanMs);
      if (i + 1 < asked) since = await restoreVictims(session, pair);
    } catch (error) {
      errors.push(`trial ${i + 1} (stop ${pair.stopped}, hang ${pair.hung}): ${(error as Error).message}`);
      break;
    }
  }
  const first = outcomes[0];
  if (!first) throw new Error(errors[0] ?? "no detection trial ran");
  const stats = (pick: (o: DetectionOutcome) => Elapsed) => trialStats(outcomes.map((o) => pick(o).ms));
  const trials: MeshTrials = {
    stoppedNonAlive: stats((o) => o.stoppedNonAlive),
    stoppedDead: stats((o) => o.stoppedDead),
    hungNonAlive: stats((o) => o.hungNonAlive),
    hungDead: stats((o) => o.hungDead),
    asked,
    victims,
    errors,
    perTrial: outcomes.map((o) => ({
      timelines: o.timelines,
      aliveBefore: o.aliveBefore,
      alarmLateMeanMs: o.alarmLateMeanMs,
    })),
  };
  return {
    first,
    trials,
    eventsRead: outcomes.reduce((sum, o) => sum + o.eventsRead, 0),
    eventLogError: outcomes.find((o) => o.eventLogError !== null)?.eventLogError ?? null,
  };
}

export async function runMesh(client: HearsayClient, config: MeshConfig): Promise<MeshFigures> {
  const session = new MeshSession(client, config);
  const full = await bootstrapToFullMembership(session);
  config.onFullMembership?.(full);
  const wholeAt = Date.now();
  // Every node's config is the bootstrap's: the longest wake is read once (under phi every
  // wake is one round).
  const n0 = await client.view(config.cluster, "n0");
  session.longestWake = n0.config.detector === "phi" ? 1 : n0.config.roundsPerWake;
  // 2. The steady window, once the mesh is quiet.
  const steady = await measureSteady(session);
  const write = await writeEverywhere(session, steady.after);
  const detection = await detectionTrials(session, wholeAt);
  // 5. Quiet the machine for whatever is measured next.
  if (config.stopAtEnd !== false) await stopNodes(client, config.cluster, config.nodes);
  const { first } = detection;
  return {
    detector: config.detector,
    hungNonAlive: first.hungNonAlive,
    hungDead: first.hungDead,
    ...full,
    writeEverywhere: write,
    stoppedNonAlive: first.stoppedNonAlive,
    stoppedDead: first.stoppedDead,
    measuredBy: first.measuredBy,
    falseSuspicions: session.suspicions.count,
    falseSuspicionPairs: session.suspicions.list().slice(0, 20),
    eventLogError: detection.eventLogError,
    eventsRead: detection.eventsRead,
    steady: steady.figures,
    polls: session.polls,
    briefPolls: session.briefPolls,
    ...(config.trials !== undefined ? { trials: detection.trials } : {}),
  };
}
