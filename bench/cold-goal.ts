/**
 * The cold-start goal a bench run is held to: a mesh of COLD_GOAL.nodes nodes, every page
 * started at once, at COLD_GOAL.intervalMs rounds, holds full membership on every node within
 * COLD_GOAL.maxRounds rounds, timed from the nodes' event logs (`figures.mesh.coldMs` and
 * `coldRounds`). Runs of another size or interval report their figure without a verdict.
 */
import type { MeshFigures } from "./mesh/mesh-types.js";

export const COLD_GOAL = { nodes: 128, intervalMs: 1000, maxRounds: 12 } as const;

/** The verdict on a run's cold start: null when the run is not the goal's size and interval. */
type ColdFigures = Pick<MeshFigures, "coldMs" | "coldRounds">;

export function coldGoalMet(nodes: number, intervalMs: number, mesh: ColdFigures | null): boolean | null {
  if (nodes !== COLD_GOAL.nodes || intervalMs !== COLD_GOAL.intervalMs || !mesh) return null;
  return mesh.coldRounds !== null && mesh.coldRounds !== undefined && mesh.coldRounds <= COLD_GOAL.maxRounds;
}

/** `12.3 s = 12.3 rounds from cold`, with the goal's verdict when the run is the goal's size. */
export function coldCell(nodes: number, intervalMs: number, mesh: ColdFigures): string {
  if (mesh.coldMs === undefined || mesh.coldRounds === undefined) return "— (a run from before cold starts)";
  if (mesh.coldMs === null || mesh.coldRounds === null) return "not timed from the logs";
  const met = coldGoalMet(nodes, intervalMs, mesh);
  const verdict = met === null ? "" : ` (goal ≤ ${COLD_GOAL.maxRounds}: ${met ? "met" : "MISSED"})`;
  return `${(mesh.coldMs / 1000).toFixed(2)} s = ${mesh.coldRounds.toFixed(1)} rounds${verdict}`;
}
