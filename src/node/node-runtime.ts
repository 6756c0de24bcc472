/**
 * One configured node at run time: its settings, its saved record, the protocol core
 * (Gossiper) and the transport to its peers. This is the only module of the shell that drives
 * the core (rounds, exchanges, owner writes, leave, views), so a change of the core's API is
 * made here alone. Writes follow one rule: the row is stored before memory changes, so a
 * failed store leaves nothing to gossip and no version to reuse after a wake-up.
 */
import {
  answer,
  type CoreCounters,
  exchange,
  flush,
  Gossiper,
  type GossiperSnapshot,
  type HostedClaim,
  isReservedKey,
  type MemberView,
  REGION_KEY,
  runRound,
  sample,
} from "../core/index.js";
import { agentSaveEveryMs } from "./agent-saves.js";
import type { EventLog } from "./event-ring.js";
import { heartbeatFloor } from "./heartbeat-floor.js";
import { MAX_AGENTS_PER_CLUSTER, MAX_AGENTS_PER_NODE, MAX_DEPARTED_AGENTS_PER_CLUSTER } from "./limits.js";
import { BriefTally, type NodeBrief, type TallySource } from "./node-brief.js";
import { NodeError } from "./node-error.js";
import type { GraveRecord, MemberRow, NodeRecord, NodeStore } from "./node-store.js";
import type { AgentClaim, AgentHeartbeat, NodeCounters, NodeView } from "./rpc-types.js";
import { type OthersSource, SavedOthers } from "./saved-others.js";
import type { NodeSettings } from "./start-request.js";
import { type PeerStub, StubTransport } from "./stub-transport.js";
import { TreeSaves } from "./tree-saves.js";
import { checkKey, checkValue } from "./write-checks.js";
import { type KeyEntries, WriteLimits } from "./write-limits.js";

/** Counters of the shell (the core keeps its own). Memory only: they restart on wake-up. */
export type ShellCounters = Pick<
  NodeCounters,
  | "alarmsRun"
  | "alarmLateMs"
  | "roundErrors"
  | "exchangesAttempted"
  | "exchangesSucceeded"
  | "rpcCallsMade"
  | "rpcCallsAnswered"
  | "peerCallsAnswered"
  | "wakesBroughtForward"
  | "watchersAccepted"
  | "watchMessagesReceived"
  | "storageErrors"
>;

export function newShellCounters(): ShellCounters {
  return {
    alarmsRun: 0,
    alarmLateMs: 0,
    roundErrors: 0,
    exchangesAttempted: 0,
    exchangesSucceeded: 0,
    rpcCallsMade: 0,
    rpcCallsAnswered: 0,
    peerCallsAnswered: 0,
    wakesBroughtForward: 0,
    watchersAccepted: 0,
    watchMessagesReceived: 0,
    storageErrors: 0,
  };
}

/**
 * Waves of `fanout` exchanges a leave sends at most: at least two (like two rounds, so the
 * news starts spreading now), more until one exchange succeeds. A leave so takes at most
 * LEAVE_WAVES x rpcTimeoutMs.
 */
export const LEAVE_WAVES = 4;

/** What a runtime borrows from its Durable Object; it outlives generations. */
export interface RuntimeDeps {
  store: NodeStore;
  log: EventLog;
  shell: ShellCounters;
  /** A fresh stub of the GossipNode `<cluster>/<peer>`. */
  connect: (cluster: string, peer: string) => PeerStub;
  /** Keeps the object alive until `work` settles (ctx.waitUntil). */
  keepAlive: (work: Promise<unknown>) => void;
}

/** What a new generation takes over from the one it replaces. */
export interface Inheritance {
  /** Live user keys, oldest version first. */
  keys: Array<[key: string, value: string]>;
  /** The highest version the node ever gave out: new versions continue above it. */
  maxVersion: number;
  /** Forgotten members stay forgotten. */
  graves: GraveRecord[];
  /**
   * Core counters of the generations before, summed into one record: totals keep growing
   * across restarts while memory stays one record however many restarts there were.
   */
  retired: CoreCounters | null;
  /** The region the node was placed in, kept when a restart names none. */
  region?: string;
}

export class NodeRuntime {
  private readonly gossiper: Gossiper;
  private readonly transport: StubTransport;
  private readonly saved: SavedOthers;
  private readonly limits = new WriteLimits();
  /** The brief's counts and fingerprint, kept as membership changes (node-brief.ts). */
  private readonly tally = new BriefTally();
  /** The last heartbeat each hosted agent's saved row holds (heartbeats alone are saved sparingly). */
  private readonly agentSavedAt = new Map<string, number>();

