/**
 * The soak's first step: bootstrap the mesh at the soak's interval and dead grace, wait until
 * every node lists every node alive, then open every node's event log and take the first
 * counter sample.
 */
import { memberOf } from "./checks.js";
import { type SoakRun, waitUntil } from "./soak-run.js";

/** Poll period while the mesh forms, ms. */
const FORMING_POLL_MS = 1_000;

export async function setUpMesh(run: SoakRun): Promise<void> {
  const { config, names } = run;
  run.log(`bootstrapping ${config.nodes} nodes (interval ${config.intervalMs} ms) ...`);
  await run.client.bootstrap(config.nodes, {
    intervalMs: config.intervalMs,
    deadGraceMs: config.deadGraceRounds * config.intervalMs,
  });
  await waitUntil("full membership", config.convergeTimeoutMs, FORMING_POLL_MS, async () => {
    const views = await run.views();
    return views.every((view) => names.every((name) => memberOf(view, name)?.status === "alive"));
  });
  run.logs.followAll();
  await run.sampleAll();
}
