/**
 * One gossip node's protocol engine (v2), free of I/O: the Durable Object, the simulator and
 * the test cluster all drive it through driver.ts. It holds what the node knows, decides whom
 * to probe and exchange with each round, answers every peer message, and keeps an outbox of
 * news to push at once. Liveness comes from SWIM probing (or, under `detector: "phi"`, from
 * heartbeats relayed in exchanges); membership news rides on every message and is pushed hot;
 * anti-entropy opens with a digest fingerprint and backs off while exchanges find nothing.
 * Every inbound message is validated and size-checked first; a bad one is rejected, counted
 * and never merged.
 */
import { Awareness } from "./awareness.js";
import { BroadcastQueue } from "./broadcast.js";
import { ClusterState, type Grave, type NodeChange } from "./cluster-state.js";
import { type GossipConfig, hotFanoutFor, retransmitLimit } from "./config.js";
import { DeadlineQueue } from "./deadline-queue.js";
import {
  type HeartbeatOutcome,
  HostedAgent,
  type HostedSnapshot,
  homeOf,
  isAgentState,
  planHeartbeat,
  planLeave,
} from "./hosted.js";
import type { Interner } from "./interner.js";
import { checkUserKey, REGION_KEY } from "./keys.js";
import { MemberRecords, phiOptions } from "./membership.js";
import {
  DEFAULT_MESSAGE_LIMITS,
  jsonSize,
  type MessageLimits,
  type ParseResult,
  parseMessage,
} from "./messages.js";
import { type MemberState, NodeState, type NodeStateSnapshot } from "./node-state.js";
import { ALIVE_PEER, DEAD_PEER, NOT_PEER, type PeerKind, PeerSets, SUSPECT_PEER } from "./peer-sets.js";
import { ALIVE, compareClaims, DEAD, LEFT, SUSPECT, statusName } from "./precedence.js";
import { type Clock, type Rng, randomInt, sample } from "./random.js";
import { type RegionalChoice, regionalSample } from "./regions.js";
import { Suspicion, suspicionBounds } from "./suspicion.js";
import { TokenBucket } from "./token-bucket.js";
import {
  type AckMessage,
  type CoreCounters,
  type DeltaMessage,
  type DigestMessage,
  emptyCounters,
  type GossipMessage,
  type HeartbeatEntry,
  type MemberStatus,
  type MembershipEvent,
  type MemberView,
  type NackMessage,
  type NewsItem,
  type NodeDelta,
  type PingMessage,
  type PingReqMessage,
  PROTOCOL_VERSION,
  type PushMessage,
  type SynAckMessage,
  type SynMessage,
} from "./types.js";
import { chanceOver, maxWakeDelay, roundsCovered, wakeDelay, wakeRounds } from "./wake.js";

export interface GossiperOptions {
  cluster: string;
  name: string;
  generation: number;
  config: GossipConfig;
  seeds?: readonly string[];
  clock: Clock;
  rng: Rng;
  limits?: MessageLimits;
  /** Message size measure; defaults to exact JSON length. The simulator may pass a cheaper one. */
  sizeOf?: (message: GossipMessage) => number;
  /** Events kept for `drainEvents`; older ones are dropped. */
  maxQueuedEvents?: number;
  /** Names shared with other nodes of this process (the simulator's), so each is held once. */
  names?: Interner;
}

export interface GossiperSnapshot {
  cluster: string;
  self: NodeStateSnapshot;
  others: NodeStateSnapshot[];
  /** `[name, status, since]`: when each member's status began here (its suspicion, if suspect). */
  members: Array<[name: string, status: MemberStatus, since: number]>;
  /** `[name, generation, incarnation, at, left?]`. */
  graveyard: Array<[name: string, generation: number, incarnation: number, at: number, left?: boolean]>;
  selfStatus: MemberStatus;
  /** Agents this node hosts (omitted when none). */
  hosted?: HostedSnapshot[];
}

/** What an agent's heartbeat or leave left at its home. */
export interface HostedClaim {
  outcome: HeartbeatOutcome | "left";
  generation: number;
  incarnation: number;
  status: MemberStatus;
}

export type Rejection = { ok: false; reason: string };

/** One other member as a shell saves it. */
export interface MemberEntry {
  name: string;
  generation: number;
  incarnation: number;
  status: MemberStatus;
  heartbeat: number;
  since: number;
}

/** What a round asks the driver to do. */
export interface RoundPlan {
  /** Members to probe, each with its ping. */
  probes: Array<{ target: string; ping: PingMessage }>;
  /** Anti-entropy exchanges to open. */
  exchanges: Array<{ peer: string; syn: SynMessage }>;
}

/** A one-way message waiting in the outbox. */
export interface Outgoing {
  peer: string;
  message: PushMessage;
}

/** How a probe ended. */
export type ProbeOutcome = "ack" | "refused" | "silent";

/** Writes pushed at once carry this many versions before the new one, for peers a write behind. */
const PUSH_CATCH_UP_VERSIONS = 8;

export class Gossiper {
  readonly cluster: string;
  readonly name: string;
  readonly config: GossipConfig;
  readonly counters: CoreCounters = emptyCounters();
  /** Last rejection reason, for diagnostics. */
  lastRejection: string | null = null;
  private readonly state: ClusterState;
  private readonly records: MemberRecords;
  /** Gossip peers by status, kept as statuses change: a round never walks every member. */
  private readonly peers = new PeerSets();
  /** Members suspected here (judged every round), and agents whose home is checked each round. */
  private readonly suspects = new Set<string>();
  private readonly agents = new Set<string>();
  /** Dead and left members, by when their grace ends and they are forgotten. */
  private readonly forgetQueue = new DeadlineQueue();
  private readonly seedList: string[];
  private readonly broadcasts = new BroadcastQueue();
  private readonly awareness: Awareness;
  private readonly rumors: TokenBucket;
  private selfStatus: MemberStatus = "joining";
  private events: MembershipEvent[] = [];
  private outbox: Outgoing[] = [];
  /** Probe orders (shuffled round-robin): every member, or with a region, those of ours. */
  private readonly probeList: ProbeList = { order: new Int32Array(0), index: 0 };
  /** With a region: the members of other regions (or of none known yet). */
  private readonly remoteProbeList: ProbeList = { order: new Int32Array(0), index: 0 };
  private sequence = 0;
  /** Rounds to skip probing in while local health is poor. */
  private probeWait = 0;
  /** Probes owed (a fractional probesPerRound accrues here; a full one goes out). */
  private probeCredit = 0;
  /** Anti-entropy: rounds to wait before the next exchange, and the current pause (Trickle). */
  private aeWait = 0;
  private aePause = 1;
  /**
   * A joining node's tries at the seeds: rounds until the next, and the pause after it, which
   * doubles up to `maxBackoffRounds` until any peer answers. Nodes started together would
   * otherwise all retry every round at seeds too busy to answer in time, and keep them so.
   */
  private joinWait = 0;
  private joinPause = 1;
  /** When the last wake began (null before the first): how many rounds the next one covers. */
  private lastWakeAt: number | null = null;
  /** This node's phase within a quiet wake period, in [0, 1). */
  private readonly wakePhase: number;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly limits: MessageLimits;
  private readonly sizeOf: (message: GossipMessage) => number;
  private readonly maxQueuedEvents: number;
  /** Agents this node hosts, by name (their names are also in `state.owned`). */
  private readonly hosted = new Map<string, HostedAgent>();
  /** Hosted agents changed by a judgement or a claim from a peer since the shell last saved. */
  private hostedChanged = new Set<string>();
  /** Hosted agents dropped (owned elsewhere, or forgotten) since the shell last saved. */
  private hostedDropped = new Set<string>();
  /** Members learned from news announcing keys not received yet: node or agent is unknown. */
  private readonly kindUnknown = new Set<string>();

  constructor(options: GossiperOptions, selfState?: NodeState, view?: ClusterState) {
    this.cluster = options.cluster;
    this.name = options.name;
    this.config = options.config;
    this.seedList = [...(options.seeds ?? [])];
    this.clock = options.clock;
    this.rng = options.rng;
    this.limits = options.limits ?? DEFAULT_MESSAGE_LIMITS;
    this.sizeOf = options.sizeOf ?? jsonSize;
    this.maxQueuedEvents = options.maxQueuedEvents ?? 1000;
    this.awareness = new Awareness(this.config.awarenessMax);
    this.wakePhase = this.rng();
    this.rumors = new TokenBucket(this.config.rumorsPerSecond, this.config.rumorBurst, this.clock());
    const self = selfState ?? new NodeState(options.name, options.generation);
    this.state = view ? view.viewFor(self) : new ClusterState(self, options.names);
    this.records = new MemberRecords(this.state.table, phiOptions(this.config));
  }