  constructor(
    readonly settings: NodeSettings,
    readonly record: NodeRecord,
    snapshot: GossiperSnapshot,
    private readonly deps: RuntimeDeps,
    private readonly retired: CoreCounters | null,
  ) {
    // With `rumor` off, writes are not pushed at once: they ride anti-entropy alone.
    const config = settings.options.rumor
      ? settings.config
      : { ...settings.config, rumorsPerSecond: 0, rumorBurst: 0 };
    this.gossiper = Gossiper.restore(snapshot, {
      cluster: settings.cluster,
      config,
      seeds: settings.seeds,
      clock: Date.now,
      rng: Math.random,
    });
    this.transport = new StubTransport({
      connect: (peer) => deps.connect(settings.cluster, peer),
      timeoutMs: settings.options.rpcTimeoutMs,
      keepAlive: deps.keepAlive,
      onCall: () => {
        deps.shell.rpcCallsMade++;
      },
    });
    this.saved = new SavedOthers(deps.store);
  }

  get intervalMs(): number {
    return this.settings.config.intervalMs;
  }

  get left(): boolean {
    return this.gossiper.status === "left";
  }

  /** Marks this runtime as read back from storage: the save throttle counts from now. */
  restored(now: number): void {
    this.saved.restored(now);
  }

  /** When the wake after one begun at `now` is due. */
  nextRoundAt(now: number): number {
    return now + this.gossiper.nextRoundDelay();
  }

  /** The latest the next wake may come, seen from `now` (sooner when something needs it). */
  latestWake(now: number): number {
    return this.gossiper.latestWake(now);
  }

  // ---------------------------------------------------------------- rounds and exchanges

  /** Runs one round begun at `startedAt`; saves what changed unless `current()` says stale. */
  async round(startedAt: number, current: () => boolean): Promise<void> {
    const { record, gossiper, deps } = this;
    const floor = heartbeatFloor(startedAt, record.startedAt, this.intervalMs);
    const next = Math.max(gossiper.self.heartbeat + 1, floor);
    if (next > floor) {
      // Ahead of the clock (an early or repeated alarm): save it before anyone sees it.
      record.heartbeat = next;
      deps.store.writing("heartbeat", () => deps.store.saveNode(record));
    }
    const report = await runRound(gossiper, this.transport, floor);
    deps.shell.exchangesAttempted += report.peers.length;
    deps.shell.exchangesSucceeded += report.succeeded;
    if (current()) this.afterRound();
  }

  /** Up to `count` members worth contacting outside a round (not dead, not left). */
  pickPeers(count: number): string[] {
    const out: string[] = [];
    for (const member of this.gossiper.membership()) {
      if (!this.gossiper.isPeer(member.name)) continue; // agents are members, never peers
      if (member.status !== "dead" && member.status !== "left") out.push(member.name);
    }
    return sample(Math.random, out, count);
  }

  get fanout(): number {
    return this.gossiper.config.fanout;
  }

  /** Exchanges with these peers concurrently, outside a round; resolves to the successes. */
  async exchangeWith(peers: readonly string[]): Promise<number> {
    const { gossiper, transport } = this;
    const results = await Promise.all(peers.map((peer) => exchange(gossiper, transport, peer)));
    const succeeded = results.filter(Boolean).length;
    this.deps.shell.exchangesAttempted += peers.length;
    this.deps.shell.exchangesSucceeded += succeeded;
    this.collectEvents();
    return succeeded;
  }

  /** Sends what the core pushes at once (a fresh write, under its token bucket). */
  spreadNow(): void {
    flush(this.gossiper, this.transport);
    this.collectEvents();
    this.saveTree();
  }

  /** The broadcast tree's eager links, saved when they change (tree-saves.ts). */
  private tree?: TreeSaves;

  private saveTree(): void {
    this.tree ??= new TreeSaves(this.deps.store, this.settings.options.snapshotEveryMs, (error) => {
      this.deps.shell.storageErrors++;
      console.error(`${this.record.cluster}/${this.record.node}: could not save the broadcast tree`, error);
    });
    this.tree.save(this.gossiper);
  }

  /** Waves of exchanges after a leave; true once one exchange succeeded or no peer is left. */
  async spreadLeave(): Promise<boolean> {
    const fanout = this.fanout;
    const peers = this.pickPeers(LEAVE_WAVES * fanout);
    if (peers.length === 0) return true;
    let succeeded = 0;
    for (let wave = 0; wave < LEAVE_WAVES; wave++) {
      if (wave >= 2 && succeeded > 0) break;
      let chosen = peers.slice(wave * fanout, (wave + 1) * fanout);
      if (chosen.length === 0) {
        if (wave < 2) continue;
        chosen = this.pickPeers(fanout); // every peer tried and none took it: try again
      }
      succeeded += await this.exchangeWith(chosen);
    }
    return succeeded > 0;
  }

