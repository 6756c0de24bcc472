/**
 * Lifetime fault: agents that come and go. `churnAgents` agents each register, heartbeat
 * twice one interval apart, leave, and start over, for `agentChurnMs`: the same names come
 * back, so membership must stay within the nodes plus those agents. Measured: rounds from
 * the last leave (answered) until every node sees every agent gone and is back at its longest wake
 * (quietReturnMaxRounds). A home kept busy by agents that left never gets there.
 */
import { pace } from "../../../tools/poll.js";
import { refusal } from "../ledger.js";
import type { SoakRun } from "../soak-run.js";
import { type ChurnResult, LIFETIME_GOALS } from "./lifetime-result.js";
import { LIFETIME_POLL_MS, roundsUntil } from "./rounds-until.js";
import { notQuiet, seesAllGone } from "./view-tests.js";

/** Heartbeats an agent sends between its registration and its leave. */
const HEARTBEATS_PER_VISIT = 2;

type Tally = Pick<ChurnResult, "registered" | "left" | "heartbeats" | "refusedBy" | "failed"> & {
  /** When the last agent call that changed membership (a registration or a leave) was answered. */
  lastChangeAt: number;
};

export async function agentChurn(run: SoakRun): Promise<ChurnResult> {
  const { config } = run;
  const agents = Array.from({ length: config.churnAgents }, (_, i) => `churn-a${i}`);
  const tally: Tally = {
    registered: 0,
    left: 0,
    heartbeats: 0,
    refusedBy: {},
    failed: 0,
    lastChangeAt: Date.now(),
  };
  const membersBound = config.nodes + agents.length;
  let membersMax = 0;
  let busyPolls = 0;
  const watch = async () => {
    const views = await run.views(run.running()).catch(() => []);
    for (const view of views) membersMax = Math.max(membersMax, view.members.length);
    return views;
  };
  run.log(
    `lifetime: ${agents.length} agents coming and going for ${Math.round(config.agentChurnMs / 1000)} s`,
  );
  const churnEnd = Date.now() + config.agentChurnMs;
  const watching = (async () => {
    while (Date.now() < churnEnd) {
      if (notQuiet(await watch()).length > 0) busyPolls++;
      await pace(2 * LIFETIME_POLL_MS);
    }
  })();
  await Promise.all(agents.map((agent) => comeAndGo(run, agent, churnEnd, tally)));
  await watching;
  let stillBusy: string[] = [];
  const quietReturn = await roundsUntil(
    run,
    "every node quiet after the agents left",
    tally.lastChangeAt,
    2 * LIFETIME_GOALS.quietReturnMaxRounds,
    async () => {
      const views = await watch();
      stillBusy = views.filter((view) => !seesAllGone(view, agents)).map((view) => view.node);
      stillBusy.push(...notQuiet(views));
      return views.length === run.running().length && stillBusy.length === 0;
    },
  );
  run.log(
    `  quiet after ${quietReturn.rounds.toFixed(1)} rounds${quietReturn.reached ? "" : ` (NOT: ${[...new Set(stillBusy)].join(",")})`}; members at most ${membersMax} (bound ${membersBound})`,
  );
  const { lastChangeAt: _, ...counts } = tally;
  return {
    agents,
    ...counts,
    busyPolls,
    quietReturn,
    notQuiet: [...new Set(stillBusy)],
    membersMax,
    membersBound,
  };
}

/** One agent's visits until `end`: register, heartbeats, leave, again. */
async function comeAndGo(run: SoakRun, agent: string, end: number, tally: Tally): Promise<void> {
  const { intervalMs } = run.config;
  while (Date.now() < end) {
    if (await agentCall(tally, () => run.client.agentHeartbeat(agent, intervalMs))) {
      tally.registered++;
      tally.lastChangeAt = Date.now();
    }
    for (let beat = 0; beat < HEARTBEATS_PER_VISIT; beat++) {
      await pace(intervalMs);
      if (await agentCall(tally, () => run.client.agentHeartbeat(agent, intervalMs))) tally.heartbeats++;
    }
    if (await agentCall(tally, () => run.client.agentLeave(agent))) {
      tally.left++;
      tally.lastChangeAt = Date.now();
    }
    await pace(intervalMs);
  }
}

/** Makes one agent call; a refusal or failure is tallied, not thrown. */
async function agentCall(tally: Tally, call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    const code = refusal(error);
    if (code !== null) tally.refusedBy[code] = (tally.refusedBy[code] ?? 0) + 1;
    else tally.failed++;
    return false;
  }
}