  get generation(): number {
    return this.state.self.generation;
  }

  get incarnation(): number {
    return this.state.self.incarnation;
  }

  get status(): MemberStatus {
    return this.selfStatus;
  }

  get seeds(): readonly string[] {
    return this.seedList;
  }

  /** Members known, this node included. */
  get size(): number {
    return this.state.size;
  }

  /** Local health score (0 is healthy). */
  get health(): number {
    return this.awareness.health;
  }

  /** The digest's fingerprint. */
  get fingerprint(): number {
    return this.state.fingerprint.value;
  }

  /** Members visited so far by walks over the whole membership (views, snapshots, digests). */
  get memberVisits(): number {
    return this.state.table.visits;
  }

  /**
   * The next wake's delay: `wakeRounds()` intervals (on this node's phase, see wake.ts) plus
   * jitter. Poor local health slows
   * probing (see beginRound), not wakes: news and anti-entropy keep their pace.
   */
  nextRoundDelay(): number {
    const { intervalMs, jitter } = this.config;
    return wakeDelay(
      this.clock(),
      intervalMs,
      this.wakeRounds(),
      this.wakePhase,
      intervalMs * jitter * this.rng(),
    );
  }

  /** Rounds the next wake may wait (see wake.ts): 1 while busy, up to `roundsPerWake` when quiet. */
  wakeRounds(): number {
    return wakeRounds(this.config.roundsPerWake, this.busy(), this.aePause);
  }

  /**
   * The latest time, seen from `now`, the next wake may come without missing work. A shell
   * whose alarm is later (something happened between wakes: a suspicion, a change) wakes sooner.
   */
  latestWake(now: number): number {
    const { intervalMs, jitter } = this.config;
    return now + maxWakeDelay(intervalMs, this.wakeRounds(), intervalMs * jitter);
  }

  /** Work that cannot wait for a quiet wake: suspicions, agents, joining, phi heartbeats. */
  private busy(): boolean {
    return (
      this.suspects.size > 0 ||
      this.hosted.size > 0 ||
      this.selfStatus === "joining" ||
      this.config.detector === "phi"
    );
  }

  /** How long to wait for a direct ack; indirect probes wait twice as long. */
  probeTimeout(): number {
    return this.awareness.scale(this.config.probeTimeoutMs);
  }

  // ---------------------------------------------------------------- owner writes

  /** The node's own state (read-only use). */
  get self(): NodeState {
    return this.state.self;
  }

  /** Writes a key on this node; returns its version. The write is pushed at once when the bucket allows. */
  setKey(key: string, value: string): number {
    checkUserKey(key);
    const version = this.state.self.set(key, value);
    this.ownChange(true);
    return version;
  }

  /** Deletes a key (tombstone); returns its version, or null when it did not exist. */
  deleteKey(key: string): number | null {
    checkUserKey(key);
    const version = this.state.self.delete(key, this.clock());
    if (version !== null) this.ownChange(true);
    return version;
  }

  /** The region this node placed itself in (its reserved `~region` key), if any. */
  get region(): string | undefined {
    return this.state.self.get(REGION_KEY);
  }

  /**
   * Places this node in a region (the shell usually restores it with the node's own keys).
   * Peer and probe choice then prefer members of the same region.
   */
  setRegion(region: string): void {
    if (this.region === region) return;
    this.state.self.set(REGION_KEY, region);
    this.ownChange(false);
  }

  /** A member's region as this node knows it (undefined: none, or its state not learned yet). */
  regionOf(name: string): string | undefined {
    return this.state.get(name)?.get(REGION_KEY);
  }

  /** The version the next write will get (for shells that store before they write). */
  nextVersion(): number {
    return this.state.self.maxVersion + 1;
  }

  /** Announces a graceful leave: `left` is pushed at once and rides on every message. */
  leave(): void {
    if (this.selfStatus === "left") return;
    this.selfStatus = "left";
    this.state.self.status = LEFT;
    this.ownChange(false);
    this.pushHot(this.ownNews(), [], undefined);
    this.emit("left", this.name, this.generation);
  }

  // ---------------------------------------------------------------- hosted members (agents)

  /** Names of the agents this node hosts. */
  hostedNames(): string[] {
    return [...this.hosted.keys()];
  }

  isHosted(name: string): boolean {
    return this.hosted.has(name);
  }

  /** Whether `name` is a gossip peer: a node we know, not an agent (nor possibly one). */
  isPeer(name: string): boolean {
    const node = this.state.get(name);
    return node !== undefined && this.isPeerNode(node);
  }

  /**
   * An agent's heartbeat at this node, its home: registers it (or takes it over from another
   * home with a higher claim), answers the home's own suspicion with a higher incarnation,
   * writes `updates` to its keys, and feeds the phi detector. `save` receives the agent's row
   * before anything changes in memory, and `changed` says whether the claim or keys change (a
   * throw refuses the heartbeat). Throws RangeError for a bad key or a name that is a node.
   */
  hostHeartbeat(
    name: string,
    intervalMs: number,
    updates: Readonly<Record<string, string>> | undefined,
    save: (row: HostedSnapshot, changed: boolean) => void,
  ): HostedClaim {
    for (const key of Object.keys(updates ?? {})) checkUserKey(key);
    const known = this.state.get(name);
    if (name === this.name || (known && !this.hosted.has(name) && this.isPeerNode(known)))
      throw new RangeError(`${name} is a node of this cluster, not an agent`);
    const now = this.clock();
    const current = this.hosted.get(name);
    const plan = planHeartbeat({
      name,
      home: this.name,
      now,
      hosted: current?.state,
      known: current ? undefined : known,
      grave: this.state.graveyard.get(name),
      updates,
      tiebreak: randomInt(this.rng, 1024),
    });
    const fresh = plan.outcome === "registered" || plan.outcome === "takeover" || !current;
    const since = fresh || plan.outcome === "revived" ? now : (current?.since ?? now);
    save(
      { state: plan.next.snapshot(), intervalMs, lastHeartbeat: now, since },
      plan.changed || intervalMs !== current?.intervalMs,
    );
    let agent = current;
    if (fresh || !agent) {
      agent = new HostedAgent(plan.next, intervalMs, this.config.phiWindow, now);
      this.hosted.set(name, agent);
      this.state.own(name);
      this.state.graveyard.delete(name);
      this.hostedDropped.delete(name);
      this.kindUnknown.delete(name);
    }
    if (plan.changed) {
      const before = known ?? current?.state;
      const changedKeys = plan.next.updatesSince(fresh ? 0 : (before?.maxVersion ?? 0)).map(([key]) => key);
      agent.state = plan.next;
      agent.since = since;
      this.state.add(plan.next);
      this.records.reset(name, since);
      this.reindex(name);
      if (fresh) this.emit(known ? "restarted" : "joined", name, plan.next.generation);
      if (plan.outcome === "revived" || (fresh && known && known.status !== ALIVE))
        this.emitStatus(name, ALIVE);
      const userKeys = changedKeys.filter((key) => !key.startsWith("~"));
      if (userKeys.length > 0) this.emit("state", name, plan.next.generation, userKeys);
      this.hostedChange(name, fresh || plan.outcome === "revived");
    }
    agent.arrived(now, intervalMs);
    return { outcome: plan.outcome, ...this.claimOf(agent.state) };
  }

  /**
   * An agent's graceful leave, announced by this node: `left` for its generation, pushed at
   * once. Hosted here or known from elsewhere (its home may be gone); null when unknown here.
   * `save` receives the row before memory changes.
   */
  leaveHosted(name: string, save: (row: HostedSnapshot) => void): HostedClaim | null {
    const current = this.hosted.get(name)?.state ?? this.state.get(name);
    if (!current || !isAgentState(current)) return null;
    if (current.status === LEFT) return { outcome: "left", ...this.claimOf(current) };
    const now = this.clock();
    const next = planLeave(current, now);
    const agent = this.hosted.get(name);
    const row: HostedSnapshot = {
      state: next.snapshot(),
      intervalMs: agent?.intervalMs ?? this.config.intervalMs,
      lastHeartbeat: agent?.lastHeartbeat ?? 0,
      since: now,
    };
    save(row);
    this.restoreHosted(row, now);
    this.emitStatus(name, LEFT);
    this.hostedChange(name, true);
    return { outcome: "left", ...this.claimOf(next) };
  }