  /** Answers any protocol message from a peer (a refusal names why one was rejected). */
  async answer(message: unknown): Promise<unknown> {
    const reply = await answer(this.gossiper, this.transport, message);
    this.collectEvents();
    this.saveTree();
    try {
      this.saved.saveMembersIfJoined(this.others);
    } catch (error) {
      // The peer is answered all the same: a refused call would make it suspect a healthy
      // node. The chunks stay marked changed, so the round's save tries them again.
      this.deps.shell.storageErrors++;
      console.error(`${this.record.cluster}/${this.record.node}: could not save membership`, error);
    }
    return reply;
  }

  // ---------------------------------------------------------------- owner writes

  /** Writes a key: checks every limit, stores the row, then changes memory. */
  setKey(key: string, value: string): number {
    const self = this.gossiper.self;
    const everyone: Array<[string, KeyEntries]> = [];
    for (const name of this.gossiper.memberNames()) {
      const state = this.gossiper.stateOf(name);
      if (state) everyone.push([name, state.keys]);
    }
    this.limits.check(self.name, self.keys, everyone, key, value);
    const version = self.nextVersion();
    // Stored first, with no await before memory changes: the reply waits for the row.
    this.deps.store.writing("ownKeys", () => this.deps.store.putOwnKey(key, value, version, null));
    return this.gossiper.setKey(key, value);
  }

  /** Deletes a key (a tombstone); null when it did not exist. Stored before memory changes. */
  deleteKey(key: string): number | null {
    const self = this.gossiper.self;
    const current = self.keys.get(key);
    if (!current || current.value === null) return null;
    const version = self.nextVersion();
    this.deps.store.writing("ownKeys", () => this.deps.store.putOwnKey(key, null, version, Date.now()));
    return this.gossiper.deleteKey(key);
  }

  // ---------------------------------------------------------------- hosted agents

  /**
   * An agent's heartbeat at this node: checks names, limits and keys, saves the agent's row,
   * then lets the core register, take over, revive or just time it. Pushes what changed.
   */
  agentHeartbeat(agent: string, heartbeat: AgentHeartbeat): AgentClaim {
    const { gossiper } = this;
    const updates = heartbeat.state ?? {};
    if (agent === gossiper.name || gossiper.isPeer(agent))
      throw new NodeError("name_taken", `${agent} is a node of this cluster; an agent needs another name`);
    if (!gossiper.isHosted(agent) || gossiper.statusOf(agent) === "left") this.checkAgentRoom(agent);
    const keys = new Map<string, { value: string | null; version: number }>(
      gossiper.stateOf(agent)?.keys ?? [],
    );
    const everyone = this.everyoneKeys();
    for (const [key, value] of Object.entries(updates)) {
      checkKey(key);
      checkValue(value);
      this.limits.check(agent, keys, everyone, key, value);
      keys.set(key, { value, version: 0 });
    }
    let claim: HostedClaim;
    try {
      claim = gossiper.hostHeartbeat(agent, heartbeat.intervalMs, updates, (row, changed) => {
        const savedAt = this.agentSavedAt.get(agent) ?? 0;
        // A hosted agent's row is saved on every change of its claim or keys, for heartbeats
        // alone sparingly (see agent-saves.ts for how a wake-up judges it then).
        if (!changed && row.lastHeartbeat - savedAt < agentSaveEveryMs(row.intervalMs)) return;
        // Stored first, with no await before memory changes: the reply waits for the row.
        this.deps.store.saveHosted(row);
        this.agentSavedAt.set(agent, row.lastHeartbeat);
      });
    } catch (error) {
      if (error instanceof RangeError) throw new NodeError("name_taken", error.message);
      throw error;
    }
    this.spreadNow();
    return this.agentClaim(agent, claim);
  }

  /** An agent's graceful leave, announced from here (its home, or any node when the home is gone). */
  agentLeave(agent: string): AgentClaim {
    const claim = this.gossiper.leaveHosted(agent, (row) => {
      this.deps.store.saveHosted(row);
      this.agentSavedAt.set(agent, Date.now());
    });
    if (!claim) throw new NodeError("unknown_agent", `no agent ${agent} is known at ${this.gossiper.name}`);
    this.spreadNow();
    return this.agentClaim(agent, claim);
  }

