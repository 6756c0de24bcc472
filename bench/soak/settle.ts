/**
 * Bringing the mesh to rest: start every node the driver has down, fire the keeper (and keep
 * firing it, as the cron does) so lost alarms are re-armed, and poll every view until the mesh
 * agrees on who is alive, holds every acknowledged write and every node runs rounds.
 */
import type { NodeView } from "../../src/node/rpc-types.js";
import { membershipAgrees, writeCheck } from "./checks.js";
import { type SoakRun, waitUntil } from "./soak-run.js";

export interface Settled {
  /** Seconds until the mesh converged; null when the deadline passed first. */
  seconds: number | null;
  /** The views of the last poll. */
  views: NodeView[];
  /** Nodes whose alarm count did not grow after the first keeper tick (check d). */
  idle: string[];
}

/** Poll period while waiting for convergence, ms. */
const SETTLE_POLL_MS = 2_000;

export async function settle(run: SoakRun, what: string): Promise<Settled> {
  const { config, ledger } = run;
  run.log(`${what}: starting ${ledger.down.size} nodes and firing the keeper`);
  for (const node of [...ledger.down]) {
    try {
      await run.start(node);
    } catch (error) {
      ledger.noteFault(`${what} start`, error);
    }
  }
  const settleStart = Date.now();
  await run.keeper();
  const atKeeper = new Map<string, number>();
  for (const view of await run.sampleAll()) if (view) atKeeper.set(view.node, view.counters.alarmsRun);
  const idle = (views: readonly NodeView[]) =>
    views
      .filter((view) => view.counters.alarmsRun <= (atKeeper.get(view.node) ?? Number.POSITIVE_INFINITY))
      .map((view) => view.node);

  let views: NodeView[] = [];
  let nextKeeper = Date.now() + config.keeperEveryMs;
  const converged = await waitUntil(what, config.convergeTimeoutMs, SETTLE_POLL_MS, async () => {
    if (Date.now() >= nextKeeper) {
      await run.keeper();
      nextKeeper = Date.now() + config.keeperEveryMs;
    }
    views = await run.views();
    return (
      membershipAgrees(views, run.names) &&
      writeCheck(views, ledger).missing.length === 0 &&
      idle(views).length === 0
    );
  }).then(
    () => true,
    () => false,
  );
  return { seconds: converged ? (Date.now() - settleStart) / 1000 : null, views, idle: idle(views) };
}
