/**
 * The typed RPC contract of the GossipNode Durable Object and the ClusterRegistry, shared by
 * the node implementation, the API and the tests. Plain structured-clone data only.
 */
import type {
  CoreCounters,
  DigestEntry,
  GossipConfig,
  GossipConfigInput,
  MemberStatus,
  MembershipEvent,
  MemberView,
} from "../core/index.js";
import type { MembersPage, MembersQuery } from "./members-query.js";
import type { NodeBrief } from "./node-brief.js";
import type { OwnersAnswer, OwnersQuery } from "./owners-query.js";

/**
 * The counters of the Durable Object shell, each with what it counts: the one declaration, from
 * which `NodeCounters` and the API's schema of them (with these descriptions) derive.
 */
export const SHELL_COUNTERS = {
  alarmsRun: "Alarms run since the object woke.",
  alarmLateMs:
    "Of those alarms, the sum of how late each ran after the time it was armed for, ms (divided by alarmsRun: the mean lateness; a loaded runtime delivers alarms late, and probes with them).",
  roundErrors: "Rounds whose body threw (the loop went on).",
  exchangesAttempted: "Exchanges the shell started with peers.",
  exchangesSucceeded: "Of those, exchanges that completed.",
  rpcCallsMade: "RPC calls this node made to peers (syn + ack).",
  rpcCallsAnswered: "RPC calls this node answered (from peers and from the API).",
  peerCallsAnswered: "Of those: gossip messages from peers (the rest came from the API).",
  wakesBroughtForward: "Alarms re-armed sooner because a call made the node busy between wakes (a row each).",
  watchersAccepted: "WebSocket watchers this node accepted (each a request; see watchers.ts).",
  watchMessagesReceived:
    "Messages from watchers other than the keepalive ping, which the runtime answers unseen.",
  storageErrors:
    "Saves that failed: rows of others' keys (the rest of the save went on) and membership saves while answering a peer (the peer was answered; the next round saves again).",
  storageRowsWritten: "SQLite rows written, setAlarm included (each is billed as one row).",
  storageRowsAlarm: "Of those: setAlarm and deleteAlarm.",
  storageRowsHeartbeat: "Of those: the own heartbeat, saved when it ran ahead of the clock floor.",
  storageRowsOwnKeys: "Of those: own key writes and deletes.",
  storageRowsLifecycle:
    "Of those: configure, start, stop, leave, own status changes, own tombstones collected.",
  storageRowsMembership: "Of those: the membership rows (who the others are, their statuses, graves).",
  storageRowsPeerKeys: "Of those: others' keys.",
  activeMs:
    "Wall time inside alarm() and RPC handlers (overlaps counted once), ms: the time the object is not idle. Date.now() only moves across I/O in workerd, so CPU time between two I/O events is missed: a lower bound of the billed duration.",
} as const;

/** Counters a node keeps about itself: the core's plus those of the Durable Object shell. */
export type NodeCounters = { [K in keyof CoreCounters | keyof typeof SHELL_COUNTERS]: number };

/** Settings of the Durable Object shell (the core's tunables are in GossipConfig). */
export interface NodeOptions {
  /** How long an RPC to a peer may take before the exchange counts as failed, ms. */
  rpcTimeoutMs: number;
  /** Least time between two saves of what the node knows of others, ms. */
  snapshotEveryMs: number;
  /** Push a local write to members at once (on by default; under the core's token bucket). Off: writes ride anti-entropy alone. */
  rumor: boolean;
}

/** Body of start/configure. */
export interface StartRequest {
  cluster: string;
  node: string;
  seeds: string[];
  config?: GossipConfigInput;
  /** Shell settings; defaults derive from the config. */
  options?: Partial<NodeOptions>;
  /** A location hint; omitted: the region the node had, if any (see start-request.ts). */
  region?: string;
}

/** What a node reports about itself and the cluster as it sees it. */
export interface NodeView {
  cluster: string;
  node: string;
  /** True while the alarm loop runs (false after stop or leave). */
  running: boolean;
  generation: number;
  status: MemberStatus;
  /** This node's own record. */
  self: MemberView;
  /** Every member this node knows, itself included, sorted by name. */
  members: MemberView[];
  seeds: string[];
  config: GossipConfig;
  options: NodeOptions;
  counters: NodeCounters;
  digest: DigestEntry[];
  /** Rounds the next wake may wait: 1 while busy, up to config.roundsPerWake when quiet. */
  wakeRounds: number;
  /** Node's clock when the view was taken (ms since epoch). */
  at: number;
}

/** An agent's heartbeat as its home takes it (the API checked the shapes; the node checks again). */
export interface AgentHeartbeat {
  intervalMs: number;
  /** Key writes (same rules and limits as a node's own state). */
  state?: Record<string, string>;
}

/** What an agent's heartbeat or leave answers. */
export interface AgentClaim {
  cluster: string;
  agent: string;
  /** The node that hosts it (its home). */
  node: string;
  generation: number;
  incarnation: number;
  status: MemberStatus;
  /** What the call did at the home. */
  outcome: "registered" | "takeover" | "revived" | "heartbeat" | "left";
}

/** A membership event with its position in the node's event log. */
export interface SequencedEvent extends MembershipEvent {
  seq: number;
}

