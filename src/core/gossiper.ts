/**
 * One gossip node's protocol engine, free of I/O: the Durable Object, the in-memory test
 * cluster and the simulator all drive it. A round bumps the heartbeat, re-evaluates members
 * and picks peers; an exchange is Syn (digest) -> SynAck (needs + deltas) -> Ack (deltas, only
 * when there are some). Every inbound message is validated and size-checked first; a bad one
 * is rejected, counted and never merged.
 */
import { ClusterState, type NodeChange, type Wanted } from "./cluster-state.js";
import type { GossipConfig } from "./config.js";
import { MemberRecord, phiOptions } from "./membership.js";
import {
  DEFAULT_MESSAGE_LIMITS,
  jsonSize,
  type MessageLimits,
  type ParseResult,
  parseAck,
  parseSyn,
  parseSynAck,
} from "./messages.js";
import { NodeState, type NodeStateSnapshot } from "./node-state.js";
import { selectPeers } from "./peer-selection.js";
import { type Clock, type Rng, sample } from "./random.js";
import {
  type AckMessage,
  type CoreCounters,
  type DigestEntry,
  emptyCounters,
  type GossipMessage,
  type MemberStatus,
  type MembershipEvent,
  type MemberView,
  PROTOCOL_VERSION,
  type SynAckMessage,
  type SynMessage,
} from "./types.js";

/** Reserved key the owner writes when it leaves gracefully. Users cannot write `~` keys. */
export const LEFT_KEY = "~left";

/** Keys users may write: 1..128 characters of [A-Za-z0-9._:-]. */
export const USER_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

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
}

export interface GossiperSnapshot {
  cluster: string;
  self: NodeStateSnapshot;
  others: NodeStateSnapshot[];
  members: Array<[name: string, status: MemberStatus, since: number]>;
  graveyard: Array<[name: string, generation: number, heartbeat: number, at: number]>;
  selfStatus: MemberStatus;
}

export type Rejection = { ok: false; reason: string };

export class Gossiper {
  readonly cluster: string;
  readonly name: string;
  config: GossipConfig;
  seeds: string[];
  readonly state: ClusterState;
  readonly members = new Map<string, MemberRecord>();
  readonly counters: CoreCounters = emptyCounters();
  private selfStatus: MemberStatus = "joining";
  private events: MembershipEvent[] = [];
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly limits: MessageLimits;
  private readonly sizeOf: (message: GossipMessage) => number;
  private readonly maxQueuedEvents: number;
  /** Last rejection reason, for diagnostics. */
  lastRejection: string | null = null;

  constructor(options: GossiperOptions, selfState?: NodeState) {
    this.cluster = options.cluster;
    this.name = options.name;
    this.config = options.config;
    this.seeds = [...(options.seeds ?? [])];
    this.clock = options.clock;
    this.rng = options.rng;
    this.limits = options.limits ?? DEFAULT_MESSAGE_LIMITS;
    this.sizeOf = options.sizeOf ?? jsonSize;
    this.maxQueuedEvents = options.maxQueuedEvents ?? 1000;
    this.state = new ClusterState(selfState ?? new NodeState(options.name, options.generation));
  }

  get generation(): number {
    return this.state.self.generation;
  }

  get self(): NodeState {
    return this.state.self;
  }

  get status(): MemberStatus {
    return this.selfStatus;
  }

  // ---------------------------------------------------------------- owner writes

  /** Writes a key on this node; returns its version. */
  setKey(key: string, value: string): number {
    if (!USER_KEY_PATTERN.test(key)) throw new RangeError(`invalid key ${JSON.stringify(key)}`);
    this.counters.keysWritten++;
    return this.self.set(key, value);
  }

  /** Deletes a key (tombstone); returns its version, or null when it did not exist. */
  deleteKey(key: string): number | null {
    if (!USER_KEY_PATTERN.test(key)) throw new RangeError(`invalid key ${JSON.stringify(key)}`);
    const version = this.self.delete(key, this.clock());
    if (version !== null) this.counters.keysWritten++;
    return version;
  }

  /**
   * Announces a graceful leave; the next exchanges carry it. The shell keeps running a few
   * rounds so peers hear it, then stops the node.
   */
  leave(): void {
    if (this.selfStatus === "left") return;
    this.self.set(LEFT_KEY, "1");
    this.self.beat();
    this.selfStatus = "left";
    this.emit("left", this.name, this.generation);
  }

  // ---------------------------------------------------------------- rounds

  /**
   * Starts a round: bumps the heartbeat (to at least `heartbeatFloor`), re-evaluates every
   * member, collects garbage and returns the peers to contact with their Syn messages.
   */
  beginRound(heartbeatFloor = 0): Array<{ peer: string; syn: SynMessage }> {
    this.counters.rounds++;
    this.self.beat(heartbeatFloor);
    this.tick();
    const reachable: string[] = [];
    const dead: string[] = [];
    for (const [name, record] of this.members) {
      if (record.status === "dead") dead.push(name);
      else if (record.status !== "left") reachable.push(name);
    }
    const peers = selectPeers({ self: this.name, reachable, dead, seeds: this.seeds }, this.config, this.rng);
    // One digest for every peer of the round: messages are never changed once sent.
    const digest = peers.length > 0 ? this.state.digest() : [];
    return peers.map((peer) => ({ peer, syn: this.makeSyn(digest) }));
  }

