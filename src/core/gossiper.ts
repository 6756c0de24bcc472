/**
 * One gossip node's protocol engine (v2), free of I/O: the Durable Object, the simulator and
 * the test cluster all drive it through driver.ts. This class is the coordinator: it owns the
 * node's shared state (engine-context.ts) and hands each call to its mechanism, one module
 * each: rounds.ts (wakes and judgements), probing.ts (SWIM), dissemination.ts (envelope,
 * piggyback, hot pushes), anti-entropy.ts (fingerprint, digest, delta), claims.ts (merging and
 * refuting claims), agent-hosting.ts (agents homed here), peer-choice.ts, member-views.ts and
 * engine-snapshot.ts. Every inbound message is validated and size-checked first; a bad one is
 * rejected, counted and never merged.
 */
import { hostHeartbeat, leaveHosted, takeHostedChanges } from "./agent-hosting.js";
import {
  exchangeFailed,
  handleDelta,
  handleDigest,
  handleSyn,
  handleSynAck,
  makeSyn,
} from "./anti-entropy.js";
import { isPeerNode, leave, ownChange, rejectUnknown } from "./claims.js";
import type { ClusterState, Grave } from "./cluster-state.js";
import type { GossipConfig } from "./config.js";
import { countSent, handlePush, takeOutbox } from "./dissemination.js";
import { createContext, drainEvents, type EngineContext, ownRegion, regionOf } from "./engine-context.js";
import { adoptView, loadSnapshot, snapshotOf } from "./engine-snapshot.js";
import type {
  GossiperOptions,
  GossiperSnapshot,
  HostedClaim,
  MemberEntry,
  Outgoing,
  ProbeOutcome,
  Rejection,
  RoundPlan,
} from "./engine-types.js";
import type { HostedSnapshot } from "./hosted.js";
import { checkUserKey, REGION_KEY } from "./keys.js";
import { memberNames, membership, memberView, statusOf, view } from "./member-views.js";
import { type MemberState, NodeState } from "./node-state.js";
import {
  handlePing,
  handlePingReq,
  handleProbeReply,
  makePing,
  makePingReq,
  probeAnswer,
  probeHelpers,
  probeResult,
} from "./probing.js";
import { beginRound, latestWake, nextRoundDelay, nextWakeRounds, tick } from "./rounds.js";
import type {
  AckMessage,
  CoreCounters,
  DeltaMessage,
  DigestMessage,
  GossipMessage,
  MemberStatus,
  MembershipEvent,
  MemberView,
  NackMessage,
  PingMessage,
  PingReqMessage,
  PushMessage,
  SynAckMessage,
  SynMessage,
} from "./types.js";

/** A node's options when its name and generation come from a saved record. */
type RestoreOptions = Omit<GossiperOptions, "name" | "generation">;

/** An agent's heartbeat: its name, interval, key updates and the callback that saves its row. */
type HeartbeatArgs = Parameters<typeof hostHeartbeat> extends [EngineContext, ...infer Rest] ? Rest : never;

export class Gossiper {
  readonly cluster: string;
  readonly name: string;
  readonly config: GossipConfig;
  readonly counters: CoreCounters;
  private readonly ctx: EngineContext;

  constructor(options: GossiperOptions, selfState?: NodeState, view?: ClusterState) {
    this.ctx = createContext(options, selfState, view);
    ({ cluster: this.cluster, name: this.name, config: this.config, counters: this.counters } = this.ctx);
  }

  get generation(): number {
    return this.ctx.state.self.generation;
  }

  get incarnation(): number {
    return this.ctx.state.self.incarnation;
  }

  get status(): MemberStatus {
    return this.ctx.selfStatus;
  }

  get seeds(): readonly string[] {
    return this.ctx.seedList;
  }

  /** Members known, this node included. */
  get size(): number {
    return this.ctx.state.size;
  }

  /** Local health score (0 is healthy). */
  get health(): number {
    return this.ctx.awareness.health;
  }

  /** The digest's fingerprint (64 bits, 16 hex digits). */
  get fingerprint(): string {
    return this.ctx.state.fingerprint.value;
  }

  /** Members visited so far by walks over the whole membership (views, snapshots, digests). */
  get memberVisits(): number {
    return this.ctx.state.table.visits;
  }

  /** The node's own state (read-only use). */
  get self(): NodeState {
    return this.ctx.state.self;
  }

  // ---------------------------------------------------------------- wakes and rounds (rounds.ts)
  /** The next wake's delay (see rounds.ts). */
  nextRoundDelay(): number {
    return nextRoundDelay(this.ctx);
  }

