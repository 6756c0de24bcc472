/**
 * `spread` with a classic strategy (anti-entropy, rumor mongering, flooding): one trial is
 * one epidemic of a single update, reported as residue, traffic, t_ave and t_last. It runs
 * asynchronously on the virtual clock and network, or in synchronous cycles with `--sync`.
 */
import { seededRng } from "../../core/index.js";
import type { SimOptions } from "../options.js";
import type { Trial } from "../scenarios/common.js";
import { type EpidemicOptions, runEpidemic, type StrategyKind } from "./epidemic.js";
import { runSyncEpidemic } from "./sync-epidemic.js";

export function classicSpreadTrial(options: SimOptions, seed: number): Trial {
  const epidemic: EpidemicOptions = {
    kind: options.strategy as StrategyKind,
    nodes: options.nodes,
    mode: options.mode,
    fanout: options.fanout,
    interest: options.interest,
    stop: options.stop,
    k: options.k,
    loss: options.loss,
    latency: options.latency,
    intervalMs: options.intervalMs,
    jitter: options.jitter,
    maxRounds: options.maxRounds,
    rng: seededRng(seed),
  };
  const result = options.sync ? runSyncEpidemic(epidemic) : runEpidemic(epidemic);
  return {
    // Rounds until every node was informed; a rumor that died out first has no such time.
    rounds: result.residue === 0 ? result.tLast : null,
    values: {
      residue: result.residue,
      traffic: result.traffic,
      tAve: result.tAve,
      tLast: result.tLast,
      messagesPerNodeRound: result.messagesPerNodeRound,
      epidemicRounds: result.rounds,
      // Rumor mongering without an anti-entropy backup can leave nodes uninformed for good.
      keysLost: result.residue > 0 ? 1 : 0,
    },
  };
}