  private agentClaim(agent: string, claim: HostedClaim): AgentClaim {
    const { cluster, node } = this.record;
    return {
      cluster,
      agent,
      node,
      generation: claim.generation,
      incarnation: claim.incarnation,
      status: claim.status,
      outcome: claim.outcome,
    };
  }

  /**
   * A new agent must fit the per-node and the cluster-wide maxima. Agents that are alive or
   * suspect count against MAX_AGENTS_PER_CLUSTER; those dead or left, still remembered until
   * their grace ends, against MAX_DEPARTED_AGENTS_PER_CLUSTER, so agents that register and
   * leave cannot grow the membership without bound inside the grace windows.
   */
  private checkAgentRoom(agent: string): void {
    const { gossiper } = this;
    let hosted = 0;
    for (const name of gossiper.hostedNames()) if (gossiper.statusOf(name) !== "left") hosted++;
    if (hosted >= MAX_AGENTS_PER_NODE)
      throw new NodeError(
        "too_many_agents",
        `node ${gossiper.name} hosts ${hosted} agents, its maximum; pass another node, or let some leave`,
      );
    let live = 0;
    let departed = 0;
    for (const member of gossiper.view()) {
      if (member.kind !== "agent" || member.node === agent) continue;
      if (member.status === "dead" || member.status === "left") departed++;
      else live++;
    }
    if (live >= MAX_AGENTS_PER_CLUSTER)
      throw new NodeError(
        "too_many_agents",
        `the cluster has ${live} agents, its maximum of ${MAX_AGENTS_PER_CLUSTER}`,
      );
    if (departed >= MAX_DEPARTED_AGENTS_PER_CLUSTER)
      throw new NodeError(
        "too_many_departed_agents",
        `the cluster still remembers ${departed} agents that left or died, its maximum of ${MAX_DEPARTED_AGENTS_PER_CLUSTER}; ` +
          "each is forgotten when its grace ends (leftGraceMs, deadGraceMs): retry later",
      );
  }