  /** Hosted agents to save (changed by judgements or peers) and to delete, since the last call. */
  takeHostedChanges(): { save: HostedSnapshot[]; drop: string[] } {
    const save: HostedSnapshot[] = [];
    for (const name of this.hostedChanged) {
      const agent = this.hosted.get(name);
      if (agent) save.push(agent.snapshot());
    }
    const drop = [...this.hostedDropped];
    this.hostedChanged = new Set();
    this.hostedDropped = new Set();
    return { save, drop };
  }

  /** One hosted agent's saved form (what its row holds). */
  hostedSnapshot(name: string): HostedSnapshot | undefined {
    return this.hosted.get(name)?.snapshot();
  }

  // ---------------------------------------------------------------- rounds

  /**
   * Starts a round: bumps the heartbeat (to at least `heartbeatFloor`), judges suspicions and
   * detectors, forgets long-gone members, and plans this round's probes and exchanges.
   */
  beginRound(heartbeatFloor = 0): RoundPlan {
    const now = this.clock();
    const rounds = roundsCovered(
      this.lastWakeAt === null ? null : now - this.lastWakeAt,
      this.config.intervalMs,
      this.config.roundsPerWake,
    );
    this.lastWakeAt = now;
    this.counters.rounds += rounds;
    this.counters.wakes++;
    this.state.self.beat(heartbeatFloor);
    this.tick();
    const plan: RoundPlan = { probes: [], exchanges: [] };
    if (this.selfStatus === "left") return plan;
    // A node at health score s probes every (1 + s) rounds (Lifeguard): it accuses less while
    // its own acks go missing.
    const planned: PlannedProbes = { names: new Set(), exhausted: new Set() };
    for (let round = 0; round < rounds; round++) {
      if (this.probeWait > 0) this.probeWait--;
      else if (this.config.detector === "swim") {
        this.probeWait = this.awareness.health;
        this.probeCredit += this.config.probesPerRound;
        for (; this.probeCredit >= 1; this.probeCredit--) {
          const target = this.nextProbeTarget(planned);
          if (target === undefined) break;
          if (target === null) continue;
          planned.names.add(target);
          plan.probes.push({ target, ping: this.makePing(target) });
        }
      }
    }
    this.probeCredit = Math.min(this.probeCredit, 1);
    for (const peer of this.exchangePeers(rounds)) plan.exchanges.push({ peer, syn: this.makeSyn(peer) });
    return plan;
  }

  /**
   * Judges suspicions (and phi), forgets dead and left members past their grace, collects
   * tombstones. Only the members concerned are visited (suspects, agents known here, members
   * whose grace ends, members with tombstones), so a quiet round costs O(1) whatever N is;
   * under phi every live member is judged each round, as its heartbeats are relayed each round.
   */
  tick(): void {
    const now = this.clock();
    const n = this.state.size;
    const { minMs, maxMs } = suspicionBounds(
      this.config.intervalMs,
      n,
      this.config.suspicionMult,
      this.config.suspicionMaxMult,
    );
    for (const name of [...this.suspects]) {
      const node = this.state.get(name);
      if (!node || node.status !== SUSPECT || this.state.writes(name)) {
        this.suspects.delete(name);
        continue;
      }
      let suspicion = this.records.suspicion(name);
      if (!suspicion) {
        suspicion = new Suspicion(this.records.since(name, now), this.name);
        this.records.setSuspicion(name, suspicion);
      }
      if (suspicion.expired(now, this.config.suspicionConfirmations, minMs, maxMs)) {
        this.declare(name, DEAD, this.name);
      }
    }
    for (const name of [...this.agents]) {
      const node = this.state.get(name);
      if (!node || node.status !== ALIVE || this.hosted.has(name)) {
        this.agents.delete(name);
        continue;
      }
      // Only the home judges an agent. When its home is gone, or it is this node but no longer
      // hosts it (a restart is a new generation hosting nothing), nobody will: suspect it.
      const homeName = homeOf(node);
      const home = homeName === undefined ? undefined : this.state.get(homeName);
      if (homeName === this.name || (home && (home.status === DEAD || home.status === LEFT)))
        this.declare(name, SUSPECT, this.name);
    }
    if (this.config.detector === "phi") {
      const alive: string[] = [];
      for (const node of this.state.members()) {
        if (
          node !== this.state.self &&
          node.status === ALIVE &&
          !this.hosted.has(node.name) &&
          !isAgentState(node)
        )
          alive.push(node.name);
      }
      for (const name of alive) {
        if (this.records.phi(name, now) >= this.config.phiThreshold) this.declare(name, SUSPECT, this.name);
      }
    }
    for (const name of this.forgetQueue.due(now)) {
      const node = this.state.get(name);
      if (!node || this.state.writes(name) || (node.status !== DEAD && node.status !== LEFT)) continue;
      const grace = node.status === DEAD ? this.config.deadGraceMs : this.config.leftGraceMs;
      const since = this.records.since(name, now);
      if (now - since >= grace) this.forget(name, now);
      else this.forgetQueue.push(name, since + grace);
    }
    this.judgeHosted(now, n);
    for (const name of [...this.state.tombstoned]) {
      const node = this.state.get(name);
      if (!node) {
        this.state.tombstoned.delete(name);
        continue;
      }
      const before = node.gcVersion;
      node.collectTombstones(now, this.config.tombstoneGraceMs);
      if (node.gcVersion !== before) this.state.refresh(node);
      if (!node.hasTombstones()) this.state.tombstoned.delete(name);
    }
    this.state.expireGraves(now, Math.max(this.config.deadGraceMs, this.config.leftGraceMs));
  }

  // ---------------------------------------------------------------- probing

  /** A ping for `target`, carrying news (news about the target first). */
  makePing(target: string): PingMessage {
    this.counters.probesSent++;
    return this.envelope({ t: "ping", s: ++this.sequence }, target) as PingMessage;
  }

  /** A ping-req asking `helper` to probe `target`. */
  makePingReq(helper: string, target: string): PingReqMessage {
    this.counters.indirectProbesSent++;
    return this.envelope({ t: "pingreq", s: ++this.sequence, target }, helper) as PingReqMessage;
  }

  /** Up to `indirectChecks` members to ask to probe `target`: alive, not the target. */
  probeHelpers(target: string): string[] {
    return this.pickPeers(ALIVE_ONLY, this.config.indirectChecks, (name) => name === target);
  }

  /**
   * How a probe of `target` ended. As memberlist does, local health suffers from a silent probe
   * by the helpers that neither acked nor nacked (`missedNacks` of `expectedNacks`: our own
   * messages may be the ones lost), or by 1 when no helper was asked; a refusal proves nothing
   * against us.
   */
  probeResult(target: string, outcome: ProbeOutcome, missedNacks = 0, expectedNacks = 0): void {
    if (outcome === "ack") {
      this.awareness.apply(-1);
      return;
    }
    this.counters.probesFailed++;
    if (outcome === "silent") this.awareness.apply(expectedNacks > 0 ? missedNacks : 1);
    const node = this.state.get(target);
    if (!node || node.status !== ALIVE) {
      // An independent confirmation: spread it while it still shortens the timeout.
      if (node?.status === SUSPECT && this.confirmSuspicion(target, this.name)) {
        const item = this.state.newsOf(target, this.name) as NewsItem;
        this.broadcasts.enqueue(item);
        if ((this.records.suspicion(target)?.confirmations ?? 0) <= this.config.suspicionConfirmations) {
          this.pushHot([item], [], undefined);
        }
      }
      return;
    }
    this.counters.suspicionsRaised++;
    this.declare(target, SUSPECT, this.name);
  }

  /** Answers a ping. */
  handlePing(raw: unknown): AckMessage | Rejection {
    const parsed = this.receive(raw, ["ping"]);
    if (!parsed.ok) return parsed;
    this.counters.pingsAnswered++;
    return this.envelope({ t: "ack", s: parsed.message.s }, parsed.message.f) as AckMessage;
  }

