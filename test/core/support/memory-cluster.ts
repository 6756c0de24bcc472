/**
 * An in-memory cluster of core Gossipers on a deterministic, synchronous network: every
 * round each running node gossips with its chosen peers in a seeded random order, messages
 * are cloned (as a wire would) and may be dropped or cut by a partition. Time is virtual.
 */
import {
  type GossipConfigInput,
  Gossiper,
  type MemberStatus,
  type Rng,
  resolveConfig,
  seededRng,
} from "../../../src/core/index.js";

export interface MemoryClusterOptions {
  size: number;
  /** Indices of the seed nodes; defaults to the first two. */
  seeds?: number[];
  config?: GossipConfigInput;
  seed?: number;
  /** Probability that any one message is lost. */
  loss?: number;
}

export class MemoryCluster {
  readonly nodes = new Map<string, Gossiper>();
  readonly stopped = new Set<string>();
  now = 1_000_000;
  roundsRun = 0;
  loss: number;
  /** When set, messages between nodes of different sides are dropped. */
  side: ((name: string) => number) | null = null;
  private readonly rng: Rng;
  private readonly seedNames: string[];
  private readonly configInput: GossipConfigInput;

  constructor(options: MemoryClusterOptions) {
    this.rng = seededRng(options.seed ?? 1);
    this.loss = options.loss ?? 0;
    this.configInput = options.config ?? {};
    this.seedNames = (options.seeds ?? [0, 1]).map((i) => `n${i}`);
    for (let i = 0; i < options.size; i++) this.add(`n${i}`, 1);
  }

  get intervalMs(): number {
    return resolveConfig(this.configInput).intervalMs;
  }

  add(name: string, generation: number): Gossiper {
    const node = new Gossiper({
      cluster: "test",
      name,
      generation,
      config: resolveConfig(this.configInput),
      seeds: this.seedNames,
      clock: () => this.now,
      rng: seededRng(Math.floor(this.rng() * 2 ** 31)),
    });
    this.nodes.set(name, node);
    this.stopped.delete(name);
    return node;
  }

  node(name: string): Gossiper {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  running(): Gossiper[] {
    return [...this.nodes.values()].filter((node) => !this.stopped.has(node.name));
  }

  stop(name: string): void {
    this.stopped.add(name);
  }

  /** Restarts a stopped node with a higher generation and empty state. */
  restart(name: string): Gossiper {
    const old = this.node(name);
    return this.add(name, old.generation + 1);
  }

  /** One round: every running node gossips once, in random order; then time advances. */
  round(): void {
    const order = this.running();
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng() * (i + 1));
      [order[i], order[j]] = [order[j] as Gossiper, order[i] as Gossiper];
    }
    for (const node of order) {
      for (const { peer, syn } of node.beginRound()) this.exchange(node, peer, syn);
    }
    this.roundsRun++;
    this.now += this.intervalMs;
  }

  /** Runs rounds until `done` holds (checked before each round); returns rounds taken. */
  runUntil(done: () => boolean, maxRounds: number): number {
    for (let rounds = 0; rounds <= maxRounds; rounds++) {
      if (done()) return rounds;
      this.round();
    }
    throw new Error(`condition not reached within ${maxRounds} rounds`);
  }

  /** True when every running node sees every one of `names` as alive. */
  everyoneSeesAlive(names: string[]): boolean {
    return this.running().every((node) => names.every((name) => node.statusOf(name) === "alive"));
  }

  statusEverywhere(name: string, status: MemberStatus): boolean {
    return this.running().every((node) => node.name === name || node.statusOf(name) === status);
  }

  private delivered(from: string, to: string): boolean {
    if (this.side && this.side(from) !== this.side(to)) return false;
    return this.loss === 0 || this.rng() >= this.loss;
  }

  private exchange(initiator: Gossiper, peerName: string, syn: unknown): void {
    const peer = this.nodes.get(peerName);
    if (!peer || this.stopped.has(peerName) || !this.delivered(initiator.name, peerName)) {
      initiator.exchangeFailed();
      return;
    }
    const synAck = peer.handleSyn(structuredClone(syn));
    if ("ok" in synAck || !this.delivered(peerName, initiator.name)) {
      initiator.exchangeFailed();
      return;
    }
    const ack = initiator.handleSynAck(structuredClone(synAck));
    if (ack === null || "ok" in ack) return;
    if (this.delivered(initiator.name, peerName)) peer.handleAck(structuredClone(ack));
  }
}
