/**
 * Every node's storage and alarm counters summed over the soak. A node's counters restart on
 * wake-up, so they are summed per object lifetime: a counter that went down started again
 * from zero. Gives the rows figures and check (c).
 */
import type { NodeCounters, NodeView } from "../../src/node/rpc-types.js";
import type { RowFigures } from "./soak-result.js";

const COUNTED = [
  "alarmsRun",
  "storageRowsWritten",
  "storageRowsAlarm",
  "storageRowsHeartbeat",
  "storageRowsOwnKeys",
  "storageRowsLifecycle",
  "storageRowsMembership",
  "storageRowsPeerKeys",
] as const satisfies ReadonlyArray<keyof NodeCounters>;
type Counted = (typeof COUNTED)[number];
type Tally = Record<Counted, number>;

/** Nodes with fewer alarms counted than this are left out of the per-node rows figure. */
const MIN_ALARMS_PER_NODE_FIGURE = 30;

function zeroTally(): Tally {
  return Object.fromEntries(COUNTED.map((key) => [key, 0])) as Tally;
}

/** Rows a round and peers' messages write: what the bound is about. */
function gossipRows(tally: Tally): number {
  return (
    tally.storageRowsAlarm +
    tally.storageRowsHeartbeat +
    tally.storageRowsMembership +
    tally.storageRowsPeerKeys
  );
}

/**
 * Check (c)'s bound on gossip rows per alarm: `perAlarm` (a round's alarm, heartbeat and
 * membership rows) plus what the driver's writes cost, one row at each other node per write,
 * spread over the alarms. A fixed bound per alarm passed or failed with the driver's pace,
 * which follows how busy the machine is (docs/soak.md has the runs). A row billed again every
 * round for every peer (the defect the check is for) adds N-1 per alarm whatever the pace.
 */
export function rowsBound(perAlarm: number, peers: number, writes: number, alarms: number): number {
  return perAlarm + (peers * writes) / Math.max(1, alarms);
}

export class CounterTotals {
  private readonly last = new Map<string, Tally>();
  private readonly totals: Map<string, Tally>;
  private readonly lastAt = new Map<string, number>();
  private resets = 0;

  constructor(names: readonly string[]) {
    this.totals = new Map(names.map((name) => [name, zeroTally()]));
  }

  /** Adds what the view's counters grew by since the node's last sample; false for a stale view. */
  add(view: NodeView): boolean {
    // Views taken concurrently (the driver's, the sampler's) may arrive out of order: an
    // older one would look like a counter reset.
    if (view.at < (this.lastAt.get(view.node) ?? 0)) return false;
    this.lastAt.set(view.node, view.at);
    const now = Object.fromEntries(COUNTED.map((key) => [key, view.counters[key]])) as Tally;
    const before = this.last.get(view.node);
    const total = this.totals.get(view.node) ?? zeroTally();
    this.totals.set(view.node, total);
    const reset = !before || COUNTED.some((key) => now[key] < before[key]);
    if (reset && before) this.resets++;
    for (const key of COUNTED) total[key] += reset || !before ? now[key] : now[key] - before[key];
    this.last.set(view.node, now);
    return true;
  }

  /**
   * The rows figures. Check (c)'s bound is `perAlarm` rows for each alarm run, and one row at
   * each of the other `peers` for each of `writes` (their keys change): see rowsBound.
   */
  figures(perAlarm: number, peers = 0, writes = 0): RowFigures {
    const sum = zeroTally();
    let worst: RowFigures["maxNodeRowsPerAlarm"] = null;
    for (const [node, tally] of this.totals) {
      for (const key of COUNTED) sum[key] += tally[key];
      if (tally.alarmsRun >= MIN_ALARMS_PER_NODE_FIGURE) {
        const ratio = gossipRows(tally) / tally.alarmsRun;
        if (!worst || ratio > worst.rowsPerAlarm)
          worst = { node, rowsPerAlarm: ratio, alarms: tally.alarmsRun };
      }
    }
    return {
      alarms: sum.alarmsRun,
      rowsWritten: sum.storageRowsWritten,
      byReason: {
        alarm: sum.storageRowsAlarm,
        heartbeat: sum.storageRowsHeartbeat,
        ownKeys: sum.storageRowsOwnKeys,
        lifecycle: sum.storageRowsLifecycle,
        membership: sum.storageRowsMembership,
        peerKeys: sum.storageRowsPeerKeys,
      },
      rowsPerAlarm: sum.storageRowsWritten / Math.max(1, sum.alarmsRun),
      gossipRowsPerAlarm: gossipRows(sum) / Math.max(1, sum.alarmsRun),
      maxNodeRowsPerAlarm: worst,
      bound: rowsBound(perAlarm, peers, writes, sum.alarmsRun),
      boundPerAlarm: perAlarm,
      peerRowsPerWrite: sum.storageRowsPeerKeys / Math.max(1, writes),
      counterResets: this.resets,
    };
  }
}
