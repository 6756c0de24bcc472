/**
 * The chaos: one sequential, seeded driver that writes state on random running nodes and
 * injects faults on the unprotected ones (stop, start, restart, eviction, alarm deletion),
 * and beside it the cron keeper's ticks and the counter samples, for `durationMs`.
 */
import { pace } from "../../tools/poll.js";
import { STREAM_OPEN_BEFORE_EVICT_MS } from "./event-logs.js";
import type { Action } from "./soak-result.js";
import type { SoakRun } from "./soak-run.js";

/** Relative weights of the driver's actions (an impossible one is skipped for a write). */
const WEIGHTS: ReadonlyArray<[Action, number]> = [
  ["write", 60],
  ["stop", 6],
  ["start", 8],
  ["restart", 6],
  ["evict", 12],
  ["deleteAlarm", 8],
];

/** How often the chaos prints where it is, ms. */
const PROGRESS_EVERY_MS = 60_000;

/** Runs the chaos to its end; answers how long it ran, s. */
export async function runChaos(run: SoakRun): Promise<number> {
  const { config } = run;
  run.log(
    `chaos for ${Math.round(config.durationMs / 1000)} s, seed ${config.seed}, protected ${run.protectedNames.join(",")}`,
  );
  const chaosStart = Date.now();
  const chaosEnd = chaosStart + config.durationMs;
  const background = keepTicking(run, chaosStart, chaosEnd);
  while (Date.now() < chaosEnd) {
    await step(run);
    await pace(config.stepMs);
  }
  await background;
  return (Date.now() - chaosStart) / 1000;
}

/** Beside the driver: the keeper's cron ticks, counter samples and progress lines. */
async function keepTicking(run: SoakRun, chaosStart: number, chaosEnd: number): Promise<void> {
  const { config, ledger } = run;
  let nextSample = chaosStart + config.sampleEveryMs;
  let nextKeeper = chaosStart + config.keeperEveryMs;
  let nextReport = chaosStart + PROGRESS_EVERY_MS;
  while (Date.now() < chaosEnd) {
    await pace(200);
    const now = Date.now();
    if (now >= nextKeeper) {
      nextKeeper = now + config.keeperEveryMs;
      await run.keeper();
    }
    if (now >= nextSample) {
      await run.sampleAll();
      nextSample = Date.now() + config.sampleEveryMs;
    }
    if (now >= nextReport) {
      const { actions } = ledger;
      run.log(
        `  ${Math.round((now - chaosStart) / 1000)} s: ${ledger.writes.acknowledged} writes acknowledged, ` +
          `${actions.stop + actions.restart} stops, ${actions.evict} evictions, ${actions.deleteAlarm} alarms deleted, ` +
          `${ledger.down.size} stopped now, ${run.logs.read} events read`,
      );
      nextReport = now + PROGRESS_EVERY_MS;
    }
  }
}

/** The action the seeded roll picks, or a write when that action is impossible now. */
function chooseAction(run: SoakRun, up: readonly string[], down: readonly string[]): Action {
  let total = 0;
  for (const [, weight] of WEIGHTS) total += weight;
  let roll = run.rng() * total;
  let action: Action = "write";
  for (const [name, weight] of WEIGHTS) {
    roll -= weight;
    if (roll < 0) {
      action = name;
      break;
    }
  }
  const maxStopped = Math.max(1, Math.floor(run.faultable.length * run.config.maxStoppedShare));
  if (action === "stop" && down.length >= maxStopped) return "write";
  if ((action === "stop" || action === "restart" || action === "deleteAlarm") && up.length === 0)
    return "write";
  if (action === "start" && down.length === 0) return "write";
  if (action === "evict" && run.faultable.length === 0) return "write";
  return action;
}

/** One driver step: a write, or a fault on an unprotected node. */
async function step(run: SoakRun): Promise<void> {
  const up = run.faultable.filter((name) => !run.ledger.down.has(name));
  const down = run.faultable.filter((name) => run.ledger.down.has(name));
  const action = chooseAction(run, up, down);
  if (action === "write") return run.write(run.pick(run.running()));
  run.ledger.actions[action]++;
  try {
    switch (action) {
      case "stop":
        return await run.stop(run.pick(up));
      case "start":
        await run.start(run.pick(down));
        return;
      case "restart": {
        const node = run.pick(up);
        await run.stop(node);
        await run.start(node);
        return;
      }
      case "evict":
        return await evict(run);
      case "deleteAlarm":
        await run.client.deleteAlarm(run.pick(up));
        return;
    }
  } catch (error) {
    run.ledger.noteFault(action, error);
  }
}

/** Evicts an unprotected node (stopped ones too: a stopped object hibernates as well). */
async function evict(run: SoakRun): Promise<void> {
  const node = run.pick(run.faultable);
  // An eviction empties the log: never evict one whose new events could not be read.
  if (!run.logs.readUpToNow(node)) {
    run.logs.evictionsSkipped++;
    run.ledger.actions.evict--;
    return;
  }
  // What the stream polled just now is on its way: one more poll period to receive it.
  await pace(STREAM_OPEN_BEFORE_EVICT_MS / 2);
  const view = await run.client.view(node).catch(() => null);
  if (view) run.sample(view);
  await run.client.evict(node);
  // Half the time, write to it at once: the write races the reset.
  if (!run.ledger.down.has(node) && run.rng() < 0.5) await run.write(node);
}
