/**
 * The types a shell sees of the protocol engine (gossiper.ts): how it is built, what a round
 * asks of the driver, what an agent's claim and a saved member look like, and the saved form of
 * a whole node.
 */
import type { GraveTuple } from "./cluster-state.js";
import type { GossipConfig } from "./config.js";
import type { HeartbeatOutcome, HostedSnapshot } from "./hosted.js";
import type { Interner } from "./interner.js";
import type { MessageLimits } from "./messages.js";
import type { NodeStateSnapshot } from "./node-state.js";
import type { Clock, Rng } from "./random.js";
import type { GossipMessage, MemberStatus, PingMessage, PushMessage, SynMessage } from "./types.js";

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
  /** See cluster-state.ts's GraveTuple. */
  graveyard: GraveTuple[];
  selfStatus: MemberStatus;
  /** Agents this node hosts (omitted when none). */
  hosted?: HostedSnapshot[];
  /**
   * The broadcast tree's eager peers, oldest first (omitted when none). A shell saves them apart
   * (Gossiper.takeEagerChange), since they change between rounds; a wake-up takes them back.
   */
  eager?: string[];
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
