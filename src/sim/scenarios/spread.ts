/**
 * `spread` with hearsay's own exchange: one write on a converged cluster; rounds until every
 * live node holds it. Also reports it the way Demers et al. report epidemics: residue (live
 * nodes never informed), traffic (gossip messages per node until the last node is informed;
 * probes and anti-entropy included, so this is all traffic, not update traffic),
 * t_ave and t_last in rounds.
 */
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

export async function spreadTrial(options: SimOptions, seed: number): Promise<Trial> {
  const cluster = buildCluster(options, seed);
  const interval = cluster.config.intervalMs;
  await runRounds(cluster, options.warmupRounds ?? 1);
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
  const live = cluster.liveCount();
  const missing = informed.missing();
  const times = [...informed.firstMet]
    .filter(([name]) => name !== writer.name)
    .map(([, at]) => (at - writtenAt) / interval);
  const tLast = times.length > 0 ? Math.max(...times) : 0;
  return {
    rounds: done ? (cluster.now - writtenAt) / interval : null,
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
    },
  };
}