export interface EventsPage {
  events: SequencedEvent[];
  /** Pass as `since` to get the events after these. */
  next: number;
}

export type { NodeErrorShape } from "./node-error.js";

/**
 * RPC surface of one GossipNode (each method is an RPC call on its stub).
 * Methods that need a configured node reject with a NodeError (`.code` as above) otherwise.
 */
export interface GossipNodeRpc {
  /** Starts, or restarts with a new generation, with these seeds and config. */
  configure(request: StartRequest): Promise<NodeView>;
  /**
   * Any protocol v2 message from a peer: a ping, ping-req, syn or digest is answered with its
   * reply, a push with nothing; a stopped node answers `{t: "refused"}` (rejections are counted).
   */
  gossip(message: unknown): Promise<unknown>;
  setKey(key: string, value: string): Promise<{ version: number }>;
  /** Deletes a key; `version` is null when the key did not exist. */
  deleteKey(key: string): Promise<{ version: number | null }>;
  leave(): Promise<NodeView>;
  /** Fault injection: no rounds, peers' messages never answered, until start (same generation). */
  hang(): Promise<NodeView>;
  stop(): Promise<NodeView>;
  start(): Promise<NodeView>;
  /** Fault injection: drops the object's memory (storage kept); the next call or alarm rebuilds it. */
  evict(): Promise<{ evicted: true }>;
  /** Fault injection: deletes the pending alarm; only the keeper (or a start) restarts the loop. */
  deleteAlarm(): Promise<{ deleted: boolean }>;
  /** Null when this object was never configured. */
  view(): Promise<NodeView | null>;
  events(since: number): Promise<EventsPage>;
  /** A watcher's WebSocket upgrade (watchers.ts): 101 with the socket, or a NodeError thrown. */
  fetch(request: Request): Promise<Response>;
  /** The members query over this node's view (see members-query.ts); running nodes only. */
  members(query: MembersQuery): Promise<MembersPage>;
  /** Who owns each key in this node's view (see owners-query.ts); running nodes only. */
  owners(query: OwnersQuery): Promise<OwnersAnswer>;
  /** Re-arms the alarm loop of a configured running node whose alarm is missing. */
  ensureRunning(): Promise<boolean>;
  /** Stops the node and deletes all it stored, the alarm included; false when it was never configured. */
  deregister(): Promise<{ deregistered: boolean }>;
  /** The view in brief: status counts, member count, fingerprint, round counters (null when never configured). */
  brief(withDigest: boolean): Promise<NodeBrief | null>;
  /** An agent's heartbeat: this node becomes (or stays) its home. Running nodes only. */
  agentHeartbeat(agent: string, heartbeat: AgentHeartbeat): Promise<AgentClaim>;
  /** An agent's graceful leave, announced by this node; rejects `unknown_agent` when unknown here. */
  agentLeave(agent: string): Promise<AgentClaim>;
}

/**
 * The name of the keeper's directory: the ClusterRegistry object that lists every running
 * node of every cluster for the cron keeper (and, before registries were per cluster, served
 * every cluster). A cluster's own registry is named after the cluster (registries.ts).
 */
export const KEEPER_DIRECTORY = "registry";

/** A node as the registry lists it. */
export interface RegisteredNode {
  cluster: string;
  node: string;
}

/** Rows of one cluster the keeper's directory holds from before per-cluster registries. */
export interface UnlistedCluster {
  cluster: string;
  nodes: Array<{ node: string; running: boolean }>;
}

/** RPC surface of a ClusterRegistry (a cluster's own, or the keeper's directory). */
export interface ClusterRegistryRpc {
  /** Records nodes as members of a cluster, configured to run (idempotent). */
  register(cluster: string, nodes: string[]): Promise<void>;
  /** Records whether a node is configured to run (stop and leave: false; start: true). */
  setRunning(cluster: string, node: string, running: boolean): Promise<void>;
  /** Forgets a node (deregistered); false when it was not listed. */
  remove(cluster: string, node: string): Promise<boolean>;
  /** Node names of a cluster, sorted; empty when unknown. */
  nodes(cluster: string): Promise<string[]>;
  clusters(): Promise<string[]>;
  /** The cluster's token epoch: 0 until its tokens are first revoked. */
  tokenEpoch(cluster: string): Promise<number>;
  /** Revokes the cluster's scoped tokens: raises its token epoch and answers the new one. */
  raiseTokenEpoch(cluster: string): Promise<number>;
  /** Every (cluster, node) pair with its running flag. */
  all(): Promise<Array<RegisteredNode & { running: boolean }>>;
  /**
   * The cron keeper's next page (directory): up to `limit` running nodes after the last one it
   * was given, going on from the start when the end is reached. Each call moves the cursor.
   */
  keeperPage(limit: number): Promise<RegisteredNode[]>;
  /** Directory: rows of up to `clusters` clusters not yet copied into their own registries. */
  unlisted(clusters: number): Promise<UnlistedCluster[]>;
  /** A cluster's registry: takes rows copied from the directory, keeping any it already holds. */
  adopt(cluster: string, nodes: Array<{ node: string; running: boolean }>): Promise<void>;
  /** Directory: these rows are now in their cluster's registry. */
  markListed(cluster: string, nodes: string[]): Promise<void>;
}
