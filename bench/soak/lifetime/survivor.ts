/**
 * Lifetime fault: a survivor. Every node but n0 is stopped; n0 must see them all dead (or
 * forgotten) and come back to its longest wake, counted from the last stop
 * (quietReturnMaxRounds): a node whose failed exchanges never back off stays busy. Then the
 * others start again (new generations) and every node must list every node alive within
 * shunnedMaxRounds of the last start.
 */
import { mapLimit } from "../../../src/api/concurrency.js";
import { membershipAgrees } from "../checks.js";
import type { SoakRun } from "../soak-run.js";
import { LIFETIME_GOALS, type SurvivorResult } from "./lifetime-result.js";
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
  const quietReturn = await roundsUntil(
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
    `  ${node} quiet after ${quietReturn.rounds.toFixed(1)} rounds${quietReturn.reached ? "" : ` (NOT: wakeRounds ${wakeRoundsAtEnd})`}; starting the others`,
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
  return { node, stopped: others, quietReturn, wakeRoundsAtEnd, rejoin };
}