  /** Re-evaluates statuses, collects tombstones and forgets long-dead members. */
  tick(): void {
    const now = this.clock();
    for (const [name, record] of this.members) {
      const changed = record.evaluate(now, this.config);
      if (changed) this.emitStatus(name, changed);
      if (record.forgettable(now, this.config)) {
        const node = this.state.get(name);
        this.state.bury(name, now);
        this.members.delete(name);
        this.emit("forgotten", name, node?.generation ?? 0);
      }
    }
    for (const node of this.state.nodes.values()) node.collectTombstones(now, this.config.tombstoneGraceMs);
    this.state.expireGraves(now, Math.max(this.config.deadGraceMs, this.config.leftGraceMs));
  }

  /** Builds a Syn for one exchange and counts it as sent (`digest`: this round's, if built). */
  makeSyn(digest: DigestEntry[] = this.state.digest()): SynMessage {
    const syn: SynMessage = {
      t: "syn",
      v: PROTOCOL_VERSION,
      cluster: this.cluster,
      from: this.name,
      gen: this.generation,
      mode: this.config.mode,
      digest,
    };
    this.counters.exchangesStarted++;
    this.sent(syn);
    return syn;
  }

  /** Answers a Syn. Returns the SynAck, or a rejection when the message is bad. */
  handleSyn(raw: unknown): SynAckMessage | Rejection {
    const parsed = this.receive(raw, parseSyn);
    if (!parsed.ok) return parsed;
    const syn = parsed.message;
    this.counters.exchangesAnswered++;
    this.heartbeats(syn.digest);
    const pushes = syn.mode !== "pull";
    const pulls = syn.mode !== "push";
    // In pull mode the receiver still asks for the initiator's own record, or newcomers
    // would never be learned.
    const { need, offer } = this.state.compare(syn.digest, pushes ? undefined : syn.from);
    const { deltas, heartbeats } = pulls ? this.buildDeltas(offer) : { deltas: [], heartbeats: [] };
    const synAck: SynAckMessage = {
      t: "synack",
      v: PROTOCOL_VERSION,
      cluster: this.cluster,
      from: this.name,
      gen: this.generation,
      need,
      delta: deltas,
    };
    if (heartbeats.length > 0) synAck.hb = heartbeats;
    this.sent(synAck);
    return synAck;
  }

  /**
   * Takes a SynAck from `peer`. Returns the Ack to send (null when there is nothing to
   * send), or a rejection when the message is bad.
   */
  handleSynAck(raw: unknown): AckMessage | null | Rejection {
    const parsed = this.receive(raw, parseSynAck);
    if (!parsed.ok) {
      this.counters.exchangesFailed++;
      return parsed;
    }
    const synAck = parsed.message;
    this.merge(synAck.delta);
    if (synAck.hb) this.heartbeats(synAck.hb);
    this.counters.exchangesCompleted++;
    if (this.selfStatus === "joining") this.selfStatus = "alive";
    if (synAck.need.length === 0) return null;
    const delta = this.buildDeltas(this.state.servable(synAck.need)).deltas;
    if (delta.length === 0) return null;
    const ack: AckMessage = {
      t: "ack",
      v: PROTOCOL_VERSION,
      cluster: this.cluster,
      from: this.name,
      gen: this.generation,
      delta,
    };
    this.sent(ack);
    return ack;
  }

  /** Takes an Ack. Returns true when merged, or a rejection. */
  handleAck(raw: unknown): true | Rejection {
    const parsed = this.receive(raw, parseAck);
    if (!parsed.ok) return parsed;
    this.merge(parsed.message.delta);
    return true;
  }

  /** An exchange with a peer failed (timeout, refusal, transport error). */
  exchangeFailed(): void {
    this.counters.exchangesFailed++;
  }

  // ---------------------------------------------------------------- views

  /** What this node believes about one member (itself included). */
  memberView(name: string): MemberView | undefined {
    const node = this.state.get(name);
    if (!node) return undefined;
    const now = this.clock();
    const state = node.liveState();
    delete state[LEFT_KEY];
    if (name === this.name) {
      return {
        node: name,
        generation: node.generation,
        heartbeat: node.heartbeat,
        status: this.selfStatus,
        phi: 0,
        maxVersion: node.maxVersion,
        state,
      };
    }
    const record = this.members.get(name);
    return {
      node: name,
      generation: node.generation,
      heartbeat: node.heartbeat,
      status: record?.status ?? "joining",
      phi: record ? round3(record.phi(now)) : 0,
      maxVersion: node.maxVersion,
      state,
    };
  }

  /** Every member this node knows, itself included, sorted by name. */
  view(): MemberView[] {
    const out: MemberView[] = [];
    for (const name of [...this.state.nodes.keys()].sort()) {
      const member = this.memberView(name);
      if (member) out.push(member);
    }
    return out;
  }

