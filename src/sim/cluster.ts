/**
 * A cluster of real core Gossipers on the virtual clock and network, driven by the core's own
 * driver (runRoundThen, answerThen: the steps the Durable Object awaits as runRound and
 * answer). Each node runs rounds at the interval its Gossiper asks for, plus jitter, from a
 * random offset. Requests cross the lossy network and are answered by the peer's driver; a request
 * with no answer times out on the virtual clock. A crashed node is silent, like a hung machine:
 * its callers time out. Messages are handed over without copying: the Gossiper never mutates
 * an inbound message and never keeps references into it, and never mutates one it sent.
 */
import {
  answerThen,
  type GossipConfig,
  Gossiper,
  Interner,
  type NodeStateSnapshot,
  type PushMessage,
  REGION_KEY,
  type RequestMessage,
  type Rng,
  runRoundThen,
  type Settle,
  seededRng,
  type Transport,
} from "../core/index.js";
import { type Scheduled, VirtualClock } from "./clock.js";
import type { CoreMeter } from "./core-meter.js";
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
  /** Regions r0..r{R-1}, assigned round-robin by node index; 1 or less: none. */
  regions?: number;
  /** Added to the latency of every message between two regions, ms. */
  crossLatencyMs?: number;
  /** Regions exist in the network, but nodes are not told theirs: the uniform baseline. */
  regionBlind?: boolean;
  /** Times every node's core work (the scaling scenario). */
  meter?: CoreMeter;
}

export interface SimNode {
  readonly name: string;
  gossiper: Gossiper;
  transport: Transport;
  up: boolean;
  /** Bumped on every crash and restart: messages and timers of an older life are void. */
  life: number;
  /** Bumped whenever the next wake is scheduled: an older wake timer is void. */
  wake?: number;
  /** When the next wake is due (virtual ms). */
  wakeAt?: number;
}

/** A request timed out on the virtual clock (one instance: its stack would say nothing). */
class Timeout extends Error {}
const TIMED_OUT = new Timeout("timed out");

/** One request in flight. */
interface Call {
  from: SimNode;
  /** The life of `from` that sent it: an answer to an older life is void. */
  life: number;
  peer: string;
  message: RequestMessage;
  /** The driver's step that goes on from the answer. */
  then: Settle;
  settled: boolean;
  /** When it times out (virtual ms), and its timeout's place among events at that time. */
  deadline: number;
  place: number;
  /** Its timeout, once one is due (see `timeOut`), cancelled if it is settled first. */
  timeout: Scheduled | undefined;
  /** The peer's answer, on its way back. */
  reply: unknown;
  /** The peer, once the request reached it, and its life then (see `sendReply`). */
  target: SimNode | undefined;
  targetLife: number;
}

export class SimCluster {
  readonly clock: VirtualClock;
  readonly net: Network;
  readonly nodes = new Map<string, SimNode>();
  readonly config: GossipConfig;
  readonly seedNames: string[];
  /** Called after every call into a node's Gossiper (round start or message handled). */
  onTouch: ((node: SimNode) => void) | null = null;
  /** Called as a live node sends a request (scenarios time probes with it). */
  onRequest: ((from: string, to: string, message: RequestMessage) => void) | null = null;
  /** Suspicions raised of members that were up: distinct (member, generation, incarnation). */
  falseSuspicions = 0;
  /** Deaths declared of members that were up, counted the same way. */
  falseDeaths = 0;
  /** Suspicions of nodes that were down (true positives). */
  trueSuspicions = 0;
  private readonly suspected = new Set<string>();
  private readonly declaredDead = new Set<string>();
  private readonly rng: Rng;
  private readonly options: ClusterOptions;
  /** Counters of Gossipers replaced by restarts, so totals survive churn. */
  private readonly retired = new Map<string, number>();
  private nextIndex: number;
  private upCount = 0;
  /** Every node's names, held once for the whole cluster. */
  private readonly names = new Interner();

