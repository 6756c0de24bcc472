/**
 * `cold`: N nodes start at once from the seeds (two by default, as the bootstrap gives them),
 * every node knowing only the seeds, each waking first at a random moment of the first
 * interval. Per node, the rounds from the start until it first holds every node alive; a
 * trial's `rounds` is the last node's (full membership everywhere), and its values the p50 and
 * p99 over nodes. The rounds are counted from the start of the cluster: time 0.
 */
import type { SimOptions } from "../options.js";
import { summarize } from "../stats.js";
import { buildCluster, NodeCondition, type Trial, Window } from "./common.js";
import { seesAlive, ViewCheck } from "./views.js";

export async function coldTrial(options: SimOptions, seed: number): Promise<Trial> {
  const cluster = buildCluster(options, seed, "seeds");
  const interval = cluster.config.intervalMs;
  const view = new ViewCheck(cluster, seesAlive);
  const full = new NodeCondition(cluster, (node) => view.holds(node));
  cluster.onTouch = (node) => full.check(node);
  const window = new Window(cluster);
  const done = await cluster.clock.advanceUntil(() => full.done(), options.maxRounds * interval);
  const traffic = window.close();
  const perNode = summarize([...full.firstMet.values()].map((at) => at / interval));
  return {
    rounds: done ? cluster.now / interval : null,
    values: {
      nodeRoundsP50: perNode.p50,
      nodeRoundsP99: perNode.p99,
      nodeRoundsMax: perNode.max,
      nodesNotFull: full.missing(),
      messagesPerNodeRound: traffic.messagesPerNodeRound,
      bytesPerNodeRound: traffic.bytesPerNodeRound,
      falseSuspicions: traffic.falseSuspicions,
    },
  };
}