  /** Status of a member in this node's view (undefined when unknown). */
  statusOf(name: string): MemberStatus | undefined {
    if (name === this.name) return this.selfStatus;
    return this.members.get(name)?.status;
  }

  /** Takes the events queued since the last call. */
  drainEvents(): MembershipEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  // ---------------------------------------------------------------- persistence

  snapshot(): GossiperSnapshot {
    return {
      cluster: this.cluster,
      self: this.self.snapshot(),
      others: this.state.snapshotOthers(),
      members: [...this.members].map(([name, record]) => [name, record.status, record.since]),
      graveyard: [...this.state.graveyard].map(([name, g]) => [name, g.generation, g.heartbeat, g.at]),
      selfStatus: this.selfStatus,
    };
  }

  /**
   * Rebuilds a node from a snapshot (after a wake-up). Failure detectors restart as if
   * every member had just been heard from, so silence after the wake-up still raises phi.
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
    for (const other of snapshot.others)
      gossiper.state.nodes.set(other.name, NodeState.fromSnapshot(other, now));
    const options_ = phiOptions(gossiper.config);
    const statuses = new Map(snapshot.members.map(([name, status, since]) => [name, { status, since }]));
    for (const name of gossiper.state.nodes.keys()) {
      if (name === gossiper.name) continue;
      const saved = statuses.get(name);
      const record = new MemberRecord(options_, now, saved?.status ?? "joining");
      if (saved) record.since = saved.since;
      gossiper.members.set(name, record);
    }
    for (const [name, generation, heartbeat, at] of snapshot.graveyard) {
      gossiper.state.graveyard.set(name, { generation, heartbeat, at });
    }
    gossiper.selfStatus = snapshot.selfStatus;
    return gossiper;
  }

  // ---------------------------------------------------------------- internals

  private receive<T extends GossipMessage>(
    raw: unknown,
    parse: (raw: unknown, limits: MessageLimits) => ParseResult<T>,
  ): { ok: true; message: T } | Rejection {
    const size = this.sizeOf(raw as GossipMessage);
    const parsed: ParseResult<T> =
      size > this.config.maxMessageBytes
        ? { ok: false, reason: `message of ${size} bytes exceeds ${this.config.maxMessageBytes}` }
        : parse(raw, this.limits);
    if (parsed.ok && parsed.message.cluster !== this.cluster) {
      return this.reject(`message for cluster ${parsed.message.cluster}`);
    }
    if (!parsed.ok) return this.reject(parsed.reason);
    this.counters.messagesReceived++;
    this.counters.bytesReceived += size;
    return parsed;
  }

  private reject(reason: string): Rejection {
    this.counters.rejectedMessages++;
    this.lastRejection = reason;
    return { ok: false, reason };
  }

  private sent(message: GossipMessage): void {
    this.counters.messagesSent++;
    this.counters.bytesSent += this.sizeOf(message);
  }

  private buildDeltas(requests: Wanted[]) {
    return this.state.deltas(requests, this.config.maxDeltaBytes, (items) =>
      sample(this.rng, items, items.length),
    );
  }

  /** Takes bare heartbeats (from a digest or a SynAck) into the failure detectors. */
  private heartbeats(entries: Parameters<ClusterState["heartbeatsFrom"]>[0]): void {
    const now = this.clock();
    for (const name of this.state.heartbeatsFrom(entries)) {
      const status = this.members.get(name)?.heartbeat(now);
      if (status) this.emitStatus(name, status);
    }
  }

  private merge(deltas: Parameters<ClusterState["apply"]>[0]): void {
    const now = this.clock();
    for (const change of this.state.apply(deltas, now)) this.observe(change, now);
  }

  /** Feeds one applied delta into membership and events. */
  private observe(change: NodeChange, now: number): void {
    const node = this.state.get(change.name) as NodeState;
    let record = this.members.get(change.name);
    if (!record || change.restarted) {
      record = new MemberRecord(phiOptions(this.config), now, change.restarted ? "alive" : "joining");
      this.members.set(change.name, record);
      this.emit(change.restarted ? "restarted" : "joined", change.name, node.generation);
    } else if (change.heartbeatAdvanced) {
      const status = record.heartbeat(now);
      if (status) this.emitStatus(change.name, status);
    }
    if (node.get(LEFT_KEY) !== undefined) {
      const status = record.leave(now);
      if (status) this.emitStatus(change.name, status);
    }
    const keys = change.changedKeys.filter((key) => key !== LEFT_KEY);
    if (keys.length > 0) this.emit("state", change.name, node.generation, keys);
  }

  private emitStatus(name: string, status: MemberStatus): void {
    if (status === "joining") return;
    this.emit(status, name, this.state.get(name)?.generation ?? 0);
  }

  private emit(type: MembershipEvent["type"], node: string, generation: number, keys?: string[]): void {
    const event: MembershipEvent = { type, node, generation, at: this.clock() };
    if (keys) event.keys = keys;
    this.events.push(event);
    if (this.events.length > this.maxQueuedEvents)
      this.events.splice(0, this.events.length - this.maxQueuedEvents);
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