  constructor(options: ClusterOptions) {
    this.options = options;
    this.config = options.config;
    this.rng = seededRng(options.seed);
    this.clock = new VirtualClock(0);
    const regional = (options.regions ?? 1) > 1;
    this.net = new Network(this.clock, {
      loss: options.loss,
      latency: options.latency,
      rng: this.fork(),
      ...(regional
        ? { regionOf: (name: string) => this.regionOf(name), crossLatencyMs: options.crossLatencyMs }
        : {}),
    });
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

  /** Whether nodes lie in regions (--regions 2 or more). */
  get regional(): boolean {
    return (this.options.regions ?? 1) > 1;
  }

  /** The region of a node (r0..r{R-1}, round-robin by index), or undefined without --regions. */
  regionOf(name: string): string | undefined {
    const regions = this.options.regions ?? 1;
    if (regions <= 1) return undefined;
    return `r${Number(name.slice(1)) % regions}`;
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

  /** Runs `rounds` rounds of virtual time. */
  async runRounds(rounds: number): Promise<void> {
    await this.clock.advanceFor(this.now + rounds * this.config.intervalMs);
  }

  /** Stops a node at once: it neither gossips nor answers (callers time out). Its state is lost. */
  crash(name: string): void {
    const node = this.node(name);
    if (!node.up) return;
    node.up = false;
    node.life++;
    this.upCount--;
  }

  /** Resumes a stopped (hung) node as it was: the same generation and state, its timers void. */
  resume(name: string): SimNode {
    const node = this.node(name);
    return node.up ? node : this.bringUp(node);
  }

  /** Restarts a crashed node with a higher generation and empty state, bootstrapping from seeds. */
  restart(name: string): SimNode {
    const node = this.node(name);
    if (node.up) return node;
    for (const [key, value] of Object.entries(node.gossiper.counters)) {
      this.retired.set(key, (this.retired.get(key) ?? 0) + value);
    }
    node.gossiper = this.makeGossiper(name, node.gossiper.generation + 1);
    return this.bringUp(node);
  }

  /** A stopped node runs again (a new life: messages and timers of the old one are void). */
  private bringUp(node: SimNode): SimNode {
    node.up = true;
    node.life++;
    node.transport = this.transportFor(node);
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
    this.deliverOutbox(node);
    const life = node.life;
    this.clock.after(lingerMs, () => {
      if (node.life === life) this.crash(name);
    });
  }

  /** Writes a key on a node and sends its hot pushes. Returns the version. */
  write(name: string, key: string, value: string): number {
    const node = this.node(name);
    const version = node.gossiper.setKey(key, value);
    this.deliverOutbox(node);
    this.touched(node);
    return version;
  }

  /** An agent's heartbeat at its home `home` (registering it there on the first); sends the pushes. */
  heartbeatAgent(home: string, agent: string, intervalMs: number, state?: Record<string, string>): void {
    this.act(home, (gossiper) => gossiper.hostHeartbeat(agent, intervalMs, state, () => {}));
  }

  /** An agent's graceful leave at its home. */
  leaveAgent(home: string, agent: string): void {
    this.act(home, (gossiper) => gossiper.leaveHosted(agent, () => {}));
  }

  /** Runs a call on a node's Gossiper between wakes, then sends its pushes. */
  private act(name: string, call: (gossiper: Gossiper) => unknown): void {
    const node = this.node(name);
    call(node.gossiper);
    this.deliverOutbox(node);
    this.touched(node);
  }

  /** Sum of a counter over every node that ever ran, restarted lives included. */
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
      names: this.names,
    };
  }

  private makeGossiper(name: string, generation: number): Gossiper {
    const gossiper = new Gossiper({ ...this.gossiperOptions(), name, generation });
    this.options.meter?.attach(gossiper);
    const region = this.toldRegion(name);
    if (region !== undefined) gossiper.setRegion(region);
    return gossiper;
  }

  /** The region a node is told it is in (none for a region-blind baseline). */
  private toldRegion(name: string): string | undefined {
    return this.options.regionBlind ? undefined : this.regionOf(name);
  }

  private addNode(name: string, generation: number): SimNode {
    const node = { name, gossiper: this.makeGossiper(name, generation), up: true, life: 0 } as SimNode;
    node.transport = this.transportFor(node);
    this.nodes.set(name, node);
    this.upCount++;
    return node;
  }