  /** Takes the answer to a ping or ping-req; true when it is an ack. */
  handleProbeReply(raw: unknown, target: string): boolean | Rejection {
    const parsed = this.receive(raw, ["ack", "nack"]);
    if (!parsed.ok) return parsed;
    if (parsed.message.t !== "ack") return false;
    if (parsed.message.f === target) this.records.addAck(target);
    return true;
  }

  /** Checks a ping-req; the driver then probes its target and answers with `probeAnswer`. */
  handlePingReq(raw: unknown): PingReqMessage | Rejection {
    const parsed = this.receive(raw, ["pingreq"]);
    if (!parsed.ok) return parsed;
    return parsed.message;
  }

  /** The answer to a ping-req: ack when its target answered, nack otherwise. */
  probeAnswer(request: PingReqMessage, answered: boolean): AckMessage | NackMessage {
    return this.envelope({ t: answered ? "ack" : "nack", s: request.s }, request.f) as
      | AckMessage
      | NackMessage;
  }

  // ---------------------------------------------------------------- anti-entropy

  /** Opens an exchange with `peer`: the fingerprint only (and heartbeats under phi). */
  makeSyn(peer: string): SynMessage {
    this.counters.exchangesStarted++;
    const syn: Record<string, unknown> = {
      t: "syn",
      mode: this.config.mode,
      fp: this.state.fingerprint.value,
    };
    if (this.config.detector === "phi") syn.hb = this.heartbeats();
    return this.envelope(syn, peer) as SynMessage;
  }

  /** Answers a Syn: equal fingerprints end the exchange; else our bucket fingerprints. */
  handleSyn(raw: unknown): SynAckMessage | Rejection {
    const parsed = this.receive(raw, ["syn"]);
    if (!parsed.ok) return parsed;
    const syn = parsed.message;
    this.counters.exchangesAnswered++;
    if (syn.hb) this.takeHeartbeats(syn.hb);
    const answer: Record<string, unknown> = { t: "synack" };
    if (syn.fp === this.state.fingerprint.value) answer.eq = true;
    else answer.bk = this.state.fingerprint.bucketValues();
    if (syn.hb) answer.hb = this.heartbeats();
    return this.envelope(answer, syn.f) as SynAckMessage;
  }

  /** Takes a SynAck: null when the exchange is over, else the digest of the differing buckets. */
  handleSynAck(raw: unknown): DigestMessage | null | Rejection {
    const parsed = this.receive(raw, ["synack"]);
    if (!parsed.ok) {
      this.counters.exchangesFailed++;
      return parsed;
    }
    const synAck = parsed.message;
    if (synAck.hb) this.takeHeartbeats(synAck.hb);
    const buckets = synAck.bk ? this.state.fingerprint.differing(synAck.bk) : [];
    if (synAck.eq || buckets.length === 0) {
      this.counters.exchangesCompleted++;
      this.counters.exchangesQuiet++;
      this.exchangeFound(false);
      return null;
    }
    const message = { t: "digest", mode: this.config.mode, b: buckets, d: this.state.digest(buckets) };
    return this.envelope(message, synAck.f) as DigestMessage;
  }

  /** Answers a Digest: what we lack, and the deltas the initiator lacks (pull, push-pull). */
  handleDigest(raw: unknown): DeltaMessage | Rejection {
    const parsed = this.receive(raw, ["digest"]);
    if (!parsed.ok) return parsed;
    const digest = parsed.message;
    this.noticeClaimsAboutSelf(digest.d);
    const pushes = digest.mode !== "pull";
    const pulls = digest.mode !== "push";
    // In pull mode the receiver still asks for the initiator's own record, or newcomers would
    // never be learned.
    const { need, offer } = this.state.compare(digest.d, digest.b, pushes ? undefined : digest.f);
    const delta = pulls ? this.state.deltas(this.shuffled(offer), this.config.maxDeltaBytes) : [];
    return this.envelope({ t: "delta", need, delta }, digest.f) as DeltaMessage;
  }

  /** Takes a Delta: merges it; returns the final push of what the peer lacks, if any. */
  handleDelta(raw: unknown): PushMessage | null | Rejection {
    const parsed = this.receive(raw, ["delta"]);
    if (!parsed.ok) {
      this.counters.exchangesFailed++;
      return parsed;
    }
    const message = parsed.message;
    const changes = this.merge(message.delta, message.f);
    this.counters.exchangesCompleted++;
    const delta =
      message.need.length > 0
        ? this.state.deltas(this.shuffled(this.state.servable(message.need)), this.config.maxDeltaBytes)
        : [];
    this.exchangeFound(changes > 0 || delta.length > 0);
    if (delta.length === 0) return null;
    return this.envelope({ t: "push", delta }, message.f) as PushMessage;
  }

  /**
   * Takes a push: the end of an exchange or news pushed hot. What was new here and came hot is
   * forwarded once (to the outbox); what we already knew is not (feedback).
   */
  handlePush(raw: unknown): true | Rejection {
    const parsed = this.receive(raw, ["push"], { hot: (raw as { hot?: boolean })?.hot === true });
    if (!parsed.ok) return parsed;
    const push = parsed.message;
    const fresh: NodeDelta[] = [];
    if (push.delta) {
      for (const delta of push.delta) if (this.merge([delta], push.f) > 0) fresh.push(delta);
    }
    const news = push.hot ? this.freshNews : [];
    this.freshNews = [];
    if (push.hot && (fresh.length > 0 || news.length > 0)) {
      this.counters.forwardsSent++;
      this.pushHot(news, fresh, push.f);
    }
    return true;
  }

  /** Rejects a message of no known request type (and counts it). */
  rejectUnknown(raw: unknown): Rejection {
    // The tag is untrusted: String() of an object without a prototype throws, so only a string
    // tag is quoted (and cut short); anything else is named by its type.
    const tag = typeof raw === "object" && raw !== null ? (raw as { t?: unknown }).t : raw;
    const type = typeof tag === "string" && typeof raw === "object" ? tag.slice(0, 64) : typeof tag;
    return this.reject(`unknown message type ${type}`);
  }

  /** An exchange or probe with a peer failed (timeout, refusal, transport error). */
  exchangeFailed(): void {
    this.counters.exchangesFailed++;
  }

  /** Takes the one-way messages waiting to be sent (hot pushes and forwards). */
  takeOutbox(): Outgoing[] {
    const out = this.outbox;
    this.outbox = [];
    return out;
  }

  /** Counts an outgoing one-way message as sent (the driver calls it when it sends). */
  countSent(message: GossipMessage): void {
    this.counters.messagesSent++;
    this.counters.bytesSent += this.sizeOf(message);
  }

  // ---------------------------------------------------------------- views

  /** What this node believes about one member (itself included). */
  memberView(name: string): MemberView | undefined {
    const node = this.state.get(name);
    if (!node) return undefined;
    const isSelf = name === this.name;
    const phiMode = this.config.detector === "phi";
    const agent = this.hosted.get(name);
    const view: MemberView = {
      node: name,
      generation: node.generation,
      incarnation: node.incarnation,
      heartbeat: isSelf || phiMode ? node.heartbeat : this.records.acks(name),
      status: isSelf ? this.selfStatus : statusName(node.status),
      phi: !isSelf && phiMode && node.status === ALIVE ? round3(this.records.phi(name, this.clock())) : 0,
      maxVersion: node.maxVersion,
      state: userState(node),
      ...regionField(node),
    };
    if (isAgentState(node)) {
      view.kind = "agent";
      const home = homeOf(node);
      if (home !== undefined) view.home = home;
      // The home judges it by phi over direct heartbeats; elsewhere nothing is measured.
      view.phi = agent && node.status === ALIVE ? round3(agent.phi(this.clock())) : 0;
    }
    return view;
  }

  /** Every member this node knows, itself included, sorted by name. */
  view(): MemberView[] {
    const out: MemberView[] = [];
    for (const name of this.memberNames().sort()) {
      const member = this.memberView(name);
      if (member) out.push(member);
    }
    return out;
  }

  /** Names of every member known, this node included. */
  memberNames(): string[] {
    const out: string[] = [];
    for (const node of this.state.members()) out.push(node.name);
    return out;
  }

