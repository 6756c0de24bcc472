/**
 * `join`: a new node bootstraps from the seeds into a converged cluster; rounds until every
 * live node sees it alive and it sees every live node alive.
 */
import type { SimOptions } from "../options.js";
import { buildCluster, NodeCondition, runRounds, type Trial, Window } from "./common.js";
import { seesAlive, ViewCheck } from "./views.js";

export async function joinTrial(options: SimOptions, seed: number): Promise<Trial> {
  const cluster = buildCluster(options, seed);
  const interval = cluster.config.intervalMs;
  await runRounds(cluster, options.warmupRounds ?? 2);
  const joiner = cluster.join();
  const joinedAt = cluster.now;
  const view = new ViewCheck(cluster, seesAlive);
  const condition = new NodeCondition(cluster, (node) =>
    node === joiner ? view.holds(node) : node.gossiper.statusOf(joiner.name) === "alive",
  );
  condition.recheckAll();
  cluster.onTouch = (node) => condition.check(node);
  const window = new Window(cluster);
  let knownAt: number | null = null;
  const done = await cluster.clock.advanceUntil(
    () => {
      if (knownAt === null && condition.firstMet.has(joiner.name)) knownAt = cluster.now;
      return condition.done();
    },
    joinedAt + options.maxRounds * interval,
  );
  const traffic = window.close();
  return {
    rounds: done ? (cluster.now - joinedAt) / interval : null,
    values: {
      joinerSeesAllRounds: knownAt === null ? Number.NaN : (knownAt - joinedAt) / interval,
      messagesPerNodeRound: traffic.messagesPerNodeRound,
      bytesPerNodeRound: traffic.bytesPerNodeRound,
      falseSuspicions: traffic.falseSuspicions,
    },
  };
}