  private everyoneKeys(): Array<[string, KeyEntries]> {
    const everyone: Array<[string, KeyEntries]> = [];
    for (const name of this.gossiper.memberNames()) {
      const state = this.gossiper.stateOf(name);
      if (state) everyone.push([name, state.keys]);
    }
    return everyone;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Announces `left` and saves it: the node stops its loop; peers hear it pushed and by exchanges. */
  announceLeave(): void {
    const { gossiper, record, deps } = this;
    gossiper.leave();
    flush(gossiper, this.transport);
    record.heartbeat = gossiper.self.heartbeat;
    record.selfStatus = "left";
    record.running = false;
    deps.store.saveNode(record);
    this.collectEvents();
  }

  /** Stops as if crashed: no more rounds, exchanges refused, state kept for a restart. */
  /** Its cluster's own registry lists it now (registration.ts listInCluster): saved, never asked again. */
  markListed(): void {
    this.record.listed = true;
    this.deps.store.saveNode(this.record);
  }

  markStopped(): void {
    this.record.running = false;
    this.deps.store.saveNode(this.record);
  }

  /** What the next generation takes over (see Inheritance). */
  bequeath(): Inheritance {
    this.collectEvents();
    const self = this.gossiper.self;
    const live = [...self.keys].filter(([key, entry]) => entry.value !== null && !isReservedKey(key));
    live.sort((a, b) => a[1].version - b[1].version);
    const region = self.get(REGION_KEY);
    return {
      ...(region === undefined ? {} : { region }),
      keys: live.map(([key, entry]) => [key, entry.value as string]),
      maxVersion: self.maxVersion,
      graves: this.others.graves(),
      retired: addCounters(this.retired, this.gossiper.counters),
    };
  }

  // ---------------------------------------------------------------- events, saves, views

  /** Moves the core's events to the log and marks the nodes they concern as changed. */
  collectEvents(): void {
    const events = this.gossiper.drainEvents();
    if (events.length === 0) return;
    this.deps.log.append(events);
    for (const event of events) {
      this.tally.note(event.node);
      if (event.node !== this.gossiper.name) this.saved.note(event);
    }
  }

  /**
   * Saves what changed after a round: own status and collected tombstones at once (rare),
   * then what changed of the others (see saved-others.ts). Heartbeats alone are never saved.
   */
  private afterRound(): void {
    const { record, gossiper, deps } = this;
    this.collectEvents();
    let nodeChanged = false;
    if (gossiper.self.gcVersion > record.gcVersion) {
      deps.store.dropOwnTombstones(gossiper.self.gcVersion);
      record.gcVersion = gossiper.self.gcVersion;
      nodeChanged = true;
    }
    if (gossiper.status !== record.selfStatus) {
      record.selfStatus = gossiper.status;
      nodeChanged = true;
    }
    if (nodeChanged) deps.store.saveNode(record);
    const agents = gossiper.takeHostedChanges();
    for (const row of agents.save) {
      deps.store.saveHosted(row);
      // The heartbeat the row holds: the next one that far past it is saved (agent-saves.ts).
      this.agentSavedAt.set(row.state.name, row.lastHeartbeat);
    }
    for (const name of agents.drop) {
      if (gossiper.isHosted(name)) continue;
      deps.store.deleteHosted(name);
      this.agentSavedAt.delete(name);
    }
    this.saveTree();
    const every = this.settings.options.snapshotEveryMs;
    deps.shell.storageErrors += this.saved.save(this.others, Date.now(), every);
  }

  /** The others as SavedOthers saves them. */
  private readonly others: OthersSource = {
    members: (): MemberRow[] => this.gossiper.membership(),
    graves: () => this.gossiper.graves(),
    keysOf: (name) => {
      const state = this.gossiper.stateOf(name);
      // Hosted agents have their own rows (hosted_agents), written when they change.
      const has =
        state &&
        name !== this.gossiper.name &&
        !this.gossiper.isHosted(name) &&
        (state.maxVersion > 0 || state.keys.size > 0);
      return has ? state.snapshot() : null;
    },
  };

  /** Every member this node knows, itself included, sorted by name. */
  memberViews(): MemberView[] {
    this.collectEvents();
    return this.gossiper.view();
  }

  /** Who this node is and how it runs: what a view and a brief both begin with. */
  private identity(): Pick<NodeView, "cluster" | "node" | "running" | "generation" | "status"> {
    const { record, gossiper } = this;
    return {
      cluster: record.cluster,
      node: record.node,
      running: record.running,
      generation: gossiper.generation,
      status: gossiper.status,
    };
  }

  /** The view in brief, from the tally: no view is built (the digest only when asked). */
  brief(withDigest: boolean, activeMs: number): NodeBrief {
    const { gossiper } = this;
    this.collectEvents();
    const self = gossiper.memberView(gossiper.name) as MemberView;
    const counters = this.counters(activeMs);
    return {
      ...this.identity(),
      heartbeat: self.heartbeat,
      maxVersion: self.maxVersion,
      ...(self.region === undefined ? {} : { region: self.region }),
      ...this.tally.read(this.tallySource, gossiper.name),
      rounds: counters.rounds,
      alarmsRun: counters.alarmsRun,
      wakeRounds: gossiper.wakeRounds(),
      counters: { ...counters, agentsHosted: gossiper.hostedNames().length },
      ...(withDigest ? { digest: gossiper.digest() } : {}),
      at: Date.now(),
    };
  }

  /** Members as the view shows what the fingerprint covers of them, read one by one. */
  private readonly tallySource: TallySource = {
    names: () => this.gossiper.memberNames(),
    entry: (name) => {
      const state = this.gossiper.stateOf(name);
      const status = this.gossiper.statusOf(name);
      if (!state || !status) return undefined;
      return { node: name, generation: state.generation, maxVersion: state.maxVersion, status };
    },
  };

  view(activeMs: number): NodeView {
    const { settings, gossiper } = this;
    this.collectEvents();
    return {
      ...this.identity(),
      self: gossiper.memberView(gossiper.name) as NodeView["self"],
      members: gossiper.view(),
      seeds: [...gossiper.seeds],
      config: gossiper.config,
      options: settings.options,
      counters: this.counters(activeMs),
      digest: gossiper.digest(),
      wakeRounds: gossiper.wakeRounds(),
      at: Date.now(),
    };
  }

  private counters(activeMs: number): NodeCounters {
    const core = addCounters(this.retired, this.gossiper.counters);
    const { rowsWritten, rowsByReason: rows } = this.deps.store;
    return {
      ...core,
      ...this.deps.shell,
      activeMs,
      storageRowsWritten: rowsWritten,
      storageRowsAlarm: rows.alarm,
      storageRowsHeartbeat: rows.heartbeat,
      storageRowsOwnKeys: rows.ownKeys,
      storageRowsLifecycle: rows.lifecycle,
      storageRowsMembership: rows.membership,
      storageRowsPeerKeys: rows.peerKeys,
    };
  }
}

/** The sum of two sets of core counters (`earlier` may be none), as a new record. */
export function addCounters(earlier: CoreCounters | null, current: CoreCounters): CoreCounters {
  const sum = { ...current };
  if (earlier) for (const key of Object.keys(sum) as Array<keyof CoreCounters>) sum[key] += earlier[key] ?? 0;
  return sum;
}
