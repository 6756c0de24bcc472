/**
 * The trials table the bench prints: p50 / p90 of hearsay and of swim for each detection
 * figure, the ratio of the two p90s and the goal it is held to (P90_GOALS).
 */
import { type BenchResult, markdownTable } from "./bench-result.js";
import { P90_GOALS, type P90Ratios, p50p90Cell, p90Ratios, type SwimStats } from "./trials.js";

const ROWS: Array<[keyof P90Ratios, string, keyof SwimStats]> = [
  ["stoppedNonAlive", "stopped node non-alive everywhere", "detectNonAlive"],
  ["stoppedDead", "stopped node dead (swim: faulty) everywhere", "detectFaulty"],
  ["hungNonAlive", "hung node non-alive everywhere", "detectNonAlive"],
  ["hungDead", "hung node dead (swim: faulty) everywhere", "detectFaulty"],
];

/** The trials table: p50 / p90 of hearsay and swim, the p90 ratio and its goal; "" without trials. */
export function trialsTable(result: BenchResult): string {
  const mesh = result.figures.mesh?.trials;
  const swim = result.figures.swim?.status === "ok" ? result.figures.swim.trials : undefined;
  if (!mesh && !swim) return "";
  const ratios = p90Ratios(mesh, swim);
  const rows = ROWS.map(([key, label, swimKey]) => {
    const ratio = ratios?.[key];
    const goal = P90_GOALS[key] as number;
    return [
      label,
      p50p90Cell(mesh?.[key]),
      p50p90Cell(swim?.[swimKey]),
      ratio === null || ratio === undefined ? "—" : `${ratio.toFixed(2)} ${ratio <= goal ? "met" : "MISSED"}`,
      `≤ ${goal}`,
    ];
  });
  return markdownTable(["figure (p50 / p90, trials)", "hearsay", "swim", "p90 / swim's p90", "goal"], rows);
}