  /** Status of a member in this node's view (undefined when unknown). */
  statusOf(name: string): MemberStatus | undefined {
    if (name === this.name) return this.selfStatus;
    const node = this.state.get(name);
    return node ? statusName(node.status) : undefined;
  }

  /** What is known of one member's state (read-only use), or undefined when unknown. */
  stateOf(name: string): Readonly<MemberState> | undefined {
    return this.state.get(name);
  }

  /** Every other member with its claim and when its status began here, for shells that save it. */
  membership(): MemberEntry[] {
    const out: MemberEntry[] = [];
    const now = this.clock();
    for (const node of this.state.members()) {
      if (node === this.state.self) continue;
      const name = node.name;
      out.push({
        name,
        generation: node.generation,
        incarnation: node.incarnation,
        status: statusName(node.status),
        heartbeat: node.heartbeat,
        since: this.records.since(name, now),
      });
    }
    return out;
  }

  /** Forgotten members, so that they stay forgotten. */
  graves(): Array<{ name: string } & Grave> {
    return [...this.state.graveyard].map(([name, grave]) => ({ name, ...grave }));
  }

  /** The digest, for diagnostics and views. */
  digest() {
    return this.state.digest();
  }

  /** Takes the events queued since the last call. */
  drainEvents(): MembershipEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  // ---------------------------------------------------------------- persistence

  snapshot(): GossiperSnapshot {
    const members: GossiperSnapshot["members"] = [];
    const now = this.clock();
    for (const node of this.state.members()) {
      if (node === this.state.self) continue;
      members.push([node.name, statusName(node.status), this.records.since(node.name, now)]);
    }
    return {
      cluster: this.cluster,
      self: this.state.self.snapshot(),
      others: this.state.snapshotOthers(),
      members,
      graveyard: [...this.state.graveyard].map(([name, g]) =>
        g.left ? [name, g.generation, g.incarnation, g.at, true] : [name, g.generation, g.incarnation, g.at],
      ),
      selfStatus: this.selfStatus,
      ...(this.hosted.size > 0 ? { hosted: [...this.hosted.values()].map((agent) => agent.snapshot()) } : {}),
    };
  }

  /**
   * A node that starts from another node's view of the cluster: `name`, a member of it, becomes
   * this node, and the other node's own record a member. The simulator's converged start uses
   * it: copying a view costs a few bytes per member, rebuilding it from a snapshot far more.
   * The other node must host no agents; its suspicions, timers and probe orders are not copied.
   */
  static fromView(
    template: Gossiper,
    name: string,
    options: Omit<GossiperOptions, "name" | "generation">,
  ): Gossiper {
    const member = template.state.get(name);
    if (!member || name === template.name)
      throw new Error(`${name} is not a member of ${template.name}'s view`);
    const self = NodeState.fromSnapshot(member.snapshot(), options.clock());
    const gossiper = new Gossiper({ ...options, name, generation: self.generation }, self, template.state);
    gossiper.peers.copyFrom(template.peers);
    gossiper.reindex(template.name);
    gossiper.reindex(name);
    for (const other of template.suspects) gossiper.reindex(other);
    for (const other of template.agents) gossiper.reindex(other);
    gossiper.selfStatus = template.selfStatus === "left" ? "alive" : template.selfStatus;
    gossiper.aePause = gossiper.config.maxBackoffRounds; // a converged view: nothing is news
    return gossiper;
  }

  /**
   * Rebuilds a node from a snapshot (after a wake-up): claims, suspicions (timed from when they
   * began, so a wake-up neither restarts nor forgets them) and graves.
   */
  static restore(
    snapshot: GossiperSnapshot,
    options: Omit<GossiperOptions, "name" | "generation">,
  ): Gossiper {
    const now = options.clock();
    const gossiper = new Gossiper(
      { ...options, name: snapshot.self.name, generation: snapshot.self.generation },
      NodeState.fromSnapshot(snapshot.self, now),
    );
    const state = gossiper.state;
    const rows = snapshot.others.length + 1 + (snapshot.hosted?.length ?? 0);
    state.table.reserve(rows);
    gossiper.peers.reserve(rows);
    // Shells save members in the order of `others`: read them side by side, with a map only
    // for a snapshot whose lists disagree.
    let since: Map<string, { status: MemberStatus; at: number }> | undefined;
    const savedOf = (name: string, i: number) => {
      const row = snapshot.members[i];
      if (row && row[0] === name) return { status: row[1], at: row[2] };
      since ??= new Map(snapshot.members.map(([name, status, at]) => [name, { status, at }]));
      return since.get(name);
    };
    for (let i = 0; i < snapshot.others.length; i++) {
      let other = snapshot.others[i] as NodeStateSnapshot;
      const saved = savedOf(other.name, i);
      if (other.status === undefined && saved && saved.status !== "joining") {
        const status =
          [ALIVE, SUSPECT, DEAD, LEFT][["alive", "suspect", "dead", "left"].indexOf(saved.status)] ?? ALIVE;
        other = { ...other, status };
      }
      const slot = state.load(other, now);
      state.table.setSince(slot, saved?.at ?? now);
      gossiper.reindexSlot(slot);
      if (other.status === DEAD || other.status === LEFT) gossiper.awaitForgetting(other.name, now);
    }
    // Graves are kept in the order they were dug (see ClusterState.expireGraves).
    const graves = [...snapshot.graveyard].sort((a, b) => a[3] - b[3]);
    for (const [name, generation, incarnation, at, left] of graves) {
      state.graveyard.set(name, { generation, incarnation, left: left === true, at });
    }
    gossiper.selfStatus = snapshot.selfStatus;
    gossiper.state.refresh(gossiper.state.self);
    // A wake-up is not news: anti-entropy resumes backed off (any change resets it), while a
    // suspicion read back (indexed above) keeps the node waking every round until it is judged.
    gossiper.aePause = gossiper.config.maxBackoffRounds;
    for (const saved of snapshot.hosted ?? []) gossiper.restoreHosted(saved, now);
    return gossiper;
  }

  // ---------------------------------------------------------------- internals: messages

  /** News merged from the message being received, for forwarding (see handlePush). */
  private freshNews: NewsItem[] = [];

  private receive<T extends GossipMessage["t"]>(
    raw: unknown,
    expect: readonly T[],
    context: { hot?: boolean } = {},
  ): ParseResult<Extract<GossipMessage, { t: T }>> | Rejection {
    const size = this.sizeOf(raw as GossipMessage);
    const parsed =
      size > this.config.maxMessageBytes
        ? ({ ok: false, reason: `message of ${size} bytes exceeds ${this.config.maxMessageBytes}` } as const)
        : parseMessage(raw, expect, this.limits);
    if (!parsed.ok) return this.reject(parsed.reason);
    if (parsed.message.c !== this.cluster) return this.reject(`message for cluster ${parsed.message.c}`);
    this.counters.messagesReceived++;
    this.counters.bytesReceived += size;
    this.contacted();
    this.freshNews = [];
    if (parsed.message.n) this.absorbNews(parsed.message.n, context.hot === true);
    return parsed;
  }

  private reject(reason: string): Rejection {
    this.counters.rejectedMessages++;
    this.lastRejection = reason;
    return { ok: false, reason };
  }

  /** Adds the envelope and piggybacked news to a message for `to`, and counts it as sent. */
  private envelope(body: Record<string, unknown>, to: string): GossipMessage {
    const message: Record<string, unknown> = {
      ...body,
      v: PROTOCOL_VERSION,
      c: this.cluster,
      f: this.name,
      g: this.generation,
    };
    const news = this.broadcasts.take(
      this.config.maxPiggybackBytes,
      retransmitLimit(this.config, this.state.size),
      to,
    );
    if (news.length > 0) message.n = news;
    this.countSent(message as unknown as GossipMessage);
    return message as unknown as GossipMessage;
  }

  // ---------------------------------------------------------------- internals: news and claims

