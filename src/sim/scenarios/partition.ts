/**
 * `partition`: a converged cluster splits into two random halves for --partition-rounds;
 * a few nodes on each side write while apart (acknowledged writes); then the network heals.
 * Rounds from the heal until every live node sees every live node alive and holds its whole
 * state. keysLost counts acknowledged writes some live node still lacks at the end.
 */
import type { SimOptions } from "../options.js";
import { buildCluster, NodeCondition, runRounds, type Trial, Window } from "./common.js";
import { holdsState, seesAlive, ViewCheck } from "./views.js";

const WRITERS_PER_SIDE = 5;

export async function partitionTrial(options: SimOptions, seed: number): Promise<Trial> {
  const cluster = buildCluster(options, seed);
  const interval = cluster.config.intervalMs;
  await runRounds(cluster, options.warmupRounds ?? 2);
  const names = [...cluster.nodes.keys()];
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(cluster.random() * (i + 1));
    [names[i], names[j]] = [names[j] as string, names[i] as string];
  }
  const half = Math.floor(names.length / 2);
  const sides = [names.slice(0, half), names.slice(half)];
  cluster.net.split(sides);
  const splitAt = cluster.now;
  const writes: Array<{ writer: string; generation: number; version: number }> = [];
  for (const side of sides) {
    for (const name of side.slice(0, WRITERS_PER_SIDE)) {
      const node = cluster.node(name);
      writes.push({
        writer: name,
        generation: node.gossiper.generation,
        version: cluster.write(name, "apart", name),
      });
    }
  }
  await runRounds(cluster, options.partitionRounds);
  const suspicionsWhileApart = cluster.falseSuspicions;
  cluster.net.heal();
  const healedAt = cluster.now;
  const alive = new ViewCheck(cluster, seesAlive);
  const state = new ViewCheck(cluster, holdsState);
  const condition = new NodeCondition(cluster, (node) => alive.holds(node) && state.holds(node));
  condition.recheckAll();
  cluster.onTouch = (node) => condition.check(node);
  const window = new Window(cluster);
  const done = await cluster.clock.advanceUntil(
    () => condition.done(),
    healedAt + options.maxRounds * interval,
  );
  const traffic = window.close();
  let keysLost = 0;
  for (const write of writes) {
    const writer = cluster.node(write.writer);
    if (!writer.up || writer.gossiper.generation !== write.generation) continue;
    for (const node of cluster.live()) {
      const known = node.gossiper.stateOf(write.writer);
      if (
        node !== writer &&
        (!known || known.generation !== write.generation || known.maxVersion < write.version)
      ) {
        keysLost++;
        break;
      }
    }
  }
  return {
    rounds: done ? (cluster.now - healedAt) / interval : null,
    values: {
      apartRounds: (healedAt - splitAt) / interval,
      suspicionsWhileApart,
      messagesPerNodeRound: traffic.messagesPerNodeRound,
      bytesPerNodeRound: traffic.bytesPerNodeRound,
      falseSuspicions: traffic.falseSuspicions,
      keysLost,
    },
  };
}
