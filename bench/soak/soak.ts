/**
 * The chaos soak: a mesh in a running Worker, driven for a set time by one sequential,
 * seeded driver that writes state on random nodes (recording every acknowledged write) and
 * injects faults on the unprotected ones: stop, start, restart (stop + start: a new
 * generation), eviction (memory dropped, a wake-up) and alarm deletion (only the cron keeper,
 * fired every so often, restarts the loop). Protected nodes are never faulted by the chaos.
 *
 * Along the way it follows every node's event log and samples every node's counters. After
 * the chaos it starts every node, fires the keeper and polls until the mesh converges. Then,
 * the lifetime faults the configuration names run on the settled mesh (a hang past the dead
 * grace then a start, agents that come and go, a survivor: lifetime/) and the mesh settles
 * again. It checks:
 *   (a) every acknowledged write is in every node's view at the end: per node and key the
 *       latest acknowledged value (a restart keeps a node's live keys, so writes survive it),
 *       and no view shows a node's max version below one it acknowledged;
 *   (b) no protected node was declared dead while running, by anyone (every event log);
 *   (c) rows the gossip writes per alarm stay under a stated bound (mesh-wide);
 *   (d) every node runs rounds again at the end (lost alarms re-armed by the keeper);
 * and the lifetime invariants against their goals (lifetime/lifetime-result.ts).
 */
import { runChaos } from "./chaos.js";
import type { SoakClient } from "./client.js";
import { lifetimeFaults } from "./lifetime/lifetime-faults.js";
import { settle } from "./settle.js";
import { setUpMesh } from "./setup.js";
import type { SoakConfig } from "./soak-config.js";
import type { SoakResult } from "./soak-result.js";
import { type Log, SoakRun } from "./soak-run.js";
import { verdict } from "./verdict.js";

export type { SoakConfig } from "./soak-config.js";
export { soakDefaults } from "./soak-config.js";
export type { SoakResult } from "./soak-result.js";

export async function runSoak(
  client: SoakClient,
  config: SoakConfig,
  log: Log = () => {},
): Promise<SoakResult> {
  const run = new SoakRun(client, config, log);
  const startedAt = new Date().toISOString();
  await setUpMesh(run);
  const chaosSeconds = await runChaos(run);
  const afterChaos = await settle(run, `chaos over after ${chaosSeconds.toFixed(0)} s`);
  const faults = config.lifetime.length > 0 ? await lifetimeFaults(run) : null;
  const final = faults ? await settle(run, "lifetime faults over") : afterChaos;
  const events = await run.logs.finish();
  return verdict(run, { startedAt, chaosSeconds, afterChaos, final, faults, events });
}
