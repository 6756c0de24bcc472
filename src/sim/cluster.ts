/**
 * A cluster of real core Gossipers on the virtual clock and network. Each node runs rounds
 * every `intervalMs` plus the configured jitter, starting at a random offset; an exchange is
 * Syn -> SynAck -> Ack through `Gossiper.beginRound`/`handleSyn`/`handleSynAck`/`handleAck`,
 * each message crossing the lossy network. A lost message fails the exchange for its
 * initiator (`exchangeFailed()`), as a timeout would. Messages are handed over without
 * copying: the Gossiper never mutates an inbound message and never keeps references into it
 * (it copies primitives out), and never mutates a message after sending it.
 */
import {
  type GossipConfig,
  Gossiper,
  type GossiperSnapshot,
  type NodeStateSnapshot,
  type Rng,
  type SynMessage,
  seededRng,
} from "../core/index.js";
import { VirtualClock } from "./clock.js";
import type { Latency } from "./latency.js";
import { Network } from "./network.js";
import { estimateSize } from "./size.js";

export const CLUSTER_NAME = "sim";

/** How the cluster starts: already converged (every node knows every other as alive) or from seeds. */
export type StartMode = "converged" | "seeds";

export interface ClusterOptions {
  size: number;
  config: GossipConfig;
  seed: number;
  loss: number;
  latency: Latency;
  start: StartMode;
  /** Number of seed nodes (the first ones). */
  seeds: number;
  /** Exact JSON sizes (slow) instead of the estimate. */
  exactSizes?: boolean;
}

export interface SimNode {
  readonly name: string;
  gossiper: Gossiper;
  up: boolean;
  /** Bumped on every crash and restart: messages and timers of an older incarnation are void. */
  incarnation: number;
}

export class SimCluster {
  readonly clock: VirtualClock;
  readonly net: Network;
  readonly nodes = new Map<string, SimNode>();
  readonly config: GossipConfig;
  readonly seedNames: string[];
  /** Called after every call into a node's Gossiper (round start or message handled). */
  onTouch: ((node: SimNode) => void) | null = null;
  /** Times any node was marked suspect by anyone while it was actually up. */
  falseSuspicions = 0;
  /** Suspicions of nodes that were down (true positives). */
  trueSuspicions = 0;
  private readonly rng: Rng;
  private readonly options: ClusterOptions;
  /** Counters of Gossipers replaced by restarts, so totals survive churn. */
  private readonly retired = new Map<string, number>();
  private nextIndex: number;
  private upCount = 0;

  constructor(options: ClusterOptions) {
    this.options = options;
    this.config = options.config;
    this.rng = seededRng(options.seed);
    this.clock = new VirtualClock(0);
    this.net = new Network(this.clock, { loss: options.loss, latency: options.latency, rng: this.fork() });
    this.seedNames = Array.from({ length: Math.min(options.seeds, options.size) }, (_, i) => nodeName(i));
    this.nextIndex = options.size;
    const names = Array.from({ length: options.size }, (_, i) => nodeName(i));
    if (options.start === "converged") this.startConverged(names);
    else for (const name of names) this.addNode(name, 1);
    for (const node of this.nodes.values()) this.scheduleFirstRound(node);
  }

  get now(): number {
    return this.clock.now;
  }

  /** Nodes currently up. */
  live(): SimNode[] {
    const out: SimNode[] = [];
    for (const node of this.nodes.values()) if (node.up) out.push(node);
    return out;
  }

  /** Number of nodes currently up. */
  liveCount(): number {
    return this.upCount;
  }

  node(name: string): SimNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  /** A fresh deterministic RNG derived from the cluster's. */
  fork(): Rng {
    return seededRng(Math.floor(this.rng() * 2 ** 32));
  }

  /** A random element, drawn from the cluster's RNG. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rng() * items.length)] as T;
  }

  random(): number {
    return this.rng();
  }

  /** Stops a node at once: it neither gossips nor answers. Its state is lost. */
  crash(name: string): void {
    const node = this.node(name);
    if (!node.up) return;
    node.up = false;
    node.incarnation++;
    this.upCount--;
  }

  /** Restarts a crashed node with a higher generation and empty state, bootstrapping from seeds. */
  restart(name: string): SimNode {
    const node = this.node(name);
    if (node.up) return node;
    for (const [key, value] of Object.entries(node.gossiper.counters)) {
      this.retired.set(key, (this.retired.get(key) ?? 0) + value);
    }
    node.gossiper = this.makeGossiper(name, node.gossiper.generation + 1);
    node.up = true;
    node.incarnation++;
    this.upCount++;
    this.scheduleFirstRound(node);
    return node;
  }