  /** Merges piggybacked or pushed news. */
  private absorbNews(items: readonly NewsItem[], hot: boolean): void {
    const now = this.clock();
    for (const item of items) {
      const [name, generation, incarnation, status, maxVersion, reporter] = item;
      if (name === this.name) {
        this.noticeClaimAboutSelf(generation, incarnation, status);
        continue;
      }
      if (this.hosted.has(name) && this.noticeClaimAboutHosted(name, generation, incarnation, status))
        continue;
      const change = this.state.mergeClaim(name, { generation, incarnation, status });
      if (change) {
        if ((change.discovered || change.restarted) && maxVersion > 0) this.kindUnknown.add(name);
        this.observe(change, now, reporter);
        this.broadcasts.enqueue(item);
        if (hot) this.freshNews.push(item);
        this.stateChanged();
      } else if (status === SUSPECT && reporter !== undefined) {
        const node = this.state.get(name);
        if (
          node &&
          node.status === SUSPECT &&
          node.incarnation === incarnation &&
          node.generation === generation
        ) {
          if (this.confirmSuspicion(name, reporter)) {
            this.broadcasts.enqueue(item);
            if (hot) this.freshNews.push(item);
          }
        }
      }
      const node = this.state.get(name);
      if (node && node.generation === generation && maxVersion > node.maxVersion) this.stateChanged();
    }
  }

  /** A peer's claims about this node (from a digest): refute anything newer than ours. */
  private noticeClaimsAboutSelf(
    entries: readonly (readonly [string, number, number, number, ...unknown[]])[],
  ): void {
    for (const [name, generation, incarnation, status] of entries) {
      if (name === this.name) this.noticeClaimAboutSelf(generation, incarnation, status as 0 | 1 | 2 | 3);
      else if (this.hosted.has(name))
        this.noticeClaimAboutHosted(name, generation, incarnation, status as 0 | 1 | 2 | 3);
    }
  }

  /** Someone claims this node is suspect or dead at our incarnation or later: refute it. */
  private noticeClaimAboutSelf(generation: number, incarnation: number, status: number): void {
    const self = this.state.self;
    if (generation !== self.generation || self.status === LEFT) return;
    if (status === ALIVE && incarnation > self.incarnation) {
      // Our own earlier incarnation, known to peers but lost here (a wake-up): catch up.
      self.incarnation = incarnation;
      this.state.refresh(self);
      return;
    }
    if (status !== SUSPECT && status !== DEAD) return;
    if (incarnation < self.incarnation) return;
    self.incarnation = incarnation + 1;
    this.counters.refutations++;
    this.awareness.apply(1);
    this.ownChange(false);
    this.pushHot(this.ownNews(), [], undefined);
  }

  /** Adds a reporter to a suspicion; true when it was a new, independent one. */
  private confirmSuspicion(name: string, reporter: string): boolean {
    let suspicion = this.records.suspicion(name);
    if (!suspicion) {
      suspicion = new Suspicion(this.records.since(name, this.clock()), reporter);
      this.records.setSuspicion(name, suspicion);
    }
    return suspicion.confirm(reporter);
  }

  /** This node declares a member suspect or dead (its own judgement), and spreads it at once. */
  private declare(name: string, status: typeof SUSPECT | typeof DEAD, reporter: string): void {
    const node = this.state.get(name);
    if (!node) return;
    const change = this.state.mergeClaim(name, {
      generation: node.generation,
      incarnation: node.incarnation,
      status,
    });
    if (!change) return;
    const now = this.clock();
    this.observe(change, now, reporter);
    const item = this.state.newsOf(name, status === SUSPECT ? reporter : undefined) as NewsItem;
    this.broadcasts.enqueue(item);
    this.stateChanged();
    // The suspect itself is told at once, so it can refute before the timeout.
    this.pushHot([item], [], undefined, status === SUSPECT ? name : undefined);
  }

  /** Feeds one merged change into local records and events. */
  private observe(change: NodeChange, now: number, reporter?: string): void {
    const node = this.state.get(change.name) as MemberState;
    if (change.restarted || !this.records.has(change.name)) this.records.reset(change.name, now);
    if (change.discovered) this.emit("joined", change.name, node.generation);
    else if (change.restarted) this.emit("restarted", change.name, node.generation);
    if (
      change.claimChanged &&
      (change.previousStatus !== node.status || change.discovered || change.restarted)
    ) {
      this.records.setSince(change.name, now);
      this.records.setSuspicion(
        change.name,
        node.status === SUSPECT ? new Suspicion(now, reporter ?? change.name) : null,
      );
      if (node.status === ALIVE) this.records.resetHeartbeats(change.name);
      this.awaitForgetting(change.name, now);
      if (!change.discovered || node.status !== ALIVE) this.emitStatus(change.name, node.status, reporter);
    }
    if (change.changedKeys.length > 0) this.emit("state", change.name, node.generation, change.changedKeys);
    this.reindex(change.name);
  }

  /**
   * Files a member under the indexes a round reads (peers by status, suspects, agents whose
   * home is checked) after anything about it changed: its claim, its keys, its hosting.
   */
  private reindex(name: string): void {
    const slot = this.state.slotOf(name);
    if (slot !== undefined) this.reindexSlot(slot);
    else {
      this.suspects.delete(name);
      this.agents.delete(name);
    }
  }

  private reindexSlot(slot: number): void {
    const node = this.state.at(slot);
    const name = node.name;
    const writer = this.state.writes(name);
    this.peers.set(slot, this.isPeerNode(node) ? (PEER_KIND[node.status] as PeerKind) : NOT_PEER);
    if (!writer && node.status === SUSPECT) this.suspects.add(name);
    else this.suspects.delete(name);
    if (!writer && node.status === ALIVE && isAgentState(node)) this.agents.add(name);
    else this.agents.delete(name);
  }

  /** A dead or left member (not one this node writes) is queued for forgetting after its grace. */
  private awaitForgetting(name: string, now: number): void {
    const node = this.state.get(name);
    if (!node || this.state.writes(name)) return;
    if (node.status !== DEAD && node.status !== LEFT) return;
    const grace = node.status === DEAD ? this.config.deadGraceMs : this.config.leftGraceMs;
    this.forgetQueue.push(name, this.records.since(name, now) + grace);
  }

  /**
   * Merges deltas from `from`; returns how many changed something. A member learned from
   * itself (a join or a restart) is news that matters now: it is pushed at once.
   */
  private merge(deltas: readonly NodeDelta[], from: string): number {
    // A peer's delta may carry its claim about this node, or about an agent it hosts (it
    // offers what it believes we lack): a suspicion or a death heard that way is refuted.
    const now = this.clock();
    for (const delta of deltas) {
      if (delta.n === this.name) this.noticeClaimAboutSelf(delta.g, delta.i, delta.s);
      else if (this.hosted.has(delta.n)) this.noticeClaimAboutHosted(delta.n, delta.g, delta.i, delta.s);
    }
    const changes = this.state.apply(deltas, now);
    for (const change of changes) {
      this.observe(change, now);
      if (!change.claimChanged) continue;
      const item = this.state.newsOf(change.name);
      if (!item) continue;
      this.broadcasts.enqueue(item);
      if ((change.discovered || change.restarted) && change.name === from) this.pushHot([item], [], from);
    }
    if (changes.length > 0) this.stateChanged();
    return changes.length;
  }

  /** This node's own news item. */
  private ownNews(): NewsItem[] {
    return [this.state.newsOf(this.name) as NewsItem];
  }

  /** Our own record changed (a write, a refutation, a leave): re-fingerprint and spread it. */
  private ownChange(write: boolean): void {
    this.state.refresh(this.state.self);
    this.broadcasts.enqueue(this.state.newsOf(this.name) as NewsItem);
    this.stateChanged();
    if (write) {
      this.counters.keysWritten++;
      if (this.rumors.take(this.clock())) {
        const self = this.state.self;
        const built = self.deltaFor(
          Math.max(0, self.maxVersion - PUSH_CATCH_UP_VERSIONS),
          0,
          this.config.maxDeltaBytes,
        );
        if (built) this.pushHot(this.ownNews(), [built.delta], undefined);
      }
    }
  }

  /**
   * Queues a hot push of news and deltas to `hotFanout` random live members (not `except`), plus
   * `also` when given (a suspect told of its suspicion).
   */
  private pushHot(news: NewsItem[], deltas: NodeDelta[], except: string | undefined, also?: string): void {
    const fanout = hotFanoutFor(this.config, this.state.size);
    const peers = this.pickPeers(REACHABLE, fanout, (name) => name === except || name === also, true);
    if (also !== undefined) peers.push(also);
    for (const peer of peers) {
      const message: Record<string, unknown> = {
        t: "push",
        hot: true,
        v: PROTOCOL_VERSION,
        c: this.cluster,
        f: this.name,
        g: this.generation,
      };
      if (news.length > 0) message.n = news;
      if (deltas.length > 0) message.delta = deltas;
      this.counters.pushesSent++;
      this.outbox.push({ peer, message: message as unknown as PushMessage });
    }
  }

