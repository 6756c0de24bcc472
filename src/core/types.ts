/**
 * Shared vocabulary of the gossip protocol (v2): member statuses, versioned values, the wire
 * messages exchanged between nodes and the per-node counters.
 * Plain data only: every value here survives structured clone and JSON.
 */

/** Membership status of a member as seen by one observer. */
export type MemberStatus = "joining" | "alive" | "suspect" | "dead" | "left";

export const MEMBER_STATUSES: readonly MemberStatus[] = ["joining", "alive", "suspect", "dead", "left"];

/** Statuses that travel on the wire, by code: the code is also their rank within an incarnation. */
export const WIRE_STATUSES = ["alive", "suspect", "dead", "left"] as const;
export type WireStatus = (typeof WIRE_STATUSES)[number];
/** 0 alive, 1 suspect, 2 dead, 3 left. */
export type StatusCode = 0 | 1 | 2 | 3;

/** Exchange style: who sends deltas to whom. */
export type GossipMode = "push" | "pull" | "push-pull";

/** How members are judged: SWIM probing (default) or phi accrual over relayed heartbeats. */
export type Detector = "swim" | "phi";

/** A key's value on its owner; `null` is a tombstone (the key was deleted). */
export interface VersionedValue {
  value: string | null;
  version: number;
}

/** The version of the wire format. Peers reject other major versions. */
export const PROTOCOL_VERSION = 2;

/**
 * Digest entry: what the sender knows of one member.
 * `[name, generation, incarnation, status, maxVersion, gcVersion?]`; gcVersion is omitted when 0.
 * No heartbeat: an entry changes only when membership or state changes.
 */
export type DigestEntry = [
  name: string,
  generation: number,
  incarnation: number,
  status: StatusCode,
  maxVersion: number,
  gcVersion?: number,
];

/**
 * A piece of membership news carried on any message:
 * `[name, generation, incarnation, status, maxVersion, reporter?]`. `reporter` names who
 * raised a suspicion (independent reporters shorten the suspicion timeout).
 */
export type NewsItem = [
  name: string,
  generation: number,
  incarnation: number,
  status: StatusCode,
  maxVersion: number,
  reporter?: string,
];

/**
 * Request for a node's updates: `[name, generation, fromVersion, gcVersion?]`: send every key
 * of `name` (at that generation) whose version is greater than `fromVersion`. A generation
 * newer than the one asked for is always sent from version 0. gcVersion (omitted when 0) is the
 * highest garbage-collection horizon the asker has adopted for that node.
 */
export type NeedEntry = [name: string, generation: number, fromVersion: number, gcVersion?: number];

/**
 * A write's id in the broadcast tree, `[origin, generation, version]`: in an "I have" notice
 * (`ih`, the sender holds that version) or a graft (the asker holds that version and wants
 * what follows).
 */
export type HaveEntry = [origin: string, generation: number, version: number];

/** A heartbeat relayed under the phi detector: `[name, generation, heartbeat]`. */
export type HeartbeatEntry = [name: string, generation: number, heartbeat: number];

/** One key-value update inside a delta: `[key, value-or-null, version]`. */
export type KeyUpdate = [key: string, value: string | null, version: number];

/**
 * Delta for one node. Keys are sorted by ascending version and cover every version in
 * `(fromVersion, upTo]` where `upTo` is the last key's version (or `maxVersion` when complete):
 * a delta cut by the byte cap is still a valid prefix. It also carries the sender's liveness
 * claim about the node.
 */
