import { SimCluster } from "./src/sim/cluster.js";
import { resolveConfig } from "./src/core/index.js";
import { parseLatency } from "./src/sim/latency.js";
const cluster = new SimCluster({ size: 1000, config: resolveConfig({}), seed: 11, loss: 0, latency: parseLatency("lognormal:5:0.5"), start: "converged", seeds: 3 });
const orig = (cluster as any).touched.bind(cluster);
(cluster as any).touched = (node: any) => {
  const evs = node.gossiper.drainEvents();
  for (const e of evs) if (e.type === "suspect") { const s = cluster.nodes.get(e.node); if (s?.up) console.log("false suspect", e, "at", cluster.now, "observer", node.name, "subjectInc", s.gossiper.incarnation); }
  node.gossiper.drainEvents = () => evs; orig(node); delete node.gossiper.drainEvents;
};
await cluster.runRounds(10);
const v = cluster.pick(cluster.live()); cluster.crash(v.name); console.log("crashed", v.name, cluster.now);
await cluster.runRounds(15);
console.log("falseSuspicions", cluster.falseSuspicions);
