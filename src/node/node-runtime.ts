/**
 * One configured node at run time: its settings, its saved record, the protocol core
 * (Gossiper) and the transport to its peers. This is the only module of the shell that drives
 * the core (rounds, exchanges, owner writes, leave, views), so a change of the core's API is
 * made here alone. Writes follow one rule: the row is stored before memory changes, so a
 * failed store leaves nothing to gossip and no version to reuse after a wake-up.
 */
import {
  type CoreCounters,
  exchange,
  Gossiper,
  type GossiperSnapshot,
  gossipRound,
  LEFT_KEY,
  sample,
} from "../core/index.js";
import type { EventLog } from "./event-log.js";
import { heartbeatFloor } from "./heartbeat-floor.js";
import type { GraveRecord, MemberRow, NodeRecord, NodeStore } from "./node-store.js";
import type { NodeCounters, NodeView } from "./rpc-types.js";
import { type OthersSource, SavedOthers } from "./saved-others.js";
import type { NodeSettings } from "./start-request.js";
import { type PeerStub, StubTransport } from "./stub-transport.js";
import { type KeyEntries, WriteLimits } from "./write-limits.js";

/** Counters of the shell (the core keeps its own). Memory only: they restart on wake-up. */
export type ShellCounters = Pick<
  NodeCounters,
  | "alarmsRun"
  | "roundErrors"
  | "exchangesAttempted"
  | "exchangesSucceeded"
  | "rpcCallsMade"
  | "rpcCallsAnswered"
  | "storageErrors"
>;