  /** Starts a brand-new node that bootstraps from the seeds. */
  join(): SimNode {
    const node = this.addNode(nodeName(this.nextIndex++), 1);
    this.scheduleFirstRound(node);
    return node;
  }

  /** Graceful leave: announces it, keeps answering for `lingerMs`, then stops. */
  leave(name: string, lingerMs: number): void {
    const node = this.node(name);
    if (!node.up) return;
    node.gossiper.leave();
    const incarnation = node.incarnation;
    this.clock.after(lingerMs, () => {
      if (node.incarnation === incarnation) this.crash(name);
    });
  }

  /** Sum of a counter over every node that ever ran, restarted incarnations included. */
  total(key: keyof Gossiper["counters"]): number {
    let sum = this.retired.get(key) ?? 0;
    for (const node of this.nodes.values()) sum += node.gossiper.counters[key];
    return sum;
  }

  // ---------------------------------------------------------------- internals

  /** What every simulated node's Gossiper is built with; each gets its own random stream. */
  private gossiperOptions() {
    return {
      cluster: CLUSTER_NAME,
      config: this.config,
      seeds: this.seedNames,
      clock: this.clock.clock,
      rng: this.fork(),
      sizeOf: this.options.exactSizes ? undefined : estimateSize,
      maxQueuedEvents: 100_000,
    };
  }

  private makeGossiper(name: string, generation: number): Gossiper {
    return new Gossiper({ ...this.gossiperOptions(), name, generation });
  }

  private addNode(name: string, generation: number): SimNode {
    const node: SimNode = { name, gossiper: this.makeGossiper(name, generation), up: true, incarnation: 0 };
    this.nodes.set(name, node);
    this.upCount++;
    return node;
  }

  /** Every node starts knowing every other one as alive, as after a long quiet period. */
  private startConverged(names: string[]): void {
    const records: NodeStateSnapshot[] = names.map((name) => ({
      name,
      generation: 1,
      heartbeat: 0,
      maxVersion: 0,
      gcVersion: 0,
      keys: [],
    }));
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const others = records.filter((_, j) => j !== i);
      const snapshot: GossiperSnapshot = {
        cluster: CLUSTER_NAME,
        self: records[i] as NodeStateSnapshot,
        others,
        members: others.map((other) => [other.name, "alive", 0]),
        graveyard: [],
        selfStatus: "alive",
      };
      const gossiper = Gossiper.restore(snapshot, this.gossiperOptions());
      this.nodes.set(name, { name, gossiper, up: true, incarnation: 0 });
      this.upCount++;
    }
  }

  private scheduleFirstRound(node: SimNode): void {
    const incarnation = node.incarnation;
    this.clock.after(this.rng() * this.config.intervalMs, () => this.round(node, incarnation));
  }

  private round(node: SimNode, incarnation: number): void {
    if (!node.up || node.incarnation !== incarnation) return;
    const plans = node.gossiper.beginRound();
    this.touched(node);
    for (const { peer, syn } of plans) this.sendSyn(node, incarnation, peer, syn);
    const next = this.config.intervalMs * (1 + this.config.jitter * this.rng());
    this.clock.after(next, () => this.round(node, incarnation));
  }

  private sendSyn(from: SimNode, incarnation: number, peerName: string, syn: SynMessage): void {
    const sent = this.net.send(from.name, peerName, () => {
      const peer = this.nodes.get(peerName);
      if (!peer?.up) return this.fail(from, incarnation);
      const peerIncarnation = peer.incarnation;
      const synAck = peer.gossiper.handleSyn(syn);
      this.touched(peer);
      if ("ok" in synAck) return this.fail(from, incarnation);
      const answered = this.net.send(peerName, from.name, () => {
        if (from.incarnation !== incarnation || !from.up) return;
        const ack = from.gossiper.handleSynAck(synAck);
        this.touched(from);
        if (ack === null || "ok" in ack) return;
        const acked = this.net.send(from.name, peerName, () => {
          if (peer.incarnation !== peerIncarnation || !peer.up) return;
          peer.gossiper.handleAck(ack);
          this.touched(peer);
        });
        if (!acked) from.gossiper.exchangeFailed();
      });
      if (!answered) this.fail(from, incarnation);
    });
    if (!sent) from.gossiper.exchangeFailed();
  }

  private fail(node: SimNode, incarnation: number): void {
    if (node.incarnation === incarnation && node.up) node.gossiper.exchangeFailed();
  }

  private touched(node: SimNode): void {
    for (const event of node.gossiper.drainEvents()) {
      if (event.type !== "suspect") continue;
      const subject = this.nodes.get(event.node);
      if (subject?.up && subject.gossiper.generation === event.generation) this.falseSuspicions++;
      else this.trueSuspicions++;
    }
    this.onTouch?.(node);
  }
}

export function nodeName(index: number): string {
  return `n${index}`;
}