  /** Rounds the next wake may wait: 1 while busy, up to `roundsPerWake` when quiet. */
  wakeRounds(): number {
    return nextWakeRounds(this.ctx);
  }

  /** The latest time, seen from `now`, the next wake may come without missing work. */
  latestWake(now: number): number {
    return latestWake(this.ctx, now);
  }

  /** Starts a round: heartbeat, judgements, and this round's probes and exchanges. */
  beginRound(heartbeatFloor = 0): RoundPlan {
    return beginRound(this.ctx, heartbeatFloor);
  }

  /** Judges suspicions and detectors, forgets long-gone members, collects tombstones. */
  tick(): void {
    tick(this.ctx);
  }

  // ---------------------------------------------------------------- owner writes
  /** Writes a key on this node; returns its version. The write is pushed at once when the bucket allows. */
  setKey(key: string, value: string): number {
    checkUserKey(key);
    const version = this.ctx.state.self.set(key, value);
    ownChange(this.ctx, true);
    return version;
  }

  /** Deletes a key (tombstone); returns its version, or null when it did not exist. */
  deleteKey(key: string): number | null {
    checkUserKey(key);
    const version = this.ctx.state.self.delete(key, this.ctx.clock());
    if (version !== null) ownChange(this.ctx, true);
    return version;
  }

  /** The region this node placed itself in (its reserved region key), if any. */
  get region(): string | undefined {
    return ownRegion(this.ctx);
  }

  /**
   * Places this node in a region (the shell usually restores it with the node's own keys).
   * Peer and probe choice then prefer members of the same region.
   */
  setRegion(region: string): void {
    if (this.region === region) return;
    this.ctx.state.self.set(REGION_KEY, region);
    ownChange(this.ctx, false);
  }

  /** A member's region as this node knows it (undefined: none, or its state not learned yet). */
  regionOf(name: string): string | undefined {
    return regionOf(this.ctx, name);
  }

  /** Announces a graceful leave: `left` is pushed at once and rides on every message. */
  leave(): void {
    leave(this.ctx);
  }

  // ---------------------------------------------------------------- hosted agents (agent-hosting.ts)
  /** Names of the agents this node hosts. */
  hostedNames(): string[] {
    return [...this.ctx.hosted.keys()];
  }

  isHosted(name: string): boolean {
    return this.ctx.hosted.has(name);
  }

  /** Whether `name` is a gossip peer: a node we know, not an agent (nor possibly one). */
  isPeer(name: string): boolean {
    const node = this.ctx.state.get(name);
    return node !== undefined && isPeerNode(this.ctx, node);
  }

  /** An agent's heartbeat at this node, its home (see agent-hosting.ts). */
  hostHeartbeat(...args: HeartbeatArgs): HostedClaim {
    return hostHeartbeat(this.ctx, ...args);
  }

  /** An agent's graceful leave, announced by this node; null when the agent is unknown here. */
  leaveHosted(name: string, save: (row: HostedSnapshot) => void): HostedClaim | null {
    return leaveHosted(this.ctx, name, save);
  }

  /** Hosted agents to save (changed by judgements or peers) and to delete, since the last call. */
  takeHostedChanges(): { save: HostedSnapshot[]; drop: string[] } {
    return takeHostedChanges(this.ctx);
  }

  /** The broadcast tree's eager peers when they changed since the last call (plumtree.ts). */
  takeEagerChange(): string[] | undefined {
    return this.ctx.tree.takeEagerChange();
  }

  /** One hosted agent's saved form (what its row holds). */
  hostedSnapshot(name: string): HostedSnapshot | undefined {
    return this.ctx.hosted.get(name)?.snapshot();
  }

  // ---------------------------------------------------------------- probing (probing.ts)
  /** How long to wait for a direct ack; indirect probes wait twice as long. */
  probeTimeout(): number {
    return this.ctx.awareness.scale(this.ctx.config.probeTimeoutMs);
  }

  makePing(target: string): PingMessage {
    return makePing(this.ctx, target);
  }

  makePingReq(helper: string, target: string): PingReqMessage {
    return makePingReq(this.ctx, helper, target);
  }

  probeHelpers(target: string): string[] {
    return probeHelpers(this.ctx, target);
  }

  probeResult(target: string, outcome: ProbeOutcome, missedNacks = 0, expectedNacks = 0): void {
    probeResult(this.ctx, target, outcome, missedNacks, expectedNacks);
  }

  handlePing(raw: unknown): AckMessage | Rejection {
    return handlePing(this.ctx, raw);
  }

  handleProbeReply(raw: unknown, target: string): boolean | Rejection {
    return handleProbeReply(this.ctx, raw, target);
  }

