/**
 * What one node's engine holds, shared by its mechanisms (probing, dissemination, anti-entropy,
 * agent hosting, peer choice): the view, the indexes a round reads, the timers of each
 * mechanism, the outbox and the events. gossiper.ts builds one and wires the mechanisms over
 * it; each mechanism is a module of functions taking it.
 */
import { Awareness } from "./awareness.js";
import { BroadcastQueue } from "./broadcast.js";
import { ClusterState } from "./cluster-state.js";
import type { GossipConfig } from "./config.js";
import { DeadlineQueue } from "./deadline-queue.js";
import { FORWARD_BURST, JOIN_PUSH_BURST } from "./dissemination.js";
import type { GossiperOptions, Outgoing } from "./engine-types.js";
import { fnv1a } from "./fingerprint.js";
import type { HostedAgent } from "./hosted.js";
import { REGION_KEY } from "./keys.js";
import { MemberRecords, phiOptions } from "./membership.js";
import { DEFAULT_MESSAGE_LIMITS, jsonSize, type MessageLimits } from "./messages.js";
import { NodeState } from "./node-state.js";
import { PeerSets } from "./peer-sets.js";
import { Plumtree } from "./plumtree.js";
import { SUSPECT, statusName } from "./precedence.js";
import { namePhase, ProbeRing } from "./probe-ring.js";
import { type Clock, type Rng, seededRng } from "./random.js";
import { TokenBucket } from "./token-bucket.js";
import {
  type CoreCounters,
  emptyCounters,
  type GossipMessage,
  type MemberStatus,
  type MembershipEvent,
  type NewsItem,
  type StatusCode,
} from "./types.js";

/** A shuffled round-robin probe order (memberlist's probe list) of table slots. */
export interface ProbeList {
  /** Table slots, shuffled. */
  order: Int32Array;
  index: number;
}

export interface EngineContext {
  readonly cluster: string;
  readonly name: string;
  readonly config: GossipConfig;
  readonly counters: CoreCounters;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly limits: MessageLimits;
  readonly sizeOf: (message: GossipMessage) => number;
  readonly maxQueuedEvents: number;
  readonly seedList: string[];
  readonly state: ClusterState;
  readonly records: MemberRecords;
  /** Gossip peers by status, kept as statuses change: a round never walks every member. */
  readonly peers: PeerSets;
  /** Members suspected here (judged every round). */
  readonly suspects: Set<string>;
  /** Suspects heard of fresh from their first reporter, probed at the next wake to confirm (bounded). */
  readonly confirmNext: Set<string>;
  /** Alive agents this node does not host, each with the home it names: their homes are checked. */
  readonly agents: Map<string, string | undefined>;
  /**
   * An agent or a possible home changed since the round last checked the agents' homes (an
   * agent indexed anew or naming another home, a member newly dead or left): only then are they
   * checked again, so a round does not visit every agent, nor does an agent's heartbeat.
   */
  homesChanged: boolean;
  /** Dead and left members, by when their grace ends and they are forgotten. */
  readonly forgetQueue: DeadlineQueue;
  readonly broadcasts: BroadcastQueue;
  readonly awareness: Awareness;
  readonly rumors: TokenBucket;
  /** Joins this node may still push or forward hot (dissemination.ts, `goesHot`). */
  readonly joinPushes: TokenBucket;
  /** Hot forwards this node may still send (dissemination.ts, `handlePush`). */
  readonly forwards: TokenBucket;
  /** The broadcast tree writes travel (eager links, lazy notices, missing writes). */
  readonly tree: Plumtree;
  selfStatus: MemberStatus;
  events: MembershipEvent[];
  outbox: Outgoing[];
  /** News merged from the message being received, for forwarding (see handlePush). */
  freshNews: NewsItem[];
  /** With a region, probe orders (shuffled round-robin): the members of ours. */
  readonly probeList: ProbeList;
  /** With a region: the members of other regions (or of none known yet). */
  readonly remoteProbeList: ProbeList;
  /** Without a region: the shared probe schedule (probe-ring.ts). */
  readonly probeRing: ProbeRing;
  sequence: number;
  /** Rounds to skip probing in while local health is poor. */
  probeWait: number;
  /** Probes owed (a fractional probesPerRound accrues here; a full one goes out). */
  probeCredit: number;
  /** Anti-entropy: rounds to wait before the next exchange, and the current pause (Trickle). */
  aeWait: number;
  aePause: number;
  /**
   * A joining node's tries at the seeds: rounds until the next, and the pause after it, which
   * doubles up to `maxBackoffRounds` until any peer answers. Nodes started together would
   * otherwise all retry every round at seeds too busy to answer in time, and keep them so.
   */
  joinWait: number;
  joinPause: number;
  /** When the last wake began (null before the first): how many rounds the next one covers. */
  lastWakeAt: number | null;
  /**
   * Probes are paid ahead: the time up to which this node's probes have gone out (null before
   * its first wake). A wake pays the rounds from here to its predicted next wake (rounds.ts).
   */
  probesPaidUntil: number | null;
  /** This node's phase within a quiet wake period, in [0, 1): a hash of its name (probe-ring.ts). */
  readonly wakePhase: number;
  /** Agents this node hosts, by name (their names are also in `state.owned`). */
  readonly hosted: Map<string, HostedAgent>;
  /** Hosted agents changed by a judgement or a claim from a peer since the shell last saved. */
  hostedChanged: Set<string>;
  /** Hosted agents dropped (owned elsewhere, or forgotten) since the shell last saved. */
  hostedDropped: Set<string>;
  /** Members learned from news announcing keys not received yet: node or agent is unknown. */
  readonly kindUnknown: Set<string>;
}

