/**
 * An in-memory cluster of core Gossipers driven by the core's own driver (`runRound`,
 * `answer`) over a deterministic Transport. Messages are structuredClone'd as a wire would;
 * each one may be lost (seeded), cut by a partition (sides) or dropped by a test's filter.
 * A stopped node refuses (PeerRefused) at once; a crashed or hung node is silent, so its
 * callers see a timeout. Nodes wake on their own schedule, as the Durable Object's alarm
 * wakes it (`nextRoundDelay`, re-armed sooner when `latestWake` says so), on the grid of rounds:
 * a round runs every running node whose wake falls due before the round ends, concurrently;
 * within a round no time passes, every answer and one-way push settles, then time advances by
 * the interval. A quiet node thus wakes every few rounds and sends the probes of the rounds
 * until its next wake, as it does deployed.
 */
import {
  answer,
  type GossipConfigInput,
  Gossiper,
  type GossiperSnapshot,
  type MemberStatus,
  type MembershipEvent,
  type NodeStateSnapshot,
  PeerRefused,
  type PushMessage,
  type RequestMessage,
  type Rng,
  resolveConfig,
  runRound,
  seededRng,
  type Transport,
} from "../../../src/core/index.js";

export const CLUSTER = "test";

/** running: gossips and answers; stopped: refuses; crashed: silent (a crash or a hang). */
export type NodeMode = "running" | "stopped" | "crashed";

export interface MemoryClusterOptions {
  size: number;
  /** Indices of the seed nodes; defaults to the first two. */
  seeds?: number[];
  config?: GossipConfigInput;
  seed?: number;
  /** Probability that any one message (request, reply or push) is lost. */
  loss?: number;
  /** `converged`: every node starts knowing every other as alive; `seeds` (default): only itself. */
  start?: "seeds" | "converged";
}

/** A request that got no answer (lost, partitioned, or its peer silent). */
export class Timeout extends Error {
  constructor(peer: string) {
    super(`no answer from ${peer}`);
    this.name = "Timeout";
  }
}

/** Says whether a message from `from` to `to` is dropped (beyond loss and partitions). */
export type DropFilter = (from: string, to: string, message: unknown) => boolean;

export class MemoryCluster {
  readonly nodes = new Map<string, Gossiper>();
  readonly modes = new Map<string, NodeMode>();
  /** Every event each node emitted, as `[observer, event]`, in order. */
  readonly events: Array<[observer: string, event: MembershipEvent]> = [];
  now = 1_000_000;
  roundsRun = 0;
  loss: number;
  /** When set, messages between nodes on different sides are dropped. */
  side: ((name: string) => number) | null = null;
  /** When set, messages it returns true for are dropped. */
  drop: DropFilter | null = null;
  readonly intervalMs: number;
  private readonly rng: Rng;
  private readonly seedNames: string[];
  private readonly configInput: GossipConfigInput;
  private readonly transports = new Map<string, Transport>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** When each node wakes next (its alarm); a node added or resumed wakes in the next round. */
  private readonly wakeAt = new Map<string, number>();
  private nextIndex: number;

  constructor(options: MemoryClusterOptions) {
    this.rng = seededRng(options.seed ?? 1);
    this.loss = options.loss ?? 0;
    this.configInput = options.config ?? {};
    this.intervalMs = resolveConfig(this.configInput).intervalMs;
    this.seedNames = (options.seeds ?? [0, 1]).map((i) => `n${i}`);
    this.nextIndex = options.size;
    const names = Array.from({ length: options.size }, (_, i) => `n${i}`);
    if (options.start === "converged") this.startConverged(names);
    else for (const name of names) this.add(name, 1);
  }

  /** Adds a node (a new one, or a new generation of an old one) knowing only itself and the seeds. */
  add(name: string, generation: number): Gossiper {
    return this.install(new Gossiper({ ...this.options(), name, generation }));
  }

  /** A brand-new node joining from the seeds. */
  join(): Gossiper {
    return this.add(`n${this.nextIndex++}`, 1);
  }

