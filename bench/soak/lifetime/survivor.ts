/**
 * Lifetime fault: a survivor. Every node but n0 is stopped; n0 must see them all dead (or
 * forgotten) and come back to its longest wake, counted from the last change it saw
 * (quietReturnMaxRounds): a node whose failed exchanges never back off stays busy. Then the
 * others start again (new generations) and every node must list every node alive within
 * shunnedMaxRounds of the last start.
 */
import { mapLimit } from "../../../src/shared/map-limit.js";
import { membershipAgrees } from "../checks.js";
import type { SoakRun } from "../soak-run.js";
import { LIFETIME_GOALS, type RoundsWaited, type SurvivorResult } from "./lifetime-result.js";
import { roundsUntil } from "./rounds-until.js";
import { atLongestWake, seesAllGone } from "./view-tests.js";

/** Stops and starts made at once. */
const CONCURRENCY = 4;

export async function survivor(run: SoakRun): Promise<SurvivorResult> {
  const node = run.names[0] as string;
  const others = run.names.filter((name) => name !== node);
  run.log(`lifetime: stopping every node but ${node}`);
  await mapLimit(others, CONCURRENCY, (name) =>
    run.stop(name).catch((error) => run.ledger.noteFault("survivor stop", error)),
  );
  const lastStopAt = Date.now();
  let wakeRoundsAtEnd: number | null = null;
  const quietAfterLastStop = await roundsUntil(
    run,
    `${node} quiet alone`,
    lastStopAt,
    2 * LIFETIME_GOALS.quietReturnMaxRounds,
    async () => {
      const [view] = await run.views([node]);
      if (!view) return false;
      wakeRoundsAtEnd = view.wakeRounds;
      return seesAllGone(view, others) && atLongestWake(view);
    },
  );
  run.log(
    `  ${node} quiet ${quietAfterLastStop.rounds.toFixed(1)} rounds after the last stop${quietAfterLastStop.reached ? "" : ` (NOT: wakeRounds ${wakeRoundsAtEnd})`}; starting the others`,
  );
  await mapLimit(others, CONCURRENCY, (name) =>
    run.start(name).catch((error) => run.ledger.noteFault("survivor start", error)),
  );
  const rejoin = await roundsUntil(
    run,
    "every node alive everywhere",
    Date.now(),
    2 * LIFETIME_GOALS.shunnedMaxRounds,
    async () => membershipAgrees(await run.views(), run.names),
  );
  run.log(`  all alive everywhere after ${rejoin.rounds.toFixed(1)} rounds${rejoin.reached ? "" : " (NOT)"}`);
  // By now the survivor's last events before it was quiet have been read from its stream.
  const quietReturn = fromLastChange(run, node, others, lastStopAt, quietAfterLastStop);
  return { node, stopped: others, quietReturn, quietAfterLastStop, wakeRoundsAtEnd, rejoin };
}

/**
 * The quiet return counted from the last change the survivor saw: the later of the last stop
 * and its last event about a stopped node (a death declared, a member forgotten) before it was
 * quiet. Detection and the dead grace are the protocol's own pace; the backoff after them is
 * what the goal bounds. A wait that ran out is kept as it is.
 */
function fromLastChange(
  run: SoakRun,
  node: string,
  others: readonly string[],
  lastStopAt: number,
  waited: RoundsWaited,
): RoundsWaited {
  if (!waited.reached) return waited;
  const quietAt = lastStopAt + waited.rounds * run.config.intervalMs;
  const lastEventAt = run.logs.lastAt(node, new Set(others), quietAt) ?? lastStopAt;
  return { rounds: run.rounds(quietAt - Math.max(lastStopAt, lastEventAt)), reached: true };
}
