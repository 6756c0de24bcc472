/**
 * The bounds `test/core/cluster.test.ts` asserts for 100 core nodes on the in-memory
 * transport, declared once: the test checks each figure against its bound, and
 * `npm run docs:figures` renders this table in docs/protocol.md. Each bound is the measured
 * figure with a margin, tight enough that losing the mechanism under test (hot push, indirect
 * probes, refutation, fingerprints) breaks it; the test prints what it measured.
 */

export interface ClusterBound {
  /** What is measured, as the docs name it. */
  what: string;
  bound: number;
  unit: "rounds" | "bytes";
  /** What the figure becomes without the mechanism, or where the bound comes from. */
  note?: string;
}

export const CLUSTER_BOUNDS = {
  membership: { what: "full membership from two seeds", bound: 6, unit: "rounds" },
  join: { what: "a newcomer alive everywhere and knowing everyone", bound: 3, unit: "rounds" },
  crashNonAlive: {
    what: "crashed (silent) node non-alive everywhere",
    bound: 2,
    unit: "rounds",
    note: "3 without the hot push of the suspicion",
  },
  crashDead: {
    what: "crashed node dead everywhere",
    bound: 7,
    unit: "rounds",
    note: "non-alive, then the 3-round minimum suspicion timeout at N = 100; 10 without confirmations at once",
  },
  stopNonAlive: {
    what: "stopped (refusing) node non-alive everywhere, no indirect probe",
    bound: 2,
    unit: "rounds",
  },
  stopDead: { what: "stopped node dead everywhere", bound: 7, unit: "rounds" },
  refute: {
    what: "false suspicion refuted everywhere at 10% loss, nobody declares it dead",
    bound: 2,
    unit: "rounds",
    note: "3 without hot pushes; never without refutation",
  },
  hotWrite: {
    what: "a write everywhere at 10% loss (0: before the next round)",
    bound: 1,
    unit: "rounds",
    note: "10 without hot push",
  },
  hotLeave: { what: "a leave everywhere at 10% loss", bound: 1, unit: "rounds" },
  quietBytes: {
    what: "bytes sent per node per quiet round",
    bound: 300,
    unit: "bytes",
    note: "more than 400 when equal fingerprints do not end the exchange",
  },
  heal: {
    what: "a partition into halves healed, the writes of both sides everywhere",
    bound: 10,
    unit: "rounds",
    note: "7 to more than 40 without exchanges with the dead",
  },
} as const satisfies Record<string, ClusterBound>;

/** The bound for one figure. */
export function clusterBound(name: keyof typeof CLUSTER_BOUNDS): number {
  return CLUSTER_BOUNDS[name].bound;
}