  /** Every node starts knowing every other one as alive, as after a long quiet period. */
  private startConverged(names: string[]): void {
    const records: NodeStateSnapshot[] = names.map((name) => {
      const region = this.toldRegion(name);
      return {
        name,
        generation: 1,
        incarnation: 0,
        status: 0,
        heartbeat: 0,
        maxVersion: region === undefined ? 0 : 1,
        gcVersion: 0,
        keys: region === undefined ? [] : [[REGION_KEY, region, 1]],
      };
    });
    // The first node is restored from a snapshot; every other one starts from a copy of its
    // view (the same members, each node its own writer), which costs a copy, not a rebuild.
    const template = Gossiper.restore(
      {
        cluster: CLUSTER_NAME,
        self: records[0] as NodeStateSnapshot,
        others: records.slice(1),
        members: records.slice(1).map((other) => [other.name, "alive", 0]),
        graveyard: [],
        selfStatus: "alive",
      },
      this.gossiperOptions(),
    );
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const gossiper = i === 0 ? template : Gossiper.fromView(template, name, this.gossiperOptions());
      this.options.meter?.attach(gossiper);
      const node = { name, gossiper, up: true, life: 0 } as SimNode;
      node.transport = this.transportFor(node);
      this.nodes.set(name, node);
      this.upCount++;
    }
  }

  private scheduleFirstRound(node: SimNode): void {
    this.scheduleWake(node, node.life, this.rng() * this.config.intervalMs);
  }

  /** Schedules the node's next wake (one alarm in a Durable Object), replacing any other. */
  private scheduleWake(node: SimNode, life: number, delay: number): void {
    const wake = (node.wake ?? 0) + 1;
    node.wake = wake;
    node.wakeAt = this.now + delay;
    this.clock.after(delay, () => {
      if (node.wake === wake) this.round(node, life);
    });
  }

  private round(node: SimNode, life: number): void {
    if (!node.up || node.life !== life) return;
    const gossiper = node.gossiper;
    const after = () => this.touched(node);
    runRoundThen(gossiper, node.transport, 0, after, after);
    this.touched(node);
    this.scheduleWake(node, life, gossiper.nextRoundDelay());
    // What a shell saves after each wake; nothing is saved here, but it is taken, as a shell does.
    gossiper.takeHostedChanges();
  }

  /**
   * The transport a node's driver uses: the virtual network, with virtual timeouts, and the
   * driver's steps called back at once (`requestThen`), with no promise between. The steps of a
   * request are methods taking a `Call`, not closures made per request: millions of them run.
   */
  private transportFor(from: SimNode): Transport {
    const life = from.life;
    const requestThen = (
      peer: string,
      message: RequestMessage,
      timeoutMs: number | undefined,
      then: Settle,
    ) => {
      const deadline = this.now + (timeoutMs ?? this.config.intervalMs);
      const place = this.clock.reserve();
      const call: Call = {
        from,
        life,
        peer,
        message,
        then,
        settled: false,
        deadline,
        place,
        timeout: undefined,
        reply: undefined,
        target: undefined,
        targetLife: 0,
      };
      // A crashed life sends nothing: its probes still in flight time out and go no further.
      if (!this.sameLife(from, life)) {
        this.timeOut(call);
        return;
      }
      this.onRequest?.(from.name, peer, message);
      const arrival = this.net.send(from.name, peer, this.requestArrived, call);
      if (arrival === null || arrival >= deadline) this.timeOut(call);
    };
    return {
      requestThen,
      // The promise form, for a caller outside the driver: the clock lets its continuation run
      // before the next event (VirtualClock.advanceUntil).
      request: (peer: string, message: RequestMessage, timeoutMs?: number): Promise<unknown> =>
        new Promise((resolve, reject) =>
          requestThen(peer, message, timeoutMs, (ok, value) => {
            this.clock.resolvedSomething();
            if (ok) resolve(value);
            else reject(value);
          }),
        ),
      send: (peer: string, message: PushMessage): void => {
        if (!this.sameLife(from, life)) return;
        this.net.send(from.name, peer, () => {
          const target = this.nodes.get(peer);
          if (!target?.up) return;
          answerThen(target.gossiper, target.transport, message, ignore, rethrow);
          this.touched(target);
        });
      },
    };
  }

  /**
   * A request reached its peer: it answers, at once or (a ping-req) after its own probe. (The
   * network's events are these methods and a Call, not a closure made per message.)
   */
  private readonly requestArrived = (call: Call): void => {
    const target = this.nodes.get(call.peer);
    if (!target?.up) {
      this.timeOut(call);
      return;
    }
    call.target = target;
    call.targetLife = target.life;
    let answered = false;
    answerThen(
      target.gossiper,
      target.transport,
      call.message,
      (reply) => {
        answered = true;
        this.sendReply(call, reply);
      },
      rethrow,
    );
    // An answer that waits (a ping-req's own probe) may come after the deadline, or never.
    if (!answered) this.timeOut(call);
  };

  /** Sends a peer's answer back, unless the peer went down or restarted meanwhile. */
  private sendReply(call: Call, reply: unknown): void {
    const target = call.target as SimNode;
    this.touched(target);
    if (!target.up || target.life !== call.targetLife || reply === undefined) {
      this.timeOut(call);
      return;
    }
    call.reply = reply;
    const arrival = this.net.send(target.name, call.from.name, this.replyArrived, call);
    if (arrival === null || arrival >= call.deadline) this.timeOut(call);
  }

  /** An answer came back to the life that asked, or to a life since gone (it times out). */
  private readonly replyArrived = (call: Call): void => {
    if (this.sameLife(call.from, call.life)) this.settle(call, true, call.reply);
    else this.timeOut(call);
  };

  /**
   * The request will time out: at its deadline, with no answer before it. A timeout is put on
   * the clock only once no answer can beat it (it was lost, the peer is down, the answer comes
   * too late), not for every request: most are answered, and a cancelled timeout would still
   * come up on the clock in its turn. It takes the place among events at its time that it would
   * have had if put on the clock when the request was sent, so a run is the same either way.
   */
  private timeOut(call: Call): void {
    if (call.settled || call.timeout !== undefined) return;
    call.timeout = this.clock.at(call.deadline, () => this.settle(call, false, TIMED_OUT), call.place);
  }

  /** Settles a request once: with its answer, or with a timeout. */
  private settle(call: Call, answered: boolean, value: unknown): void {
    if (call.settled) return;
    call.settled = true;
    if (call.timeout) this.clock.cancel(call.timeout);
    call.then(answered, value);
  }

  /** The node is up and still in the life `life` (not crashed or restarted since). */
  private sameLife(node: SimNode, life: number): boolean {
    return node.up && node.life === life;
  }

  private deliverOutbox(node: SimNode): void {
    for (const { peer, message } of node.gossiper.takeOutbox()) {
      node.gossiper.countSent(message);
      node.transport.send(peer, message);
    }
  }

  private touched(node: SimNode): void {
    // Something between wakes made the node busy (as the Durable Object re-arms its alarm).
    if (node.up && node.wakeAt !== undefined && node.wakeAt > node.gossiper.latestWake(this.now)) {
      this.scheduleWake(node, node.life, node.gossiper.nextRoundDelay());
    }
    const events = node.gossiper.drainEvents();
    // What a crashed node's last work still decides stays with it: nobody hears it.
    if (!node.up) return;
    for (const event of events) {
      if (event.type !== "suspect" && event.type !== "dead") continue;
      const subject = this.nodes.get(event.node);
      // A member cut off by a partition is not up as far as this observer can tell.
      const up =
        subject?.up === true &&
        subject.gossiper.generation === event.generation &&
        this.net.connected(node.name, event.node);
      if (!up) {
        if (event.type === "suspect" && event.by === node.name) this.trueSuspicions++;
        continue;
      }
      const key = `${event.node}:${event.generation}:${subject.gossiper.incarnation}`;
      const seen = event.type === "suspect" ? this.suspected : this.declaredDead;
      if (seen.has(key)) continue;
      seen.add(key);
      if (event.type === "suspect") this.falseSuspicions++;
      else this.falseDeaths++;
    }
    this.onTouch?.(node);
  }
}

function ignore(): void {}

/** A step that threw while answering a peer is a bug of the core: the run stops on it. */
function rethrow(error: unknown): never {
  throw error;
}

export function nodeName(index: number): string {
  return `n${index}`;
}
