/**
 * One detection trial on a running mesh: once the mesh is quiet, stop one node (it refuses
 * calls) until every other node holds it non-alive, then dead; once quiet again, hang another
 * (it takes calls and never answers) the same way. The polls say when to read the nodes' event
 * logs, which time each phase by when the last node first logged it. Afterwards the victims
 * are started again and the mesh waits for full membership, so the next trial starts whole.
 */
import type { PollResult } from "../../tools/poll.js";
import type { Victims } from "../trials.js";
import type { MeshSession } from "./mesh-session.js";
import type { Elapsed } from "./mesh-types.js";
import { falseSuspicionsIn, lastFirstArrival, readEventLogs } from "./read-event-logs.js";
import { type FailureTimeline, failureTimeline } from "./trial-timeline.js";
import { type BriefCounts, meanAlarmLateness, victimCountedEverywhere } from "./views.js";

export interface DetectionOutcome {
  stoppedNonAlive: Elapsed;
  stoppedDead: Elapsed;
  hungNonAlive: Elapsed;
  hungDead: Elapsed;
  /** "events" when every time of the trial came from the nodes' logs. */
  measuredBy: "events" | "polls";
  eventsRead: number;
  eventLogError: string | null;
  /** Each victim's failure as the logs tell it (empty when they could not be read). */
  timelines: FailureTimeline[];
  /**
   * Before each fault, how many members the live nodes counted alive (count: nodes): a mesh
   * still digesting the last trial shows here.
   */
  aliveBefore: Array<Record<string, number>>;
  /** How late the alarms ran on average since the last reading of the counters, ms. */
  alarmLateMeanMs: number | null;
}

interface Failure {
  victim: string;
  how: "stopped" | "hung";
  at: number;
  aliveBefore: Record<string, number>;
  nonAlive: Elapsed;
  dead: Elapsed;
}

/** Fails `victim` once the mesh is quiet; polls until every live node holds it non-alive, then dead. */
async function failAndWatch(session: MeshSession, victim: string, how: "stopped" | "hung"): Promise<Failure> {
  const { client, config } = session;
  const quiet = await session.untilQuiet(`a quiet mesh before ${victim} is ${how}`);
  // The live nodes but the victim (a victim of this trial already stopped still answers briefs).
  const before = quiet.value.filter((brief) => brief.node !== victim && session.live.has(brief.node));
  const aliveBefore: Record<string, number> = {};
  for (const brief of before) {
    const alive = String(brief.members.alive ?? 0);
    aliveBefore[alive] = (aliveBefore[alive] ?? 0) + 1;
  }
  const at = Date.now();
  await (how === "stopped" ? client.stop(config.cluster, victim) : client.hang(config.cluster, victim));
  session.live.delete(victim);
  const since = (poll: PollResult<BriefCounts[]>): Elapsed => ({
    ms: poll.at - at,
    rounds: session.roundsSince(before, poll.value),
  });
  // Counts, not views: N full views every poll would load the machine the nodes' alarms and
  // probes run on, and slow the very detection measured. The logs time it afterwards.
  const observers = session.liveNames();
  const nonAlive = await session.pollBriefs(`${victim} (${how}) non-alive everywhere`, (briefs) =>
    victimCountedEverywhere(before, briefs, observers, "nonAlive"),
  );
  const dead = await session.pollBriefs(`${victim} (${how}) dead everywhere`, (briefs) =>
    victimCountedEverywhere(before, briefs, observers, "dead"),
  );
  return { victim, how, at, aliveBefore, nonAlive: since(nonAlive), dead: since(dead) };
}

/**
 * One trial: the stopped victim, then the hung one. `since` is when the mesh was last whole
 * (suspicions of a victim logged before it are not false ones).
 */
export async function detectionTrial(
  session: MeshSession,
  victims: Victims,
  since: number,
): Promise<DetectionOutcome> {
  const stopped = await failAndWatch(session, victims.stopped, "stopped");
  const hung = await failAndWatch(session, victims.hung, "hung");
  const outcome: DetectionOutcome = {
    stoppedNonAlive: stopped.nonAlive,
    stoppedDead: stopped.dead,
    hungNonAlive: hung.nonAlive,
    hungDead: hung.dead,
    measuredBy: "polls",
    eventsRead: 0,
    eventLogError: null,
    timelines: [],
    aliveBefore: [stopped.aliveBefore, hung.aliveBefore],
    alarmLateMeanMs: null,
  };
  // One read of the views after the measured part: the alarm counters since the last read.
  const views = await session.viewsOf(session.liveNames());
  outcome.alarmLateMeanMs = meanAlarmLateness(session.countersRead, views);
  session.countersRead = views;
  try {
    const observers = session.liveNames();
    const logs = await readEventLogs(session.client, session.config.cluster, observers);
    const fromEvents = falseSuspicionsIn(logs, session.live, since);
    session.suspicions.add(fromEvents.pairs);
    outcome.eventsRead = fromEvents.eventsRead;
    const logged = (failure: Failure, types: readonly string[]) =>
      lastFirstArrival(
        logs,
        observers,
        failure.at,
        (event) => event.node === failure.victim && types.includes(event.type),
      );
    const times = [
      [outcome.stoppedNonAlive, logged(stopped, ["suspect", "dead"])],
      [outcome.stoppedDead, logged(stopped, ["dead"])],
      [outcome.hungNonAlive, logged(hung, ["suspect", "dead"])],
      [outcome.hungDead, logged(hung, ["dead"])],
    ] as const;
    for (const [elapsed, ms] of times) if (ms !== null) elapsed.ms = ms;
    outcome.timelines = [stopped, hung].map((f) => failureTimeline(logs, observers, f.victim, f.how, f.at));
    if (times.every(([, ms]) => ms !== null)) outcome.measuredBy = "events";
  } catch (error) {
    outcome.eventLogError = error instanceof Error ? error.message : String(error);
  }
  return outcome;
}

/** Starts the victims again and waits until every node counts every node alive; returns when. */
export async function restoreVictims(session: MeshSession, victims: Victims): Promise<number> {
  const { client, config } = session;
  for (const victim of [victims.stopped, victims.hung]) {
    await client.start(config.cluster, victim);
    session.live.add(victim);
  }
  const whole = await session.untilFullMembership(
    `full membership after ${victims.stopped} and ${victims.hung} restart`,
  );
  return whole.at;
}
