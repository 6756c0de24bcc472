/**
 * Pieces every scenario shares: building a cluster from the options, measuring traffic over a
 * window of virtual time, tracking a per-node condition until it holds on every live node, and
 * folding trials into figures.
 */
import { SimCluster, type SimNode } from "../cluster.js";
import type { CoreMeter } from "../core-meter.js";
import { type ChurnRates, hasChurn, type SimOptions } from "../options.js";
import { summarize } from "../stats.js";

/** What one trial measured. `rounds` is null when the trial gave up at --max-rounds. */
export interface Trial {
  rounds: number | null;
  values: Record<string, number>;
}

export type Figures = Record<string, number>;

export function buildCluster(
  options: SimOptions,
  seed: number,
  start = options.start,
  meter?: CoreMeter,
): SimCluster {
  return new SimCluster({
    size: options.nodes,
    config: options.config,
    seed,
    loss: options.loss,
    latency: options.latency,
    start,
    seeds: options.seeds,
    exactSizes: options.exactSizes,
    regions: options.regions,
    crossLatencyMs: options.crossLatencyMs,
    regionBlind: options.regionBlind,
    meter,
  });
}

/** Seed of trial `i`: distinct, reproducible, spread out. */
export function trialSeed(options: SimOptions, i: number): number {
  return (Math.imul(options.seed + 1, 0x9e3779b1) + Math.imul(i + 1, 0x85ebca6b)) >>> 0;
}

export interface TrafficFigures {
  messagesPerNode: number;
  messagesPerNodeRound: number;
  bytesPerNodeRound: number;
  falseSuspicions: number;
  falseDeaths: number;
  /** With --regions: messages between two regions as a share of all messages sent. */
  crossRegionShare?: number;
}

/** Gossip traffic and false suspicions from construction until `close`. */
export class Window {
  private readonly messages: number;
  private readonly bytes: number;
  private readonly suspicions: number;
  private readonly deaths: number;
  private readonly sent: number;
  private readonly crossRegion: number;
  readonly startedAt: number;

  constructor(private readonly cluster: SimCluster) {
    this.messages = cluster.total("messagesSent");
    this.bytes = cluster.total("bytesSent");
    this.suspicions = cluster.falseSuspicions;
    this.deaths = cluster.falseDeaths;
    this.sent = cluster.net.stats.sent;
    this.crossRegion = cluster.net.stats.crossRegion;
    this.startedAt = cluster.now;
  }

  close(): TrafficFigures {
    const cluster = this.cluster;
    const rounds = Math.max((cluster.now - this.startedAt) / cluster.config.intervalMs, 1e-9);
    const nodes = cluster.liveCount();
    const messages = cluster.total("messagesSent") - this.messages;
    const bytes = cluster.total("bytesSent") - this.bytes;
    const sent = cluster.net.stats.sent - this.sent;
    return {
      ...(cluster.regional && sent > 0
        ? { crossRegionShare: (cluster.net.stats.crossRegion - this.crossRegion) / sent }
        : {}),
      messagesPerNode: messages / nodes,
      messagesPerNodeRound: messages / nodes / rounds,
      bytesPerNodeRound: bytes / nodes / rounds,
      falseSuspicions: cluster.falseSuspicions - this.suspicions,
      falseDeaths: cluster.falseDeaths - this.deaths,
    };
  }
}

/**
 * Tracks a condition per node, re-checked whenever the node's Gossiper is touched, and
 * records when each node first met it. `done()` holds when every live node meets it now.
 */
export class NodeCondition {
  readonly firstMet = new Map<string, number>();
  private readonly meets = new Set<string>();

  constructor(
    private readonly cluster: SimCluster,
    private readonly holds: (node: SimNode) => boolean,
  ) {}

  /** Re-checks every live node (after the condition changed meaning, e.g. at a crash). */
  recheckAll(): void {
    for (const node of this.cluster.nodes.values()) this.check(node);
  }

