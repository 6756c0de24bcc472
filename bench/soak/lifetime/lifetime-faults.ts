/**
 * The lifetime faults, one after another on a settled mesh: a hang past the dead grace, agents
 * that come and go, a survivor. Each measures its own figure; the invariants are judged with
 * the rest of the soak at the end (verdict.ts), since falseDeaths and keysLost need the whole
 * run.
 */
import type { SoakRun } from "../soak-run.js";
import { agentChurn } from "./agent-churn.js";
import { hangPastGrace } from "./hang-past-grace.js";
import type { LifetimeResult } from "./lifetime-result.js";
import { survivor } from "./survivor.js";

export type LifetimeFaults = Pick<LifetimeResult, "hang" | "churn" | "survivor">;

/** Runs the faults the configuration names (null for the others). */
export async function lifetimeFaults(run: SoakRun): Promise<LifetimeFaults> {
  const chosen = new Set(run.config.lifetime);
  const hang = chosen.has("hang") ? await hangPastGrace(run) : null;
  const churn = chosen.has("churn") ? await agentChurn(run) : null;
  return { hang, churn, survivor: chosen.has("survivor") ? await survivor(run) : null };
}
