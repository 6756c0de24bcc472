/**
 * How often a home saves a hosted agent's heartbeat, and where its phi detector resumes after
 * a wake-up. A heartbeat that changes nothing is saved at most every `agentSaveEveryMs` (rows
 * are billed), so the last heartbeat read back may be that old while the agent kept beating.
 * Judged from it, a healthy agent would be suspected on the first round after every deploy.
 * Every arrival that far past the last save is saved, so the agent's true last heartbeat is
 * before the saved one plus that span (and an interval of slack): phi counts from there, or
 * from the wake-up if that is sooner. An agent that stopped long before the wake-up is still
 * suspected at once; a healthy one never for a wake-up. (The core then starts the agent's
 * history afresh at its next heartbeat, see core/hosted.ts.)
 */
import type { HostedSnapshot } from "../core/index.js";

/** Heartbeats alone are saved at most every this many of the agent's intervals... */
const AGENT_SAVE_INTERVALS = 20;
/** ...and at least this many ms apart. */
const AGENT_SAVE_MIN_MS = 10_000;

/** Least time between two saves of an agent's row for heartbeats alone, ms. */
export function agentSaveEveryMs(intervalMs: number): number {
  return Math.max(AGENT_SAVE_MIN_MS, AGENT_SAVE_INTERVALS * intervalMs);
}

/** A saved agent as the core should take it after a wake-up at `now` (see above). */
export function resumedAgent(saved: HostedSnapshot, now: number): HostedSnapshot {
  if (saved.lastHeartbeat <= 0) return saved;
  const latest = saved.lastHeartbeat + agentSaveEveryMs(saved.intervalMs) + saved.intervalMs;
  return { ...saved, lastHeartbeat: Math.max(saved.lastHeartbeat, Math.min(now, latest)) };
}