  check(node: SimNode): void {
    if (node.up && this.holds(node)) {
      this.meets.add(node.name);
      if (!this.firstMet.has(node.name)) this.firstMet.set(node.name, this.cluster.now);
    } else {
      this.meets.delete(node.name);
    }
  }

  done(): boolean {
    if (this.meets.size < this.cluster.liveCount()) return false;
    for (const node of this.cluster.nodes.values()) if (node.up && !this.meets.has(node.name)) return false;
    return true;
  }

  /** Live nodes not meeting the condition. */
  missing(): number {
    let count = 0;
    for (const node of this.cluster.nodes.values()) if (node.up && !this.meets.has(node.name)) count++;
    return count;
  }
}

/** `{crossRegionShare}` when the run has regions, for a trial's values. */
export function regionValues(traffic: TrafficFigures): Record<string, number> {
  return traffic.crossRegionShare === undefined ? {} : { crossRegionShare: traffic.crossRegionShare };
}

/** Runs the cluster for `rounds` rounds of virtual time. */
export async function runRounds(cluster: SimCluster, rounds: number): Promise<void> {
  await cluster.runRounds(rounds);
}

/**
 * Starts cluster-wide churn as Poisson processes (rates per virtual minute); nodes in
 * `protect` are never crashed or made to leave. Returns a stop function.
 */
export function startChurn(cluster: SimCluster, rates: ChurnRates, protect: Set<string>): () => void {
  if (!hasChurn(rates)) return () => {};
  let running = true;
  const schedule = (rate: number, act: () => void) => {
    if (rate <= 0) return;
    const next = () => {
      const gap = (-Math.log(1 - cluster.random()) / rate) * 60_000;
      cluster.clock.after(gap, () => {
        if (!running) return;
        act();
        next();
      });
    };
    next();
  };
  const candidates = (up: boolean) =>
    [...cluster.nodes.values()].filter(
      (n) => n.up === up && !protect.has(n.name) && n.gossiper.status !== "left",
    );
  schedule(rates.crash, () => {
    const live = candidates(true);
    if (live.length > 1) cluster.crash(cluster.pick(live).name);
  });
  schedule(rates.restart, () => {
    const down = candidates(false);
    if (down.length > 0) cluster.restart(cluster.pick(down).name);
  });
  schedule(rates.join, () => cluster.join());
  schedule(rates.leave, () => {
    const live = candidates(true);
    if (live.length > 1) cluster.leave(cluster.pick(live).name, 5 * cluster.config.intervalMs);
  });
  return () => {
    running = false;
  };
}

/**
 * Folds trials into figures: rounds as mean/p50/p99/max over finished trials, every other
 * value as its mean over trials, except those listed in `sums` (totals over trials).
 */
export function aggregate(trials: Trial[], sums: readonly string[] = ["keysLost"]): Figures {
  const finished = trials.map((t) => t.rounds).filter((r): r is number => r !== null);
  const figures: Figures = {};
  if (finished.length > 0 || trials.some((t) => "rounds" in t)) {
    const s = summarize(finished);
    Object.assign(figures, { roundsMean: s.mean, roundsP50: s.p50, roundsP99: s.p99, roundsMax: s.max });
  }
  figures.unfinishedTrials = trials.length - finished.length;
  const names = new Set(trials.flatMap((t) => Object.keys(t.values)));
  for (const name of names) {
    const values = trials
      .map((t) => t.values[name])
      .filter((v): v is number => v !== undefined && !Number.isNaN(v));
    if (values.length === 0) continue;
    if (sums.includes(name)) figures[name] = values.reduce((a, b) => a + b, 0);
    else figures[name] = values.reduce((a, b) => a + b, 0) / values.length;
  }
  return figures;
}

/** Summarises one per-trial value across trials as NameMean/P50/P99/Max. */
export function spreadOf(name: string, values: number[]): Figures {
  const s = summarize(values);
  return { [`${name}Mean`]: s.mean, [`${name}P50`]: s.p50, [`${name}P99`]: s.p99, [`${name}Max`]: s.max };
}
