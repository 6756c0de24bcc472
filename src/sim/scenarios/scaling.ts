/**
 * `scaling`: what one node costs in a quiet mesh as the cluster grows. For each of --sizes,
 * a converged cluster warms up (--warmup rounds, so anti-entropy has backed off as it does
 * when nothing changes), then is measured over `measuredRounds(nodes)` rounds: bytes and
 * messages sent, and the core's own CPU time, per node-round, and the memory each node holds
 * per member.
 * The clusters are built one after another, each dropped before the next, after a throwaway
 * run at the smallest size that compiles the core first.
 */
import { CoreMeter } from "../core-meter.js";
import { bytesPerMember, heldBytes } from "../heap.js";
import { loneQuietMsPerRound } from "../lone-node.js";
import type { SimOptions } from "../options.js";
import { buildCluster, type Figures, runRounds, trialSeed, Window } from "./common.js";

/** Rounds measured at each size at least, after the warm-up. */
export const MEASURED_ROUNDS = 20;
/**
 * Node-rounds measured at each size at least. A quiet node wakes once in many rounds, and a
 * small cluster's quiet round takes microseconds: 20 rounds of 100 nodes measured about 16 ms
 * of core time, a handful of wakes, and the ratio to 10,000 nodes swung from 1.1 to 3.4
 * between runs of the same code.
 */
export const MEASURED_NODE_ROUNDS = 200_000;

/** Rounds a lone node is timed over (after as many to warm up). */
export const LONE_ROUNDS = 200_000;

/** Rounds measured for a cluster of `nodes`. */
export function measuredRounds(nodes: number): number {
  return Math.max(MEASURED_ROUNDS, Math.ceil(MEASURED_NODE_ROUNDS / nodes));
}
/** Warm-up rounds when --warmup is not given: enough for anti-entropy to reach its longest pause. */
export const SCALING_WARMUP_ROUNDS = 20;

/** One size's figures. */
export interface ScalingRow {
  nodes: number;
  bytesPerNodeRound: number;
  messagesPerNodeRound: number;
  /** Milliseconds of the Gossiper's own work per node-round (wall time of its calls). */
  coreMsPerNodeRound: number;
  /** Memory each node holds per member it knows (heap and typed arrays, after a collection). */
  heapBytesPerMember: number;
  /**
   * Milliseconds of one node's work per quiet round when it is alone in the process, as a
   * Durable Object is: `coreMsPerNodeRound` also carries the simulator holding every node's
   * view in one heap (10,000 views of 10,000 members: caches missed, collections paid).
   */
  loneCoreMsPerRound: number;
  falseSuspicions: number;
}

export async function scalingRows(
  options: SimOptions,
  progress?: (done: number, total: number) => void,
): Promise<ScalingRow[]> {
  const rows: ScalingRow[] = [];
  // A throwaway run of the smallest size first, so the first measured size does not pay for
  // compiling the core (its CPU would look higher than it is and flatter the ratio).
  const smallest = Math.min(...options.sizes);
  const warm = buildCluster(
    { ...options, nodes: smallest },
    trialSeed(options, 1),
    options.start,
    new CoreMeter(),
  );
  await runRounds(warm, (options.warmupRounds ?? SCALING_WARMUP_ROUNDS) + MEASURED_ROUNDS);
  for (const nodes of options.sizes) {
    const before = heldBytes();
    const meter = new CoreMeter();
    const cluster = buildCluster({ ...options, nodes }, trialSeed(options, 0), options.start, meter);
    await runRounds(cluster, options.warmupRounds ?? SCALING_WARMUP_ROUNDS);
    const heapBytesPerMember = bytesPerMember(before, nodes);
    meter.reset();
    const window = new Window(cluster);
    const rounds = measuredRounds(nodes);
    await runRounds(cluster, rounds);
    const traffic = window.close();
    const nodeRounds = cluster.liveCount() * rounds;
    rows.push({
      nodes,
      bytesPerNodeRound: traffic.bytesPerNodeRound,
      messagesPerNodeRound: traffic.messagesPerNodeRound,
      coreMsPerNodeRound: meter.ms / nodeRounds,
      heapBytesPerMember,
      loneCoreMsPerRound: 0,
      falseSuspicions: traffic.falseSuspicions,
    });
    progress?.(rows.length, options.sizes.length);
  }
  // Each size's lone node after every cluster is dropped, so no cluster's heap weighs on it.
  for (const row of rows)
    row.loneCoreMsPerRound = loneQuietMsPerRound(row.nodes, LONE_ROUNDS, options.config);
  return rows;
}

/**
 * Headline figures: how the largest size compares with the smallest (the goal: quiet bytes
 * and CPU per node-round at the largest at most 1.5x those at the smallest; the CPU of one
 * node alone, `loneCoreMsRatio`, is the Durable Object's).
 */
export function scalingFigures(rows: readonly ScalingRow[]): Figures {
  const first = rows[0];
  const last = rows.at(-1);
  if (!first || !last) return {};
  return {
    bytesRatio: last.bytesPerNodeRound / first.bytesPerNodeRound,
    messagesRatio: last.messagesPerNodeRound / first.messagesPerNodeRound,
    coreMsRatio: last.coreMsPerNodeRound / first.coreMsPerNodeRound,
    loneCoreMsRatio: last.loneCoreMsPerRound / first.loneCoreMsPerRound,
    maxHeapBytesPerMember: Math.max(...rows.map((row) => row.heapBytesPerMember)),
    falseSuspicions: rows.reduce((sum, row) => sum + row.falseSuspicions, 0),
  };
}
