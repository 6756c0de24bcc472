/**
 * Measures, in the mesh's rounds, how long after a moment a condition on the mesh took to
 * hold: polled with a deadline, the time taken when the poll that saw it ended (so a slow poll
 * counts against the mesh, never for it).
 */
import { pollUntil } from "../../../tools/poll.js";
import type { SoakRun } from "../soak-run.js";
import type { RoundsWaited } from "./lifetime-result.js";

/** How often the lifetime faults poll, ms. */
export const LIFETIME_POLL_MS = 1_000;

export async function roundsUntil(
  run: SoakRun,
  what: string,
  from: number,
  deadlineRounds: number,
  check: () => Promise<boolean>,
): Promise<RoundsWaited> {
  const deadline = from + deadlineRounds * run.config.intervalMs;
  try {
    const { value } = await pollUntil(async () => ((await check()) ? Date.now() : undefined), {
      what,
      timeoutMs: Math.max(0, deadline - Date.now()),
      everyMs: LIFETIME_POLL_MS,
    });
    return { rounds: run.rounds(value - from), reached: true };
  } catch {
    run.log(`  ${what}: not within ${deadlineRounds} rounds`);
    return { rounds: run.rounds(Date.now() - from), reached: false };
  }
}