  node(name: string): Gossiper {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  transport(name: string): Transport {
    return this.transports.get(name) as Transport;
  }

  running(): Gossiper[] {
    return [...this.nodes.values()].filter((node) => this.modes.get(node.name) === "running");
  }

  /** The node refuses every request from now on (a stopped Durable Object). */
  stop(name: string): void {
    this.modes.set(name, "stopped");
  }

  /** The node says nothing from now on and runs no rounds (a crashed machine, a hang). */
  crash(name: string): void {
    this.modes.set(name, "crashed");
  }

  /** A stopped or hung node takes part again, with the state it had. */
  resume(name: string): void {
    this.modes.set(name, "running");
    this.wakeAt.set(name, this.now);
  }

  /** Restarts a node with a higher generation and empty state. */
  restart(name: string): Gossiper {
    return this.add(name, this.node(name).generation + 1);
  }

  /** Writes a key on a node and sends its hot pushes at once (as the shells do). */
  async write(name: string, key: string, value: string): Promise<number> {
    const node = this.node(name);
    const version = node.setKey(key, value);
    this.flushOutbox(name);
    await this.settle();
    this.rearm();
    return version;
  }

  /** A graceful leave: announced and pushed at once; the node keeps answering and gossiping. */
  async leave(name: string): Promise<void> {
    this.node(name).leave();
    this.flushOutbox(name);
    await this.settle();
    this.rearm();
  }

  /**
   * One round: every running node whose wake is due before the round ends runs a round, all at
   * once, and every message settles; nodes made busy meanwhile are re-armed; time advances.
   */
  async round(): Promise<void> {
    const end = this.now + this.intervalMs;
    const order = this.running().filter((node) => (this.wakeAt.get(node.name) ?? this.now) < end);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng() * (i + 1));
      [order[i], order[j]] = [order[j] as Gossiper, order[i] as Gossiper];
    }
    await Promise.all(
      order.map((node) => {
        const rounds = runRound(node, this.transport(node.name));
        this.wakeAt.set(node.name, this.now + node.nextRoundDelay());
        return rounds;
      }),
    );
    await this.settle();
    this.rearm();
    this.collectEvents();
    this.roundsRun++;
    this.now += this.intervalMs;
  }

  async rounds(count: number): Promise<void> {
    for (let i = 0; i < count; i++) await this.round();
  }

  /** Runs rounds until `done` holds (checked before each round); returns rounds taken. */
  async runUntil(done: () => boolean, maxRounds: number): Promise<number> {
    for (let rounds = 0; rounds <= maxRounds; rounds++) {
      if (done()) return rounds;
      await this.round();
    }
    throw new Error(`condition not reached within ${maxRounds} rounds`);
  }

  /** True when every running node sees every one of `names` (itself included) as alive. */
  everyoneSeesAlive(names: readonly string[]): boolean {
    return this.running().every((node) => names.every((name) => node.statusOf(name) === "alive"));
  }

  /** True when every running node but `name` sees it with one of `statuses`. */
  statusEverywhere(name: string, ...statuses: MemberStatus[]): boolean {
    return this.running().every(
      (node) => node.name === name || statuses.includes(node.statusOf(name) as MemberStatus),
    );
  }

  /** Every running node sees every running node alive. */
  converged(): boolean {
    return this.everyoneSeesAlive(this.running().map((node) => node.name));
  }

  /** Sum of a counter over every node. */
  total(key: keyof Gossiper["counters"]): number {
    let sum = 0;
    for (const node of this.nodes.values()) sum += node.counters[key];
    return sum;
  }

  /** Waits until every request, answer and push in flight has settled. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  // ---------------------------------------------------------------- internals

  /** What every node's Gossiper is built with (each gets its own random stream). */
  options() {
    return {
      cluster: CLUSTER,
      config: resolveConfig(this.configInput),
      seeds: this.seedNames,
      clock: () => this.now,
      rng: seededRng(Math.floor(this.rng() * 2 ** 31)),
    };
  }

  /** Puts a Gossiper in place of the node of its name (a new one, or one restored from a snapshot). */
  install(node: Gossiper): Gossiper {
    this.nodes.set(node.name, node);
    this.modes.set(node.name, "running");
    this.wakeAt.set(node.name, this.now);
    this.transports.set(node.name, this.transportFor(node.name));
    return node;
  }

  /** Every node starts knowing every other one as alive, as after a long quiet stretch. */
  private startConverged(names: string[]): void {
    const records: NodeStateSnapshot[] = names.map((name) => ({
      name,
      generation: 1,
      incarnation: 0,
      status: 0,
      heartbeat: 0,
      maxVersion: 0,
      gcVersion: 0,
      keys: [],
    }));
    records.forEach((self, i) => {
      const others = records.filter((_, j) => j !== i);
      const snapshot: GossiperSnapshot = {
        cluster: CLUSTER,
        self,
        others,
        members: others.map((other) => [other.name, "alive", this.now]),
        graveyard: [],
        selfStatus: "alive",
      };
      this.install(Gossiper.restore(structuredClone(snapshot), this.options()));
    });
  }

  private delivered(from: string, to: string, message: unknown): boolean {
    if (this.side && this.side(from) !== this.side(to)) return false;
    if (this.drop?.(from, to, message)) return false;
    return this.loss === 0 || this.rng() >= this.loss;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    const done = () => this.inFlight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  private transportFor(from: string): Transport {
    return {
      request: (peer: string, message: RequestMessage): Promise<unknown> =>
        this.track(this.request(from, peer, message)),
      send: (peer: string, message: PushMessage): void => {
        if (!this.delivered(from, peer, message) || this.modes.get(peer) !== "running") return;
        const target = this.nodes.get(peer);
        if (!target) return;
        this.track(answer(target, this.transport(peer), structuredClone(message)));
      },
    };
  }

  private async request(from: string, peer: string, message: RequestMessage): Promise<unknown> {
    const target = this.nodes.get(peer);
    const mode = this.modes.get(peer);
    if (!target || mode === "crashed" || !this.delivered(from, peer, message)) throw new Timeout(peer);
    if (mode === "stopped") throw new PeerRefused(peer, "stopped");
    const reply = await answer(target, this.transport(peer), structuredClone(message));
    if (this.modes.get(from) !== "running" || !this.delivered(peer, from, reply)) throw new Timeout(peer);
    return structuredClone(reply);
  }

  /** Wakes sooner a node whose alarm is later than its work allows (as the shells re-arm). */
  private rearm(): void {
    for (const node of this.running()) {
      const at = this.wakeAt.get(node.name) ?? this.now;
      if (at > node.latestWake(this.now)) this.wakeAt.set(node.name, this.now + node.nextRoundDelay());
    }
  }

  private flushOutbox(name: string): void {
    const node = this.node(name);
    const transport = this.transport(name);
    for (const { peer, message } of node.takeOutbox()) {
      node.countSent(message);
      transport.send(peer, message);
    }
  }

  private collectEvents(): void {
    for (const node of this.nodes.values()) {
      for (const event of node.drainEvents()) this.events.push([node.name, event]);
    }
  }
}
