/**
 * `steady`: a converged cluster gossips with no writes for --duration virtual seconds (one
 * virtual hour by default), under the configured loss and churn. Reports quiescent traffic
 * per node per round and false suspicions (a node that was up, marked suspect by anyone) per
 * node-hour.
 */
import type { SimOptions } from "../options.js";
import { buildCluster, regionValues, runRounds, startChurn, type Trial, Window } from "./common.js";

export async function steadyTrial(options: SimOptions, seed: number): Promise<Trial> {
  const cluster = buildCluster(options, seed);
  await runRounds(cluster, options.warmupRounds ?? 10);
  const stopChurn = startChurn(cluster, options.churn, new Set());
  const window = new Window(cluster);
  const failedBefore = cluster.total("exchangesFailed");
  const startedBefore = cluster.total("exchangesStarted");
  const quietBefore = cluster.total("exchangesQuiet");
  await cluster.clock.advanceFor(cluster.now + options.durationS * 1000);
  stopChurn();
  const traffic = window.close();
  const nodeHours = (cluster.liveCount() * options.durationS) / 3600;
  const started = cluster.total("exchangesStarted") - startedBefore;
  return {
    rounds: null,
    values: {
      messagesPerNodeRound: traffic.messagesPerNodeRound,
      bytesPerNodeRound: traffic.bytesPerNodeRound,
      falseSuspicions: traffic.falseSuspicions,
      falseSuspicionsPerNodeHour: traffic.falseSuspicions / nodeHours,
      ...regionValues(traffic),
      falseDeaths: traffic.falseDeaths,
      quietExchangeFraction: started > 0 ? (cluster.total("exchangesQuiet") - quietBefore) / started : 0,
      failedExchangeFraction: started > 0 ? (cluster.total("exchangesFailed") - failedBefore) / started : 0,
    },
  };
}