  /** Something changed here: anti-entropy runs again at once (Trickle reset). */
  private stateChanged(): void {
    this.aePause = 1;
    this.aeWait = Math.min(this.aeWait, 1);
  }

  /** An exchange ended: found something (reset the pause) or nothing (double it). */
  private exchangeFound(found: boolean): void {
    this.aePause = found ? 1 : Math.min(this.aePause * 2, this.config.maxBackoffRounds);
  }

  /** We heard from a peer: a joining node is now alive. */
  private contacted(): void {
    if (this.selfStatus === "joining") this.selfStatus = "alive";
  }

  private forget(name: string, now: number): void {
    if (this.hosted.has(name)) this.release(name);
    this.kindUnknown.delete(name);
    const node = this.state.get(name);
    const generation = node?.generation ?? 0;
    const slot = this.state.slotOf(name);
    if (slot !== undefined && !this.state.writes(name)) this.peers.set(slot, NOT_PEER);
    this.state.bury(name, now);
    this.records.drop(name);
    this.broadcasts.drop(name);
    this.reindex(name);
    // The probe orders keep the name: they skip members no longer known, and reshuffle soon.
    this.emit("forgotten", name, generation);
  }

  // ---------------------------------------------------------------- internals: hosted agents

  private claimOf(node: MemberState): Omit<HostedClaim, "outcome"> {
    return {
      generation: node.generation,
      incarnation: node.incarnation,
      status: statusName(node.status),
    };
  }

  /** Takes a saved (or planned) hosted agent in as this node's to write. */
  private restoreHosted(saved: HostedSnapshot, now: number): void {
    const node = NodeState.fromSnapshot(saved.state, now);
    const agent = new HostedAgent(
      node,
      saved.intervalMs,
      this.config.phiWindow,
      saved.since,
      saved.lastHeartbeat,
    );
    this.hosted.set(node.name, agent);
    this.state.own(node.name);
    this.state.graveyard.delete(node.name);
    this.state.add(node);
    this.hostedDropped.delete(node.name);
    this.kindUnknown.delete(node.name);
    this.records.reset(node.name, saved.since);
    this.reindex(node.name);
  }

  /** Stops hosting an agent: its state stays as a replica, merged like any other member's. */
  private release(name: string): void {
    this.hosted.delete(name);
    this.state.disown(name);
    this.hostedChanged.delete(name);
    this.hostedDropped.add(name);
    this.reindex(name);
    this.awaitForgetting(name, this.clock());
  }

  /**
   * A hosted agent's claim changed here: re-fingerprint and spread it, with its keys pushed at
   * once on a new claim (a registration, takeover, revival or leave) or a write the bucket allows.
   */
  private hostedChange(name: string, claim: boolean): void {
    const node = this.state.get(name) as MemberState;
    this.state.refresh(node);
    const news = this.state.newsOf(name) as NewsItem;
    this.broadcasts.enqueue(news);
    this.stateChanged();
    if (!claim) this.counters.keysWritten++;
    if (claim || this.rumors.take(this.clock())) {
      const from = claim ? 0 : Math.max(0, node.maxVersion - PUSH_CATCH_UP_VERSIONS);
      const built = node.deltaFor(from, 0, this.config.maxDeltaBytes);
      this.pushHot([news], built ? [built.delta] : [], undefined);
    }
  }

  /**
   * The home judges its agents over their direct heartbeats: alive -> suspect when phi crosses
   * the threshold, suspect -> dead after the suspicion timeout (an agent cannot refute), and
   * dead or left agents are forgotten after their grace.
   */
  private judgeHosted(now: number, n: number): void {
    for (const [name, agent] of this.hosted) {
      const node = agent.state;
      if (node.status === ALIVE) {
        if (agent.phi(now) >= this.config.phiThreshold) this.judgeAgent(name, agent, SUSPECT, now);
      } else if (node.status === SUSPECT) {
        const { minMs } = suspicionBounds(
          agent.intervalMs,
          n,
          this.config.suspicionMult,
          this.config.suspicionMaxMult,
        );
        if (now - agent.since >= minMs) this.judgeAgent(name, agent, DEAD, now);
      } else {
        const grace = node.status === DEAD ? this.config.deadGraceMs : this.config.leftGraceMs;
        if (now - agent.since >= grace) this.forget(name, now);
      }
    }
  }

  private judgeAgent(
    name: string,
    agent: HostedAgent,
    status: typeof SUSPECT | typeof DEAD,
    now: number,
  ): void {
    agent.state.status = status;
    agent.since = now;
    this.records.setSince(name, now);
    this.records.setSuspicion(name, null);
    if (status === SUSPECT) this.counters.suspicionsRaised++;
    this.hostedChanged.add(name);
    this.emitStatus(name, status, this.name);
    this.state.refresh(agent.state);
    const item = this.state.newsOf(name, status === SUSPECT ? this.name : undefined) as NewsItem;
    this.broadcasts.enqueue(item);
    this.stateChanged();
    this.pushHot([item], [], undefined);
  }

  /**
   * A peer's claim about an agent this node hosts. Higher and from a new generation, or a leave
   * announced elsewhere: the agent is owned elsewhere now, so this node drops it (false: merge
   * the claim as any other). A suspicion or death raised by someone else: refuted while the
   * agent heartbeats, else adopted. Returns true while the agent stays hosted here.
   */
  private noticeClaimAboutHosted(
    name: string,
    generation: number,
    incarnation: number,
    status: number,
  ): boolean {
    const agent = this.hosted.get(name) as HostedAgent;
    const mine = agent.state;
    const claim = { generation, incarnation, status: status as 0 | 1 | 2 | 3 };
    if (compareClaims(claim, mine) <= 0) return true;
    if (generation > mine.generation || status === LEFT) {
      this.release(name);
      return false;
    }
    const now = this.clock();
    if (status === ALIVE) {
      mine.incarnation = incarnation; // our own incarnation, lost in a wake-up: catch up
    } else if (mine.status === ALIVE && agent.phi(now) < this.config.phiThreshold) {
      mine.incarnation = incarnation + 1;
      this.counters.refutations++;
    } else {
      mine.incarnation = incarnation;
      mine.status = claim.status;
      agent.since = now;
      this.emitStatus(name, claim.status);
    }
    this.hostedChanged.add(name);
    this.hostedChange(name, true);
    return true;
  }

  /** A gossip peer: a node (never an agent, nor a member whose kind is still unknown), not us. */
  private isPeerNode(node: MemberState): boolean {
    if (node === this.state.self || this.hosted.has(node.name) || isAgentState(node)) return false;
    if (this.kindUnknown.has(node.name)) {
      if (node.maxVersion === 0) return false;
      this.kindUnknown.delete(node.name);
    }
    return true;
  }

  // ---------------------------------------------------------------- internals: peers

  /**
   * The next member in the shuffled round-robin probe order (memberlist's probe list). With a
   * region there are two orders, our region's and the others': each probe takes the others'
   * with probability crossRegionProbability (or when ours is empty). Every member is still
   * probed about as often cluster-wide: each region's members probe it more, the rest less.
   */
  /**
   * The next member to probe in this wake: from the probe order of its own region or, now and
   * then, of the others (`crossRegionProbability`), passing over members `planned` already. A
   * wake covering many rounds may run past the end of an order; the members the new order
   * puts first may be planned, and are passed over rather than ending the wake's probes early.
   * Null when every member of the chosen order is planned (this probe is skipped, so a small
   * region is not made up for with others'); undefined when there is no one to probe.
   */
  private nextProbeTarget(planned: PlannedProbes): string | null | undefined {
    const own = this.region;
    if (own === undefined) return this.nextFrom(this.probeList, planned);
    const local = (node: MemberState) => node.get(REGION_KEY) === own;
    const remote = (node: MemberState) => node.get(REGION_KEY) !== own;
    const [first, second] =
      this.rng() < this.config.crossRegionProbability
        ? ([
            [this.remoteProbeList, remote],
            [this.probeList, local],
          ] as const)
        : ([
            [this.probeList, local],
            [this.remoteProbeList, remote],
          ] as const);
    const target = this.nextFrom(first[0], planned, first[1]);
    return target === undefined ? this.nextFrom(second[0], planned, second[1]) : target;
  }