export function newShellCounters(): ShellCounters {
  return {
    alarmsRun: 0,
    roundErrors: 0,
    exchangesAttempted: 0,
    exchangesSucceeded: 0,
    rpcCallsMade: 0,
    rpcCallsAnswered: 0,
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
}

/** What a new generation takes over from the one it replaces. */
export interface Inheritance {
  /** Live user keys, oldest version first. */
  keys: Array<[key: string, value: string]>;
  /** The highest version the node ever gave out: new versions continue above it. */
  maxVersion: number;
  /** Forgotten members stay forgotten. */
  graves: GraveRecord[];
  /** Core counters of the generations before, so totals keep growing. */
  retired: CoreCounters[];
}

export class NodeRuntime {
  private readonly gossiper: Gossiper;
  private readonly transport: StubTransport;
  private readonly saved: SavedOthers;
  private readonly limits = new WriteLimits();

  constructor(
    readonly settings: NodeSettings,
    readonly record: NodeRecord,
    snapshot: GossiperSnapshot,
    private readonly deps: RuntimeDeps,
    private readonly retired: CoreCounters[],
  ) {
    this.gossiper = Gossiper.restore(snapshot, {
      cluster: settings.cluster,
      config: settings.config,
      seeds: settings.seeds,
      clock: Date.now,
      rng: Math.random,
    });
    this.transport = new StubTransport({
      connect: (peer) => deps.connect(settings.cluster, peer),
      timeoutMs: settings.options.rpcTimeoutMs,
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

  /** When the round after one begun at `now` is due. */
  nextRoundAt(now: number): number {
    const { intervalMs, jitter } = this.settings.config;
    return now + intervalMs * (1 + jitter * Math.random());
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
    const report = await gossipRound(gossiper, this.transport, floor);
    deps.shell.exchangesAttempted += report.peers.length;
    deps.shell.exchangesSucceeded += report.succeeded;
    if (current()) this.afterRound();
  }

  /** Up to `count` members worth contacting outside a round (not dead, not left). */
  pickPeers(count: number): string[] {
    const out: string[] = [];
    for (const [name, member] of this.gossiper.members) {
      if (member.status !== "dead" && member.status !== "left") out.push(name);
    }
    return sample(Math.random, out, count);
  }

  get fanout(): number {
    return this.gossiper.config.fanout;
  }

  /** Exchanges with these peers concurrently, outside a round; resolves to the successes. */
  async exchangeWith(peers: readonly string[]): Promise<number> {
    const { gossiper, transport } = this;
    const results = await Promise.all(
      peers.map((peer) => exchange(gossiper, transport, peer, gossiper.makeSyn())),
    );
    const succeeded = results.filter(Boolean).length;
    this.deps.shell.exchangesAttempted += peers.length;
    this.deps.shell.exchangesSucceeded += succeeded;
    this.collectEvents();
    return succeeded;
  }

  /** With `rumor` on, pushes a fresh local write to `fanout` peers without waiting for a round. */
  spreadNow(waitUntil: (work: Promise<unknown>) => void): void {
    if (!this.settings.options.rumor) return;
    const peers = this.pickPeers(this.fanout);
    if (peers.length > 0) waitUntil(this.exchangeWith(peers));
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

  /** Answers a peer's Syn; a string is the reason it was rejected. */
  answerSyn(syn: unknown): unknown {
    const answer = this.gossiper.handleSyn(syn);
    this.collectEvents();
    return "ok" in answer ? `rejected: ${answer.reason}` : answer;
  }

  takeAck(message: unknown): void {
    this.gossiper.handleAck(message);
    this.collectEvents();
  }

  // ---------------------------------------------------------------- owner writes

  /** Writes a key: checks every limit, stores the row, then changes memory. */
  setKey(key: string, value: string): number {
    const self = this.gossiper.self;
    const everyone = [...this.gossiper.state.nodes].map(([name, state]): [string, KeyEntries] => [
      name,
      state.keys,
    ]);
    this.limits.check(self.name, self.keys, everyone, key, value);
    const version = self.maxVersion + 1;
    // Stored first, with no await before memory changes: the reply waits for the row.
    this.deps.store.writing("ownKeys", () => this.deps.store.putOwnKey(key, value, version, null));
    return this.gossiper.setKey(key, value);
  }

  /** Deletes a key (a tombstone); null when it did not exist. Stored before memory changes. */
  deleteKey(key: string): number | null {
    const self = this.gossiper.self;
    const current = self.keys.get(key);
    if (!current || current.value === null) return null;
    const version = self.maxVersion + 1;
    this.deps.store.writing("ownKeys", () => this.deps.store.putOwnKey(key, null, version, Date.now()));
    return this.gossiper.deleteKey(key);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Announces `left` and saves it: the node stops its loop; peers learn it by exchanges. */
  announceLeave(): void {
    const { gossiper, record, deps } = this;
    const version = gossiper.self.maxVersion + 1;
    deps.store.putOwnKey(LEFT_KEY, "1", version, null);
    gossiper.leave();
    record.heartbeat = gossiper.self.heartbeat;
    record.selfStatus = "left";
    record.running = false;
    deps.store.saveNode(record);
    this.collectEvents();
  }

  /** Stops as if crashed: no more rounds, exchanges refused, state kept for a restart. */
  markStopped(): void {
    this.record.running = false;
    this.deps.store.saveNode(this.record);
  }

  /** What the next generation takes over (see Inheritance). */
  bequeath(): Inheritance {
    this.collectEvents();
    const self = this.gossiper.self;
    const live = [...self.keys].filter(([key, entry]) => entry.value !== null && !key.startsWith("~"));
    live.sort((a, b) => a[1].version - b[1].version);
    return {
      keys: live.map(([key, entry]) => [key, entry.value as string]),
      maxVersion: self.maxVersion,
      graves: this.others.graves(),
      retired: [...this.retired, { ...this.gossiper.counters }],
    };
  }

  // ---------------------------------------------------------------- events, saves, views

  /** Moves the core's events to the log and marks the nodes they concern as changed. */
  collectEvents(): void {
    const events = this.gossiper.drainEvents();
    if (events.length === 0) return;
    this.deps.log.append(events);
    for (const event of events) if (event.node !== this.gossiper.name) this.saved.note(event);
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
    const every = this.settings.options.snapshotEveryMs;
    deps.shell.storageErrors += this.saved.save(this.others, Date.now(), every);
  }

  /** The others as SavedOthers saves them. */
  private readonly others: OthersSource = {
    members: () => {
      const out: MemberRow[] = [];
      for (const [name, member] of this.gossiper.members) {
        const state = this.gossiper.state.get(name);
        if (!state) continue;
        const { generation, heartbeat } = state;
        out.push({ name, generation, heartbeat, status: member.status, since: member.since });
      }
      return out;
    },
    graves: () => [...this.gossiper.state.graveyard].map(([name, grave]) => ({ name, ...grave })),
    keysOf: (name) => {
      const state = this.gossiper.state.get(name);
      const has = state && this.gossiper.members.has(name) && (state.maxVersion > 0 || state.keys.size > 0);
      return has ? state.snapshot() : null;
    },
  };

  view(activeMs: number): NodeView {
    const { settings, record, gossiper } = this;
    this.collectEvents();
    return {
      cluster: record.cluster,
      node: record.node,
      running: record.running,
      generation: gossiper.generation,
      status: gossiper.status,
      self: gossiper.memberView(gossiper.name) as NodeView["self"],
      members: gossiper.view(),
      seeds: [...gossiper.seeds],
      config: gossiper.config,
      options: settings.options,
      counters: this.counters(activeMs),
      digest: gossiper.state.digest(),
      at: Date.now(),
    };
  }

  private counters(activeMs: number): NodeCounters {
    const core = { ...this.gossiper.counters };
    for (const old of this.retired) {
      for (const key of Object.keys(core) as Array<keyof CoreCounters>) core[key] += old[key];
    }
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
