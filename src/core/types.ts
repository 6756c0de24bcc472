/**
 * Shared vocabulary of the gossip protocol: member statuses, versioned values,
 * the wire messages exchanged between nodes and the per-node counters.
 * Plain data only: every value here survives structured clone and JSON.
 */

/** Membership status of a member as seen by one observer. */
export type MemberStatus = "joining" | "alive" | "suspect" | "dead" | "left";

export const MEMBER_STATUSES: readonly MemberStatus[] = ["joining", "alive", "suspect", "dead", "left"];

/** Exchange style: who sends deltas to whom. */
export type GossipMode = "push" | "pull" | "push-pull";

/** A key's value on its owner; `null` is a tombstone (the key was deleted). */
export interface VersionedValue {
  value: string | null;
  version: number;
}

/** The version of the wire format. Peers reject other major versions. */
export const PROTOCOL_VERSION = 1;

/**
 * Digest entry: what the sender knows of one node.
 * `[name, generation, heartbeat, maxVersion, gcVersion?]`; gcVersion is omitted when 0.
 */
export type DigestEntry = [
  name: string,
  generation: number,
  heartbeat: number,
  maxVersion: number,
  gcVersion?: number,
];

/**
 * Request for a node's updates: the receiver of a Syn tells the initiator what it lacks.
 * `[name, generation, fromVersion, gcVersion?]`: send every key of `name` (at that generation)
 * whose version is greater than `fromVersion`, plus its heartbeat. A generation newer than
 * the one asked for is always sent from version 0. gcVersion (omitted when 0) is the highest
 * garbage-collection horizon the asker has adopted for that node.
 */
export type NeedEntry = [name: string, generation: number, fromVersion: number, gcVersion?: number];

/** A bare heartbeat of a node the receiver knows at this generation: `[name, generation, heartbeat]`. */
export type HeartbeatEntry = [name: string, generation: number, heartbeat: number];

/** One key-value update inside a delta: `[key, value-or-null, version]`. */
export type KeyUpdate = [key: string, value: string | null, version: number];

/**
 * Delta for one node. Keys are sorted by ascending version and cover every version in
 * `(fromVersion, upTo]` where `upTo` is the last key's version (or `maxVersion` when `complete`):
 * a delta cut by the byte cap is still a valid prefix.
 */
export interface NodeDelta {
  /** Node name. */
  n: string;
  /** Generation. */
  g: number;
  /** Heartbeat. */
  h: number;
  /** Keys are relative to this version; on `reset` the receiver drops what it had first. */
  from: number;
  /** When true, the receiver must drop every key it holds for this node before applying. */
  reset: boolean;
  /** The sender's max version for the node; equal to the last key's version when complete. */
  max: number;
  /** Highest tombstone version the sender has garbage-collected for this node. */
  gc: number;
  /** Updates, ascending by version. */
  kv: KeyUpdate[];
}

/** First message of an exchange, initiator -> receiver. */
export interface SynMessage {
  t: "syn";
  v: number;
  cluster: string;
  from: string;
  /** Initiator's generation (lets the receiver see restarts at once). */
  gen: number;
  mode: GossipMode;
  digest: DigestEntry[];
}

/** Answer to a Syn, receiver -> initiator. */
export interface SynAckMessage {
  t: "synack";
  v: number;
  cluster: string;
  from: string;
  gen: number;
  /** What the receiver lacks and wants from the initiator (push and push-pull). */
  need: NeedEntry[];
  /** What the initiator lacks (pull and push-pull). */
  delta: NodeDelta[];
  /** Heartbeats the initiator lacks of nodes it knows at the same generation. */
  hb?: HeartbeatEntry[];
}

/** Final message, initiator -> receiver, only when it carries something. */
export interface AckMessage {
  t: "ack";
  v: number;
  cluster: string;
  from: string;
  gen: number;
  delta: NodeDelta[];
}

export type GossipMessage = SynMessage | SynAckMessage | AckMessage;

/** Counters a node keeps about itself. All monotonic within one process lifetime. */
export interface CoreCounters {
  rounds: number;
  exchangesStarted: number;
  exchangesCompleted: number;
  exchangesFailed: number;
  exchangesAnswered: number;
  messagesSent: number;
  messagesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  rejectedMessages: number;
  keysWritten: number;
}

export function emptyCounters(): CoreCounters {
  return {
    rounds: 0,
    exchangesStarted: 0,
    exchangesCompleted: 0,
    exchangesFailed: 0,
    exchangesAnswered: 0,
    messagesSent: 0,
    messagesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    rejectedMessages: 0,
    keysWritten: 0,
  };
}

/** What an observer reports about one member. */
export interface MemberView {
  node: string;
  generation: number;
  heartbeat: number;
  status: MemberStatus;
  phi: number;
  maxVersion: number;
  state: Record<string, string>;
}

/** A membership or state change seen by one node, for event streams. */
export interface MembershipEvent {
  type: "joined" | "alive" | "suspect" | "dead" | "left" | "forgotten" | "restarted" | "state";
  node: string;
  generation: number;
  at: number;
  /** For `state`: the keys that changed. */
  keys?: string[];
}