  /**
   * The next live member of `list` not planned, reshuffled from the members that pass
   * `include` (all reachable members when none is given) when spent: undefined when none
   * passes, null when all that pass are planned (and from then on in this wake, so a spent
   * order is shuffled once per wake at most).
   * The order holds table slots (4 bytes each, outside the heap); a slot freed and reused by
   * another member since the shuffle yields that member if it still qualifies.
   */
  private nextFrom(
    list: ProbeList,
    planned: PlannedProbes,
    include?: (node: MemberState) => boolean,
  ): string | null | undefined {
    if (planned.exhausted.has(list)) return null;
    const table = this.state.table;
    for (let tries = 0; tries < 2; tries++) {
      while (list.index < list.order.length) {
        const slot = list.order[list.index++] as number;
        if (!this.peers.reachable(slot)) continue;
        if (include && !include(this.state.at(slot))) continue;
        const name = table.name(slot);
        if (!planned.names.has(name)) return name;
      }
      if (tries === 1) break;
      const order = this.peers.slotsOf(REACHABLE);
      for (let i = 0; i < order.length - 1; i++) {
        const j = i + randomInt(this.rng, order.length - i);
        const swap = order[i] as number;
        order[i] = order[j] as number;
        order[j] = swap;
      }
      let kept = order.length;
      if (include) {
        kept = 0;
        for (const slot of order) if (include(this.state.at(slot))) order[kept++] = slot;
      }
      list.order = order.subarray(0, kept);
      list.index = 0;
      if (kept === 0) return undefined;
    }
    planned.exhausted.add(list);
    return null;
  }

  /** How this node weighs regions when it picks partners. */
  private regional(): RegionalChoice {
    return {
      own: this.region,
      regionOf: (name) => this.regionOf(name),
      crossProbability: this.config.crossRegionProbability,
    };
  }

  /**
   * Peers for this wake's exchanges (it covers `rounds` rounds; chances per round are taken
   * once for all of them): sometimes one believed dead, every wake; while anti-entropy pauses
   * (Trickle) nothing else, otherwise `fanout` live members; every seed while joining, else a
   * seed when few are known, or with a chance that shrinks as the cluster grows. Under phi every round exchanges
   * (heartbeats must flow). A joining node tries on its first wake, then after pauses that
   * double until a peer answers (joinWait).
   */
  private exchangePeers(rounds: number): string[] {
    const reachable = this.peers.size(ALIVE_PEER) + this.peers.size(SUSPECT_PEER);
    const dead = this.peers.all(DEAD_ONLY);
    const seeds = this.seedList.filter((seed) => seed !== this.name);
    if (this.selfStatus === "joining") {
      if (this.joinWait > 0) {
        this.joinWait -= rounds;
        return [];
      }
      // Jittered within the upper half of the pause, so a crowd that failed together spreads out.
      this.joinWait = Math.ceil(this.joinPause * (0.5 + 0.5 * this.rng()));
      this.joinPause = Math.min(this.joinPause * 2, this.config.maxBackoffRounds);
    }
    const fewKnown = reachable < this.config.fanout;
    // A member believed dead is tried at its chance every round, paused or not: it is how a
    // healed partition or a recovered member is found, and a pause must not delay that.
    const chosen: string[] = [];
    if (dead.length > 0 && this.rng() < chanceOver(this.config.deadPeerProbability, rounds)) {
      chosen.push(this.state.table.name(dead[randomInt(this.rng, dead.length)] as number));
    }
    // So is a seed (less often as the cluster grows): it merges split brains at bootstrap.
    const seedChance = chanceOver(
      this.config.seedProbability * Math.min(1, seeds.length / Math.max(1, reachable)),
      rounds,
    );
    const withSeed = seeds.length > 0 && (fewKnown || this.rng() < seedChance);
    this.aeWait -= rounds;
    const due = this.config.detector === "phi" || this.aeWait <= 0 || fewKnown;
    if (due) {
      this.aeWait = this.aePause;
      chosen.push(...this.pickPeers(REACHABLE, this.config.fanout));
    }
    const candidates = seeds.filter((seed) => !chosen.includes(seed));
    // A joining node goes to every seed, as memberlist's Join does: each seed then learns of it
    // and it of each seed's view, so seeds that were started apart do not split the cluster.
    if (this.selfStatus === "joining") chosen.push(...candidates);
    else if (withSeed && candidates.length > 0)
      chosen.push(candidates[randomInt(this.rng, candidates.length)] as string);
    return chosen;
  }

  /**
   * Up to `k` distinct peers of the given kinds, none of them `skip`ped: from the indexes in
   * O(k), or, for a node with a region, split by region over a list of them (regionalSample).
   */
  private pickPeers(
    kinds: readonly PeerKind[],
    k: number,
    skip?: (name: string) => boolean,
    keepCross = false,
  ): string[] {
    const table = this.state.table;
    const regional = this.regional();
    if (regional.own === undefined) {
      const slots = this.peers.sample(this.rng, kinds, k, skip && ((slot) => skip(table.name(slot))));
      return slots.map((slot) => table.name(slot));
    }
    const names: string[] = [];
    for (const slot of this.peers.all(kinds)) {
      const name = table.name(slot);
      if (!skip?.(name)) names.push(name);
    }
    return regionalSample(this.rng, names, k, regional, keepCross);
  }

  private shuffled<T>(items: T[]): T[] {
    return sample(this.rng, items, items.length);
  }

  // ---------------------------------------------------------------- internals: phi heartbeats

  private heartbeats(): HeartbeatEntry[] {
    const out: HeartbeatEntry[] = [];
    for (const node of this.state.members()) out.push([node.name, node.generation, node.heartbeat]);
    return out;
  }

  private takeHeartbeats(entries: readonly HeartbeatEntry[]): void {
    const now = this.clock();
    for (const [name, generation, heartbeat] of entries) {
      if (name === this.name) continue;
      const node = this.state.get(name);
      if (!node || node.generation !== generation || heartbeat <= node.heartbeat) continue;
      node.heartbeat = heartbeat;
      this.records.heartbeat(name, now);
    }
  }

  // ---------------------------------------------------------------- internals: events

  private emitStatus(name: string, status: number, by?: string): void {
    const type = statusName(status as 0 | 1 | 2 | 3);
    this.emit(
      type,
      name,
      this.state.get(name)?.generation ?? 0,
      undefined,
      status === SUSPECT ? by : undefined,
    );
  }

  private emit(
    type: MembershipEvent["type"],
    node: string,
    generation: number,
    keys?: string[],
    by?: string,
  ): void {
    const event: MembershipEvent = { type, node, generation, at: this.clock() };
    if (keys) event.keys = keys;
    if (by !== undefined) event.by = by;
    this.events.push(event);
    if (this.events.length > this.maxQueuedEvents)
      this.events.splice(0, this.events.length - this.maxQueuedEvents);
  }
}

/** Live user keys; reserved `~` keys (older versions' leave marker) are never shown. */
function userState(node: MemberState): Record<string, string> {
  const state = node.liveState();
  for (const key of Object.keys(state)) if (key.startsWith("~")) delete state[key];
  return state;
}

/** `{region}` when the member published one, for its view. */
function regionField(node: MemberState): { region?: string } {
  const region = node.get(REGION_KEY);
  return region === undefined ? {} : { region };
}

/** Peer kinds by status code (left members are no peers). */
const PEER_KIND: readonly PeerKind[] = [ALIVE_PEER, SUSPECT_PEER, DEAD_PEER, NOT_PEER];
const REACHABLE: readonly PeerKind[] = [ALIVE_PEER, SUSPECT_PEER];
const ALIVE_ONLY: readonly PeerKind[] = [ALIVE_PEER];
const DEAD_ONLY: readonly PeerKind[] = [DEAD_PEER];

/** The probes a wake has planned so far, and the probe orders that have none left to give it. */
interface PlannedProbes {
  names: Set<string>;
  exhausted: Set<ProbeList>;
}

interface ProbeList {
  /** Table slots, shuffled. */
  order: Int32Array;
  index: number;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
