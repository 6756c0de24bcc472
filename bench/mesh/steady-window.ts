/**
 * The steady window of a quiet mesh: two snapshots of every node's counters (and of the
 * workerd CPU), nothing else asked of the nodes in between, turned into per node, per round
 * and per second figures. A window in which too many nodes restarted is measured again.
 */
import type { NodeView } from "../../src/node/rpc-types.js";
import { pace } from "../../tools/poll.js";
import type { MeshSession } from "./mesh-session.js";
import type { SteadyFigures } from "./mesh-types.js";
import { perRound, perSecond, windowTotals } from "./views.js";

const STEADY_ATTEMPTS = 2;

/** Share of the nodes that may restart their counters inside a steady window that still counts. */
const MAX_RESET_SHARE = 0.05;

async function steadyWindowOnce(
  session: MeshSession,
  attempt: number,
): Promise<{ figures: SteadyFigures; after: NodeView[] }> {
  const { config, names } = session;
  const before = await session.viewsOf(names);
  const cpuBefore = await config.cpuSeconds?.();
  const windowStart = Date.now();
  await pace(config.steadyRounds * config.intervalMs);
  const cpuAfter = await config.cpuSeconds?.();
  const after = await session.viewsOf(names);
  const seconds = (Date.now() - windowStart) / 1000;
  session.suspicions.observe(after, session.live);
  const totals = windowTotals(before, after, seconds);
  const per = perRound(totals);
  const cpu =
    cpuBefore &&
    cpuAfter &&
    cpuBefore.processes === cpuAfter.processes &&
    cpuAfter.seconds > cpuBefore.seconds
      ? cpuAfter.seconds - cpuBefore.seconds
      : null;
  const figures: SteadyFigures = {
    // A node woken from hibernation restarts its counters: it is left out of the figures, and
    // the window still counts while such nodes are a small share of the mesh.
    valid: totals.nodes > 0 && totals.resetNodes.length <= MAX_RESET_SHARE * config.nodes,
    attempts: attempt,
    seconds,
    nodesCounted: totals.nodes,
    resetNodes: totals.resetNodes,
    alarmLateMeanMs: totals.alarms > 0 ? totals.alarmLateMs / totals.alarms : null,
    effectivePeriodMs: 1000 / Math.max(1e-9, per.roundsPerSecond),
    requestsPerNodePerRound: per.requests,
    alarmsPerNodePerRound: per.alarms,
    peerCallsReceivedPerNodePerRound: per.peerCallsReceived,
    rowsWrittenPerNodePerRound: per.rowsWritten,
    bytesSentPerNodePerRound: per.bytesSent,
    bytesSentPerNodePerSecond: per.bytesSentPerSecond,
    activeMsPerNodePerRound: per.activeMs,
    cpuSecondsPerNodePerRound: cpu !== null && totals.rounds > 0 ? cpu / totals.rounds : null,
    perNodeSecond: perSecond(totals),
    cpuSecondsPerNodePerSecond: cpu !== null && totals.nodes > 0 ? cpu / totals.nodes / seconds : null,
  };
  return { figures, after };
}

/**
 * Waits for a quiet mesh (every node back to its longest wake), then measures the window. A
 * node whose counters went down restarted inside it (e.g. the dev server reloaded the Worker):
 * the window is measured again, at most STEADY_ATTEMPTS times in all.
 */
export async function measureSteady(session: MeshSession) {
  await session.untilQuiet("a quiet mesh before the steady window");
  let steady = await steadyWindowOnce(session, 1);
  for (let attempt = 2; attempt <= STEADY_ATTEMPTS && !steady.figures.valid; attempt++) {
    steady = await steadyWindowOnce(session, attempt);
  }
  session.countersRead = steady.after;
  return steady;
}
