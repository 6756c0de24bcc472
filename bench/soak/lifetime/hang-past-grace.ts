/**
 * Lifetime fault: a hang past the dead grace, then a start. One unprotected node hangs (no
 * rounds, no answers) until every running node has declared it dead and forgotten it; then it
 * is started, which resumes the same generation. Measured: rounds from the start until every
 * running node lists it alive again (shunnedMaxRounds). A peer that keeps the node's grave and
 * drops its claims shuns it until the grave expires, and this wait runs out.
 */
import { membershipAgrees } from "../checks.js";
import { type SoakRun, waitUntil } from "../soak-run.js";
import { type HangResult, LIFETIME_GOALS } from "./lifetime-result.js";
import { roundsUntil } from "./rounds-until.js";
import { shunning, stillListing } from "./view-tests.js";

/** Rounds a hung node may take to be suspected, declared dead and forgotten beyond the dead grace. */
const FORGET_SLACK_ROUNDS = 60;

export async function hangPastGrace(run: SoakRun): Promise<HangResult> {
  const node = run.pick(run.faultable);
  const before = await run.client.view(node);
  run.sample(before);
  run.log(`lifetime: hanging ${node} (generation ${before.generation}) until every peer forgets it`);
  const hungAt = Date.now();
  await run.hang(node);
  const forgotten = await roundsUntil(
    run,
    `every peer forgetting ${node}`,
    hungAt,
    run.config.deadGraceRounds + FORGET_SLACK_ROUNDS,
    async () => stillListing(await run.views(run.running()), node).length === 0,
  );
  const startedAt = Date.now();
  const resumed = await run.start(node);
  const generationKept = resumed.generation === before.generation;
  if (!forgotten.reached) {
    run.log(`  ${node} was never forgotten: the hang did not outlast the grace, nothing to measure`);
    return { node, forgottenAfterRounds: null, generationKept, shunned: null, shunnedBy: [] };
  }
  run.log(
    `  forgotten by all after ${forgotten.rounds.toFixed(1)} rounds; started, waiting until all list it alive`,
  );
  let shunnedBy: string[] = [];
  const shunned = await roundsUntil(
    run,
    `every peer taking ${node} back`,
    startedAt,
    2 * LIFETIME_GOALS.shunnedMaxRounds,
    async () => {
      shunnedBy = shunning(await run.views(run.running()), node, resumed.generation);
      return shunnedBy.length === 0;
    },
  );
  run.log(
    `  ${node} alive everywhere after ${shunned.rounds.toFixed(1)} rounds${shunned.reached ? "" : " (NOT)"}`,
  );
  if (!shunned.reached) await takeBackByRestart(run, node);
  return { node, forgottenAfterRounds: forgotten.rounds, generationKept, shunned, shunnedBy };
}

/**
 * A node still shunned when its wait ended is restarted (a new generation, which every peer
 * takes), so the faults after this one are measured on a whole mesh, not on this one's failure.
 */
async function takeBackByRestart(run: SoakRun, node: string): Promise<void> {
  run.log(`  restarting ${node} (a new generation) so the next faults start from a whole mesh`);
  try {
    await run.stop(node);
    await run.start(node);
    await waitUntil("the restarted node alive everywhere", run.config.convergeTimeoutMs, 1_000, async () =>
      membershipAgrees(await run.views(), run.names),
    );
  } catch (error) {
    run.ledger.noteFault("hang: restart after the wait", error);
  }
}