/** A fresh engine for `options`, on `selfState` and sharing `view`'s members when given. */
export function createContext(
  options: GossiperOptions,
  selfState?: NodeState,
  view?: ClusterState,
): EngineContext {
  const config = options.config;
  const clock = options.clock;
  const rng = options.rng;
  const awareness = new Awareness(config.awarenessMax);
  // The draw that once picked the wake phase (now a hash of the name): seeded runs keep the
  // streams they had, and it seeds the tree's own stream.
  const drawn = rng();
  const rumors = new TokenBucket(config.rumorsPerSecond, config.rumorBurst, clock());
  const self = selfState ?? new NodeState(options.name, options.generation);
  const state = view ? view.viewFor(self) : new ClusterState(self, options.names);
  const seedList = [...(options.seeds ?? [])];
  return {
    cluster: options.cluster,
    name: options.name,
    config,
    counters: emptyCounters(),
    clock,
    rng,
    limits: options.limits ?? DEFAULT_MESSAGE_LIMITS,
    sizeOf: options.sizeOf ?? jsonSize,
    maxQueuedEvents: options.maxQueuedEvents ?? 1000,
    seedList,
    state,
    records: new MemberRecords(state.table, phiOptions(config)),
    peers: new PeerSets(),
    suspects: new Set(),
    confirmNext: new Set(),
    agents: new Map(),
    homesChanged: true,
    forgetQueue: new DeadlineQueue(),
    broadcasts: new BroadcastQueue(options.name),
    awareness,
    rumors,
    joinPushes: new TokenBucket(1000 / config.intervalMs, JOIN_PUSH_BURST, clock()),
    forwards: new TokenBucket(1000 / config.intervalMs, FORWARD_BURST, clock()),
    tree: new Plumtree(seededRng(fnv1a(options.name) ^ Math.floor(drawn * 2 ** 32))),
    selfStatus: startingStatus(options.name, seedList),
    events: [],
    outbox: [],
    freshNews: [],
    probeList: { order: new Int32Array(0), index: 0 },
    remoteProbeList: { order: new Int32Array(0), index: 0 },
    probeRing: new ProbeRing(),
    sequence: 0,
    probeWait: 0,
    probeCredit: 0,
    aeWait: 0,
    aePause: 1,
    joinWait: 0,
    joinPause: 1,
    lastWakeAt: null,
    probesPaidUntil: null,
    wakePhase: namePhase(options.name),
    hosted: new Map(),
    hostedChanged: new Set(),
    hostedDropped: new Set(),
    kindUnknown: new Set(),
  };
}

/**
 * A node's status as it starts: joining its seeds, or alive at once when it has no seed but
 * itself (there is no one to join, and a joining node never goes quiet).
 */
export function startingStatus(name: string, seeds: readonly string[]): "joining" | "alive" {
  return seeds.some((seed) => seed !== name) ? "joining" : "alive";
}

/** The region this node placed itself in (its reserved region key), if any. */
export function ownRegion(ctx: EngineContext): string | undefined {
  return ctx.state.self.get(REGION_KEY);
}

/** A member's region as this node knows it (undefined: none, or its state not learned yet). */
export function regionOf(ctx: EngineContext, name: string): string | undefined {
  return ctx.state.peek(name)?.get(REGION_KEY);
}

/** Queues a membership event; the oldest are dropped past `maxQueuedEvents`. */
export function emit(
  ctx: EngineContext,
  type: MembershipEvent["type"],
  node: string,
  generation: number,
  keys?: string[],
  by?: string,
): void {
  const event: MembershipEvent = { type, node, generation, at: ctx.clock() };
  if (keys) event.keys = keys;
  if (by !== undefined) event.by = by;
  ctx.events.push(event);
  if (ctx.events.length > ctx.maxQueuedEvents) ctx.events.splice(0, ctx.events.length - ctx.maxQueuedEvents);
}

/** What `drainEvents` answers when none is queued. */
const NO_EVENTS: readonly MembershipEvent[] = Object.freeze([]);

/** Takes the events queued since the last call (most calls find none: no new list for them). */
export function drainEvents(ctx: EngineContext): readonly MembershipEvent[] {
  const out = ctx.events;
  if (out.length === 0) return NO_EVENTS;
  ctx.events = [];
  return out;
}

/** Queues the event of a member's new status (`by`: who suspects it). */
export function emitStatus(ctx: EngineContext, name: string, status: StatusCode, by?: string): void {
  emit(
    ctx,
    statusName(status),
    name,
    ctx.state.get(name)?.generation ?? 0,
    undefined,
    status === SUSPECT ? by : undefined,
  );
}