export interface NodeDelta {
  /** Node name. */
  n: string;
  /** Generation. */
  g: number;
  /** Incarnation. */
  i: number;
  /** Status code. */
  s: StatusCode;
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

/** Fields every message carries. */
interface Envelope {
  v: number;
  /** Cluster. */
  c: string;
  /** Sender. */
  f: string;
  /** Sender's generation. */
  g: number;
  /** Piggybacked membership news. */
  n?: NewsItem[];
  /** Broadcast tree: writes the sender holds ("I have" notices), on probes and their answers. */
  ih?: HaveEntry[];
}

/** A direct probe. Answered with an `ack`. */
export interface PingMessage extends Envelope {
  t: "ping";
  /** Sequence number, echoed in the ack. */
  s: number;
}

/** Asks the receiver to probe `target` and say whether it answered. */
export interface PingReqMessage extends Envelope {
  t: "pingreq";
  s: number;
  target: string;
}

/** Answer to a ping, or to a ping-req whose target answered. */
export interface AckMessage extends Envelope {
  t: "ack";
  s: number;
}

/** Answer to a ping-req whose target did not answer (Lifeguard's nack). */
export interface NackMessage extends Envelope {
  t: "nack";
  s: number;
}

/** Opens an anti-entropy exchange with the digest's fingerprint. */
export interface SynMessage extends Envelope {
  t: "syn";
  mode: GossipMode;
  /**
   * Fingerprint of the sender's whole digest: its low half plus 2^32 (WIDE_MARK, the 64-bit
   * width; an older 32-bit sender sends its fingerprint alone), the high half in `fh`.
   */
  fp: number;
  /** The fingerprint's high half (64-bit senders only). */
  fh?: number;
  /** Phi detector only: every heartbeat the sender knows. */
  hb?: HeartbeatEntry[];
}

/**
 * Answer to a Syn: `eq` when the fingerprints match (with `fh`, the high half matched), else
 * the receiver's bucket fingerprints, low halves in `bk` and high halves in `bh`.
 */
export interface SynAckMessage extends Envelope {
  t: "synack";
  eq?: boolean;
  fh?: number;
  bk?: number[];
  bh?: number[];
  hb?: HeartbeatEntry[];
}

/** The initiator's digest entries in the buckets that differ. */
export interface DigestMessage extends Envelope {
  t: "digest";
  mode: GossipMode;
  /** The differing buckets. */
  b: number[];
  d: DigestEntry[];
}

/** Answer to a Digest: what the receiver lacks, and deltas of what the initiator lacks. */
export interface DeltaMessage extends Envelope {
  t: "delta";
  need: NeedEntry[];
  delta: NodeDelta[];
}

/**
 * One-way: deltas and news. The last message of an exchange (`hot` unset), or news pushed at
 * once (`hot`: the receiver forwards it once when it first hears it).
 */
export interface PushMessage extends Envelope {
  t: "push";
  delta?: NodeDelta[];
  hot?: boolean;
  /** Broadcast tree: the sender already held what it was pushed; stop pushing writes to it eagerly. */
  prune?: boolean;
  /** Broadcast tree: writes the sender lacks (from the versions it holds); push them, eagerly from now on. */
  graft?: HaveEntry[];
}

export type RequestMessage = PingMessage | PingReqMessage | SynMessage | DigestMessage | PushMessage;
export type ReplyMessage = AckMessage | NackMessage | SynAckMessage | DeltaMessage;
export type GossipMessage = RequestMessage | ReplyMessage;

/** Counters a node keeps about itself. All monotonic within one process lifetime. */
export interface CoreCounters {
  /** Protocol periods run (a wake covers one or more). */
  rounds: number;
  /** Wake-ups (each one alarm in a Durable Object). */
  wakes: number;
  exchangesStarted: number;
  exchangesCompleted: number;
  exchangesFailed: number;
  exchangesAnswered: number;
  /** Exchanges that ended at the fingerprint: one small request and its answer. */
  exchangesQuiet: number;
  messagesSent: number;
  messagesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  rejectedMessages: number;
  keysWritten: number;
  probesSent: number;
  probesFailed: number;
  indirectProbesSent: number;
  pingsAnswered: number;
  suspicionsRaised: number;
  refutations: number;
  /** Members buried here that spoke again (or whose home spoke for them) and were told they had been declared dead. */
  buriedTold: number;
  /** Deaths heard through anti-entropy of members held alive or suspect, taken as suspicions. */
  deathsDoubted: number;
  pushesSent: number;
  forwardsSent: number;
  /** Broadcast tree: writes pushed along it (a part of pushesSent), prunes and grafts sent, and "I have" notices piggybacked. */
  treePushesSent: number;
  prunesSent: number;
  graftsSent: number;
  havesSent: number;
}

export function emptyCounters(): CoreCounters {
  return {
    rounds: 0,
    wakes: 0,
    exchangesStarted: 0,
    exchangesCompleted: 0,
    exchangesFailed: 0,
    exchangesAnswered: 0,
    exchangesQuiet: 0,
    messagesSent: 0,
    messagesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    rejectedMessages: 0,
    keysWritten: 0,
    probesSent: 0,
    probesFailed: 0,
    indirectProbesSent: 0,
    pingsAnswered: 0,
    suspicionsRaised: 0,
    refutations: 0,
    buriedTold: 0,
    deathsDoubted: 0,
    pushesSent: 0,
    forwardsSent: 0,
    treePushesSent: 0,
    prunesSent: 0,
    graftsSent: 0,
    havesSent: 0,
  };
}

/** What an observer reports about one member. */
export interface MemberView {
  node: string;
  generation: number;
  incarnation: number;
  /**
   * Under `phi`: the member's heartbeat as last relayed. Under `swim`: for the observer
   * itself its round count, for others the number of acks this observer got from them.
   */
  heartbeat: number;
  status: MemberStatus;
  /** Under `phi`: suspicion level of the relayed heartbeats. Under `swim`: 0. */
  phi: number;
  maxVersion: number;
  state: Record<string, string>;
  /** The region the member placed itself in, when it has one and this observer knows it. */
  region?: string;
  /** `"agent"` for a member hosted by a node (absent for nodes). */
  kind?: "node" | "agent";
  /** An agent's home node. */
  home?: string;
}

/** A membership or state change seen by one node, for event streams. */
export interface MembershipEvent {
  type: "joined" | "alive" | "suspect" | "dead" | "left" | "forgotten" | "restarted" | "state";
  node: string;
  generation: number;
  at: number;
  /** For `state`: the keys that changed. */
  keys?: string[];
  /** For `suspect`: who raised the suspicion (when known). */
  by?: string;
}