  handlePingReq(raw: unknown): PingReqMessage | Rejection {
    return handlePingReq(this.ctx, raw);
  }

  probeAnswer(request: PingReqMessage, answered: boolean): AckMessage | NackMessage {
    return probeAnswer(this.ctx, request, answered);
  }

  // ---------------------------------------------------------------- exchanges (anti-entropy.ts)
  makeSyn(peer: string): SynMessage {
    return makeSyn(this.ctx, peer);
  }

  handleSyn(raw: unknown): SynAckMessage | Rejection {
    return handleSyn(this.ctx, raw);
  }

  handleSynAck(raw: unknown): DigestMessage | null | Rejection {
    return handleSynAck(this.ctx, raw);
  }

  handleDigest(raw: unknown): DeltaMessage | Rejection {
    return handleDigest(this.ctx, raw);
  }

  handleDelta(raw: unknown): PushMessage | null | Rejection {
    return handleDelta(this.ctx, raw);
  }

  /** An exchange or probe with a peer failed (timeout, refusal, transport error). */
  exchangeFailed(): void {
    exchangeFailed(this.ctx);
  }

  // ---------------------------------------------------------------- pushes (dissemination.ts)
  handlePush(raw: unknown): true | Rejection {
    return handlePush(this.ctx, raw);
  }

  /** Takes the one-way messages waiting to be sent (hot pushes and forwards). */
  takeOutbox(): Outgoing[] {
    return takeOutbox(this.ctx);
  }

  /** Counts an outgoing one-way message as sent (the driver calls it when it sends). */
  countSent(message: GossipMessage): void {
    countSent(this.ctx, message);
  }

  /** Rejects a message of no known request type (and counts it). */
  rejectUnknown(raw: unknown): Rejection {
    return rejectUnknown(this.ctx, raw);
  }

  // ---------------------------------------------------------------- views (member-views.ts)
  /** What this node believes about one member (itself included). */
  memberView(name: string): MemberView | undefined {
    return memberView(this.ctx, name);
  }

  /** Every member this node knows, itself included, sorted by name. */
  view(): MemberView[] {
    return view(this.ctx);
  }

  /** Names of every member known, this node included. */
  memberNames(): string[] {
    return memberNames(this.ctx);
  }

  /** Status of a member in this node's view (undefined when unknown). */
  statusOf(name: string): MemberStatus | undefined {
    return statusOf(this.ctx, name);
  }

  /** What is known of one member's state (read-only use), or undefined when unknown. */
  stateOf(name: string): Readonly<MemberState> | undefined {
    return this.ctx.state.get(name);
  }

  /** Every other member with its claim and when its status began here, for shells that save it. */
  membership(): MemberEntry[] {
    return membership(this.ctx);
  }

  /** Forgotten members, so that they stay forgotten. */
  graves(): Array<{ name: string } & Grave> {
    return [...this.ctx.state.graveyard].map(([name, grave]) => ({ name, ...grave }));
  }

  /** The digest, for diagnostics and views. */
  digest() {
    return this.ctx.state.digest();
  }

  /** Takes the events queued since the last call. */
  drainEvents(): readonly MembershipEvent[] {
    return drainEvents(this.ctx);
  }

  // ---------------------------------------------------------------- persistence (engine-snapshot.ts)
  snapshot(): GossiperSnapshot {
    return snapshotOf(this.ctx);
  }

  /**
   * A node that starts from another node's view of the cluster: `name`, a member of it, becomes
   * this node, and the other node's own record a member. The simulator's converged start uses
   * it: copying a view costs a few bytes per member, rebuilding it from a snapshot far more.
   * The other node must host no agents; its suspicions, timers and probe orders are not copied.
   */
  static fromView(template: Gossiper, name: string, options: RestoreOptions): Gossiper {
    const member = template.ctx.state.get(name);
    if (!member || name === template.name)
      throw new Error(`${name} is not a member of ${template.name}'s view`);
    const self = NodeState.fromSnapshot(member.snapshot(), options.clock());
    const view = template.ctx.state;
    const gossiper = new Gossiper({ ...options, name, generation: self.generation }, self, view);
    adoptView(gossiper.ctx, template.ctx);
    return gossiper;
  }

  /** Rebuilds a node from a snapshot after a wake-up (what it keeps: loadSnapshot). */
  static restore(snapshot: GossiperSnapshot, options: RestoreOptions): Gossiper {
    const now = options.clock();
    const gossiper = new Gossiper(
      { ...options, name: snapshot.self.name, generation: snapshot.self.generation },
      NodeState.fromSnapshot(snapshot.self, now),
    );
    loadSnapshot(gossiper.ctx, snapshot, now);
    return gossiper;
  }
}
