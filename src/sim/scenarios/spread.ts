/**
 * `spread` with hearsay's own exchange: one write on a converged cluster; rounds until every
 * live node holds it. Also reports it the way Demers et al. report epidemics: residue (live
 * nodes never informed), traffic (gossip messages per node until the last node is informed;
 * probes and anti-entropy included, so this is all traffic, not update traffic),
 * t_ave and t_last in rounds. A converged cluster that has been running has its broadcast
 * tree: one write a round before the measured one forms it (`pushMessagesFirstWrite`, what a
 * write costs while the tree forms or repairs). After the measured write `STEADY_WRITES` more, a
 * round apart, give what a write costs on the formed tree: `pushMessagesPerWrite` (pushes,
 * forwards, prunes and grafts per write) and per node.
 */

import type { SimCluster } from "../cluster.js";
import type { SimOptions } from "../options.js";
import {
  buildCluster,
  NodeCondition,
  regionValues,
  runRounds,
  startChurn,
  type Trial,
  Window,
} from "./common.js";

export const SPREAD_KEY = "spread";

/** Writes after the measured one that measure a write's cost on a formed tree. */
export const STEADY_WRITES = 5;

/**
 * One-way messages writes cost: pushes and forwards along the tree, plus its prunes and grafts
 * (membership news pushed hot, such as a suspicion, is not a write's).
 */
export function pushMessages(cluster: SimCluster): number {
  return cluster.total("treePushesSent") + cluster.total("prunesSent") + cluster.total("graftsSent");
}

/** Push messages per write over `writes` writes by random live nodes, one round apart. */
export async function steadyWriteCost(cluster: SimCluster, writes: number): Promise<number> {
  const before = pushMessages(cluster);
  for (let i = 0; i < writes; i++) {
    cluster.write(cluster.pick(cluster.live()).name, SPREAD_KEY, `steady${i}`);
    await cluster.runRounds(1);
  }
  await cluster.runRounds(1);
  return (pushMessages(cluster) - before) / writes;
}

export async function spreadTrial(options: SimOptions, seed: number): Promise<Trial> {
  const cluster = buildCluster(options, seed);
  const interval = cluster.config.intervalMs;
  await runRounds(cluster, options.warmupRounds ?? 1);
  const pushedBefore = pushMessages(cluster);
  cluster.write(cluster.pick(cluster.live()).name, SPREAD_KEY, "v0");
  await runRounds(cluster, 1);
  const firstWrite = pushMessages(cluster) - pushedBefore;
  const writer = cluster.pick(cluster.live());
  const generation = writer.gossiper.generation;
  const version = cluster.write(writer.name, SPREAD_KEY, "v1");
  const writtenAt = cluster.now;
  const informed = new NodeCondition(cluster, (node) => {
    if (node === writer) return true;
    const known = node.gossiper.stateOf(writer.name);
    return known !== undefined && known.generation === generation && known.maxVersion >= version;
  });
  informed.recheckAll();
  cluster.onTouch = (node) => informed.check(node);
  const stopChurn = startChurn(cluster, options.churn, new Set([writer.name]));
  const window = new Window(cluster);
  const done = await cluster.clock.advanceUntil(
    () => informed.done(),
    writtenAt + options.maxRounds * interval,
  );
  stopChurn();
  const traffic = window.close();
  const finishedAt = cluster.now;
  const perWrite = await steadyWriteCost(cluster, STEADY_WRITES);
  const live = cluster.liveCount();
  const missing = informed.missing();
  const times = [...informed.firstMet]
    .filter(([name]) => name !== writer.name)
    .map(([, at]) => (at - writtenAt) / interval);
  const tLast = times.length > 0 ? Math.max(...times) : 0;
  return {
    rounds: done ? (finishedAt - writtenAt) / interval : null,
    values: {
      residue: missing / live,
      traffic: traffic.messagesPerNode,
      tAve: times.length > 0 ? times.reduce((a, b) => a + b, 0) / times.length : 0,
      tLast,
      messagesPerNodeRound: traffic.messagesPerNodeRound,
      bytesPerNodeRound: traffic.bytesPerNodeRound,
      ...regionValues(traffic),
      falseSuspicions: traffic.falseSuspicions,
      keysLost: writer.up && missing > 0 ? 1 : 0,
      pushMessagesFirstWrite: firstWrite,
      pushMessagesPerWrite: perWrite,
      pushMessagesPerWritePerNode: perWrite / cluster.liveCount(),
    },
  };
}
