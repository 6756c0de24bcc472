/**
 * The published figures the rumor table is checked against: Demers et al., "Epidemic
 * algorithms for replicated database maintenance" (PODC 1987), Table 1 (push, feedback and
 * counter) and Table 2 (push, blind and coin), n = 1000. The Xerox PARC report CSL-89-1 (1989)
 * prints the same tables rounded to two figures (0.18, 1.7, ...). Also the tolerances within
 * which a measured figure counts as reproducing the paper's.
 */
import type { InterestRule } from "./interest.js";

/** The table's four figures: residue s, traffic m, t_ave and t_last (in cycles). */
export const FIGURES = ["residue", "traffic", "tAve", "tLast"] as const;
export type Figure = (typeof FIGURES)[number];
export type FigureRow = Record<Figure, number>;

/** The paper's number of sites. */
export const PAPER_NODES = 1000;

const row = (residue: number, traffic: number, tAve: number, tLast: number): FigureRow => ({
  residue,
  traffic,
  tAve,
  tLast,
});

/** Rows by k = 1..5. */
const TABLES: Record<string, FigureRow[]> = {
  "feedback/counter": [
    row(0.176, 1.74, 11.0, 16.8),
    row(0.037, 3.3, 12.1, 16.9),
    row(0.011, 4.53, 12.5, 17.4),
    row(0.0036, 5.64, 12.7, 17.5),
    row(0.0012, 6.68, 12.8, 17.7),
  ],
  "blind/coin": [
    row(0.96, 0.04, 19, 38),
    row(0.205, 1.59, 17, 33),
    row(0.06, 2.82, 15, 32),
    row(0.021, 3.91, 14.1, 32),
    row(0.008, 4.95, 13.8, 32),
  ],
};

/** A measured figure reproduces the paper's when within `relative` of it, or `absolute` of it. */
export const TOLERANCE: Record<Figure, { relative: number; absolute: number }> = {
  residue: { relative: 0.25, absolute: 0.005 },
  traffic: { relative: 0.1, absolute: 0 },
  tAve: { relative: 0.1, absolute: 0 },
  tLast: { relative: 0.15, absolute: 0 },
};

/** The paper's row for push rumor mongering with this rule at n = 1000, if it has one. */
export function paperRow(rule: InterestRule, nodes: number): FigureRow | undefined {
  if (nodes !== PAPER_NODES) return undefined;
  return TABLES[`${rule.interest}/${rule.stop}`]?.[rule.k - 1];
}

export function withinTolerance(figure: Figure, measured: number, paper: number): boolean {
  const { relative, absolute } = TOLERANCE[figure];
  const off = Math.abs(measured - paper);
  return off <= absolute || off <= relative * Math.abs(paper);
}

/** One line stating the tolerances, for the printed table. */
export function describeTolerance(): string {
  const pct = (f: Figure) => `${TOLERANCE[f].relative * 100}%`;
  return `residue within ${pct("residue")} or ${TOLERANCE.residue.absolute}, traffic within ${pct("traffic")}, t_ave within ${pct("tAve")}, t_last within ${pct("tLast")}`;
}
