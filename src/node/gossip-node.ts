/**
 * The GossipNode Durable Object: one gossip node of one cluster, addressed as
 * `<cluster>/<node>`. It runs the protocol core (Gossiper) and gives it what it lacks:
 * - time: each alarm runs one round and the next alarm is armed before the round starts, so
 *   no failure inside a round can end the loop;
 * - a network: peers are other GossipNodes reached over RPC (StubTransport);
 * - memory that survives hibernation: SQLite (NodeStore), rebuilt in the constructor.
 * A wake-up is not a restart: same generation, heartbeat still moving forward (see
 * heartbeat-floor.ts). Only configure/start begin a new generation.
 */
import { DurableObject } from "cloudflare:workers";
import {
  type CoreCounters,
  exchange,
  Gossiper,
  type GossiperSnapshot,
  gossipRound,
  LEFT_KEY,
  NodeState,
  sample,
  USER_KEY_PATTERN,
} from "../core/index.js";
import type { Env } from "../env.js";
import { ActiveTime } from "./active-time.js";
import { EventLog } from "./event-log.js";
import { heartbeatFloor } from "./heartbeat-floor.js";
import { EVENT_LOG_CAPACITY, MAX_OWN_ENTRIES, MAX_USER_KEYS, MAX_VALUE_LENGTH } from "./limits.js";
import { type MembersPage, type MembersQuery, membersPage } from "./members-query.js";
import { NodeError } from "./node-error.js";
import { type NodeRecord, NodeStore } from "./node-store.js";
import type { EventsPage, GossipNodeRpc, NodeCounters, NodeView, StartRequest } from "./rpc-types.js";
import { restoreOthers, SavedOthers } from "./saved-others.js";
import { type NodeSettings, resolveSettings } from "./start-request.js";
import { type PeerStub, type Refusal, StubTransport } from "./stub-transport.js";

/** Counters of the shell (the core keeps its own). Memory only: they restart on wake-up. */
type ShellCounters = Pick<
  NodeCounters,
  | "alarmsRun"
  | "roundErrors"
  | "exchangesAttempted"
  | "exchangesSucceeded"
  | "rpcCallsMade"
  | "rpcCallsAnswered"
>;

/** Rounds allowed to overlap (slow peers); beyond that an alarm only re-arms. */
const MAX_ROUNDS_IN_FLIGHT = 2;

/** Test hooks, set through `runInDurableObject`. Not reachable over RPC. */
export interface NodeFaults {
  /** The next this-many rounds throw before doing anything. */
  failRounds: number;
  /** The next this-many configure calls throw before changing anything. */
  failConfigures: number;
}

export class GossipNode extends DurableObject<Env> implements GossipNodeRpc {
  readonly faults: NodeFaults = { failRounds: 0, failConfigures: 0 };
  private readonly store: NodeStore;
  private readonly log = new EventLog(EVENT_LOG_CAPACITY, Date.now());
  /** Time spent inside alarm() and RPC handlers (see active-time.ts for what it misses). */
  private readonly active = new ActiveTime();
  private readonly shell: ShellCounters = {
    alarmsRun: 0,
    roundErrors: 0,
    exchangesAttempted: 0,
    exchangesSucceeded: 0,
    rpcCallsMade: 0,
    rpcCallsAnswered: 0,
  };
  /** Core counters of gossipers replaced by a new generation, so totals keep growing. */
  private readonly retired: CoreCounters[] = [];
  private settings: NodeSettings | null = null;
  private record: NodeRecord | null = null;
  private gossiper: Gossiper | null = null;
  private transport: StubTransport | null = null;
  /** What is saved of the other nodes, and when (see saved-others.ts). */
  private readonly saved: SavedOthers;
  private roundsInFlight = 0;
  /** Bumped by configure/start/stop/leave: work begun under an older epoch stops at its next await. */
  private epoch = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new NodeStore(ctx.storage);
    this.saved = new SavedOthers(this.store);
    ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      this.restore(await this.store.alarmAt());
    });
  }

  // ================================================================ RPC: lifecycle

  /** Liveness probe. */
  async ping(): Promise<string> {
    return this.answer(async () => "pong");
  }

  async configure(request: StartRequest): Promise<NodeView> {
    return this.answer(async () => {
      if (this.faults.failConfigures > 0) {
        this.faults.failConfigures--;
        throw new Error("injected configure failure");
      }
      const settings = resolveSettings(request);
      if (this.record && (this.record.cluster !== settings.cluster || this.record.node !== settings.node)) {
        throw new NodeError("invalid_config", `this object is ${this.record.cluster}/${this.record.node}`);
      }
      // Register first: if the registry is unreachable nothing has changed here.
      await this.env.CLUSTER_REGISTRY.getByName("registry").register(settings.cluster, [settings.node]);
      this.beginGeneration(settings);
      await this.armFirstRound();
      return this.viewNow();
    });
  }

  async start(): Promise<NodeView> {
    return this.answer(async () => {
      const { settings, record } = this.configured();
      if (record.running) return this.viewNow();
      this.beginGeneration(settings);
      await this.armFirstRound();
      return this.viewNow();
    });
  }

  /** Stops as if crashed: no more rounds, exchanges refused, state kept for start(). */
  async stop(): Promise<NodeView> {
    return this.answer(async () => {
      const { record } = this.configured();
      if (record.running) {
        this.epoch++;
        record.running = false;
        this.store.saveNode(record);
        await this.store.disarmAlarm();
      }
      return this.viewNow();
    });
  }

  /** Announces `left`, tells a few peers at once, then stops the loop. */
  async leave(): Promise<NodeView> {
    return this.answer(async () => {
      const { record, gossiper } = this.configured();
      if (gossiper.status === "left") return this.viewNow();
      if (!record.running)
        throw new NodeError("stopped", "a stopped node cannot announce a leave; start it first");
      this.epoch++;
      gossiper.leave();
      const left = gossiper.self.keys.get(LEFT_KEY);
      if (left) this.store.putOwnKey(LEFT_KEY, left.value, left.version, null);
      record.heartbeat = gossiper.self.heartbeat;
      record.selfStatus = "left";
      record.running = false;
      this.store.saveNode(record);
      this.collectEvents();
      await this.store.disarmAlarm();
      // Two short waves of exchanges, like two rounds, so the news starts spreading now.
      const reachable = this.reachablePeers(gossiper);
      const fanout = gossiper.config.fanout;
      const chosen = sample(Math.random, reachable, 2 * fanout);
      await this.exchangeWith(gossiper, chosen.slice(0, fanout));
      await this.exchangeWith(gossiper, chosen.slice(fanout));
      return this.viewNow();
    });
  }

  /** Re-arms the loop of a configured running node whose alarm is missing. */
  async ensureRunning(): Promise<boolean> {
    return this.answer(async () => {
      if (!this.record?.running || !this.gossiper) return false;
      if ((await this.store.alarmAt()) !== null) return false;
      if (!this.record?.running) return false;
      await this.armFirstRound();
      return true;
    });
  }

  // ================================================================ RPC: state

  async setKey(key: string, value: string): Promise<{ version: number }> {
    return this.answer(async () => {
      const gossiper = this.writable();
      checkKey(key);
      if (typeof value !== "string" || value.length > MAX_VALUE_LENGTH) {
        throw new NodeError(
          "invalid_value",
          `value must be a string of at most ${MAX_VALUE_LENGTH} characters`,
        );
      }
      const current = gossiper.self.keys.get(key);
      if (!current || current.value === null) {
        const { live, total } = ownKeyCounts(gossiper.self);
        if (live >= MAX_USER_KEYS)
          throw new NodeError("too_many_keys", `a node holds at most ${MAX_USER_KEYS} keys`);
        if (!current && total >= MAX_OWN_ENTRIES) {
          throw new NodeError("too_many_keys", "too many recently deleted keys; retry later");
        }
      }
      const version = gossiper.setKey(key, value);
      // No await between the write and the reply: the output gate holds the reply until stored.
      this.store.writing("ownKeys", () => this.store.putOwnKey(key, value, version, null));
      this.spreadNow(gossiper);
      return { version };
    });
  }

  async deleteKey(key: string): Promise<{ version: number | null }> {
    return this.answer(async () => {
      const gossiper = this.writable();
      checkKey(key);
      const now = Date.now();
      const version = gossiper.deleteKey(key);
      if (version === null) return { version: null };
      this.store.writing("ownKeys", () => this.store.putOwnKey(key, null, version, now));
      this.spreadNow(gossiper);
      return { version };
    });
  }

  // ================================================================ RPC: reads

  async view(): Promise<NodeView | null> {
    return this.answer(async () => (this.gossiper ? this.viewNow() : null));
  }

  async events(since: number): Promise<EventsPage> {
    return this.answer(async () => {
      this.collectEvents();
      return this.log.since(typeof since === "number" ? since : 0);
    });
  }

  /** The directory as this node sees it; refused (stopped, left) when its view is not current. */
  async members(query: MembersQuery): Promise<MembersPage> {
    return this.answer(async () => {
      const { cluster, node } = this.configured().record;
      return membersPage(this.writable().view(), query, { cluster, from: node, at: Date.now() });
    });
  }

  // ================================================================ RPC: peers

  async exchange(syn: unknown): Promise<unknown> {
    return this.answer(async () => {
      const gossiper = this.gossiper;
      if (!gossiper || !this.record?.running) return refusal(gossiper ? "stopped" : "not_configured");
      const answer = gossiper.handleSyn(syn);
      this.collectEvents();
      if ("ok" in answer) return refusal(`rejected: ${answer.reason}`);
      return answer;
    });
  }

  async ack(message: unknown): Promise<void> {
    return this.answer(async () => {
      const gossiper = this.gossiper;
      if (!gossiper || !this.record?.running) return;
      gossiper.handleAck(message);
      this.collectEvents();
    });
  }

  // ================================================================ the loop

  override async alarm(): Promise<void> {
    this.shell.alarmsRun++;
    await this.active.track(() => this.runAlarm());
  }

  private async runAlarm(): Promise<void> {
    const { record, gossiper, transport } = this;
    if (!record?.running || !gossiper || !transport) return; // a late alarm after stop: let it lapse
    const epoch = this.epoch;
    const startedAt = Date.now();
    try {
      // The next round is armed first: whatever happens below, the loop goes on.
      await this.store.armAlarm(this.nextRoundAt(startedAt));
    } catch (error) {
      this.shell.roundErrors++;
      console.error(`${record.cluster}/${record.node}: could not arm the next round`, error);
      throw error; // let the runtime retry the alarm
    }
    if (epoch !== this.epoch || this.roundsInFlight >= MAX_ROUNDS_IN_FLIGHT) return;
    this.roundsInFlight++;
    try {
      if (this.faults.failRounds > 0) {
        this.faults.failRounds--;
        throw new Error("injected round failure");
      }
      const floor = heartbeatFloor(startedAt, record.startedAt, gossiper.config.intervalMs);
      const next = Math.max(gossiper.self.heartbeat + 1, floor);
      if (next > floor) {
        // Ahead of the clock (an early or repeated alarm): save it before anyone sees it.
        record.heartbeat = next;
        this.store.writing("heartbeat", () => this.store.saveNode(record));
      }
      const report = await gossipRound(gossiper, transport, floor);
      this.shell.exchangesAttempted += report.peers.length;
      this.shell.exchangesSucceeded += report.succeeded;
      if (epoch === this.epoch) this.afterRound();
    } catch (error) {
      this.shell.roundErrors++;
      console.warn(`${record.cluster}/${record.node}: round failed`, error);
    } finally {
      this.roundsInFlight--;
    }
  }

  // ================================================================ internals: generations

  /**
   * Rebuilds the node from storage (constructor, after eviction or hibernation). `alarmAt` is
   * the pending alarm, if any: the last round began at least one interval before it.
   */
  private restore(alarmAt: number | null): void {
    const record = this.store.loadNode();
    if (!record) return;
    const settings = resolveSettings({
      cluster: record.cluster,
      node: record.node,
      seeds: record.seeds,
      config: record.configInput,
      options: record.optionsInput,
    });
    const now = Date.now();
    const keys = this.store.loadOwnKeys();
    let maxVersion = record.gcVersion;
    for (const [, , version] of keys) maxVersion = Math.max(maxVersion, version);
    // The floor at the last round's start: at or above every heartbeat it emitted, and one
    // below the floor of the next round, which therefore costs no row (see heartbeat-floor.ts).
    const interval = settings.config.intervalMs;
    // The pending alarm was armed `interval * (1 + jitter)` after the last round began; with no
    // alarm (this wake-up is its delivery, or the node is stopped) that round is an interval ago.
    const lastRoundAt = (alarmAt ?? now) - interval;
    const floor = heartbeatFloor(lastRoundAt, record.startedAt, interval);
    const snapshot: GossiperSnapshot = {
      cluster: record.cluster,
      self: {
        name: record.node,
        generation: record.generation,
        heartbeat: Math.max(record.heartbeat, floor),
        maxVersion,
        gcVersion: record.gcVersion,
        keys,
      },
      ...restoreOthers(this.store),
      selfStatus: record.selfStatus,
    };
    this.settings = settings;
    this.record = record;
    this.gossiper = Gossiper.restore(snapshot, {
      cluster: record.cluster,
      config: settings.config,
      seeds: settings.seeds,
      clock: Date.now,
      rng: Math.random,
    });
    this.transport = this.makeTransport(settings);
    this.saved.restored(now);
  }

  /**
   * Starts a new generation: fresh membership (from the seeds), the node's own live keys
   * re-announced under the new generation (a crash must not lose acknowledged writes).
   */
  private beginGeneration(settings: NodeSettings): void {
    const now = Date.now();
    const generation = Math.max(now, (this.record?.generation ?? 0) + 1);
    const self = new NodeState(settings.node, generation);
    if (this.gossiper) {
      this.collectEvents();
      const live = [...this.gossiper.self.keys].filter(
        ([key, entry]) => entry.value !== null && !key.startsWith("~"),
      );
      live.sort((a, b) => a[1].version - b[1].version);
      for (const [key, entry] of live) self.set(key, entry.value as string);
      this.retired.push(this.gossiper.counters);
    }
    this.epoch++;
    this.settings = settings;
    this.gossiper = new Gossiper(
      {
        cluster: settings.cluster,
        name: settings.node,
        generation,
        config: settings.config,
        seeds: settings.seeds,
        clock: Date.now,
        rng: Math.random,
      },
      self,
    );
    this.transport = this.makeTransport(settings);
    this.record = {
      cluster: settings.cluster,
      node: settings.node,
      seeds: settings.seeds,
      configInput: settings.configInput,
      optionsInput: settings.optionsInput,
      generation,
      startedAt: now,
      heartbeat: 0,
      selfStatus: this.gossiper.status,
      running: true,
      gcVersion: 0,
    };
    this.store.saveNode(this.record);
    this.store.replaceOwnKeys(
      [...self.keys].map(([key, entry]) => [key, entry.value as string, entry.version]),
    );
    this.store.clearOthers();
    this.saved.reset(); // the first change is saved at once, later ones throttled
  }

  private async armFirstRound(): Promise<void> {
    const interval = this.gossiper?.config.intervalMs ?? 1000;
    // A random phase so nodes started together do not gossip in lockstep.
    await this.store.armAlarm(Date.now() + Math.random() * interval);
  }

  private nextRoundAt(now: number): number {
    const config = (this.gossiper as Gossiper).config;
    return now + config.intervalMs * (1 + config.jitter * Math.random());
  }

  private makeTransport(settings: NodeSettings): StubTransport {
    const namespace = this.env.GOSSIP_NODE;
    return new StubTransport({
      connect: (peer) =>
        namespace.get(namespace.idFromName(`${settings.cluster}/${peer}`)) as unknown as PeerStub,
      timeoutMs: settings.options.rpcTimeoutMs,
      onCall: () => {
        this.shell.rpcCallsMade++;
      },
    });
  }

  // ================================================================ internals: gossip

  /** Members worth contacting outside a round (not dead, not left). */
  private reachablePeers(gossiper: Gossiper): string[] {
    const out: string[] = [];
    for (const [name, record] of gossiper.members) {
      if (record.status !== "dead" && record.status !== "left") out.push(name);
    }
    return out;
  }

  /** Exchanges with these peers concurrently, outside a round (no heartbeat bump). */
  private async exchangeWith(gossiper: Gossiper, peers: string[]): Promise<void> {
    const transport = this.transport as StubTransport;
    const results = await Promise.all(
      peers.map((peer) => exchange(gossiper, transport, peer, gossiper.makeSyn())),
    );
    this.shell.exchangesAttempted += peers.length;
    this.shell.exchangesSucceeded += results.filter(Boolean).length;
    if (gossiper === this.gossiper) this.collectEvents();
  }

  /** With `rumor` on, pushes a fresh local write to `fanout` peers without waiting for a round. */
  private spreadNow(gossiper: Gossiper): void {
    if (!this.settings?.options.rumor) return;
    const peers = sample(Math.random, this.reachablePeers(gossiper), gossiper.config.fanout);
    if (peers.length > 0) this.ctx.waitUntil(this.exchangeWith(gossiper, peers));
  }

  /** Moves the core's events to the log and marks the nodes they concern as changed. */
  private collectEvents(): void {
    const gossiper = this.gossiper;
    if (!gossiper) return;
    const events = gossiper.drainEvents();
    if (events.length === 0) return;
    this.log.append(events);
    for (const event of events) if (event.node !== gossiper.name) this.saved.note(event);
  }

  /**
   * Saves what changed after a round: own status and collected tombstones at once (rare),
   * then what changed of the others (membership at once, statuses and keys throttled; see
   * saved-others.ts). Heartbeats alone are never saved.
   */
  private afterRound(): void {
    const { record, gossiper, settings } = this;
    if (!record || !gossiper || !settings) return;
    this.collectEvents();
    const now = Date.now();
    let nodeChanged = false;
    if (gossiper.self.gcVersion > record.gcVersion) {
      this.store.dropOwnTombstones(gossiper.self.gcVersion);
      record.gcVersion = gossiper.self.gcVersion;
      nodeChanged = true;
    }
    if (gossiper.status !== record.selfStatus) {
      record.selfStatus = gossiper.status;
      nodeChanged = true;
    }
    if (nodeChanged) this.store.saveNode(record);
    this.saved.save(gossiper, now, settings.options.snapshotEveryMs);
  }

  // ================================================================ internals: views and guards

  /** Runs an RPC handler: counts the call and the time it keeps the object busy. */
  private answer<T>(handle: () => Promise<T>): Promise<T> {
    this.shell.rpcCallsAnswered++;
    return this.active.track(handle);
  }

  private configured(): { settings: NodeSettings; record: NodeRecord; gossiper: Gossiper } {
    const { settings, record, gossiper } = this;
    if (!settings || !record || !gossiper)
      throw new NodeError("not_configured", "this node was never configured");
    return { settings, record, gossiper };
  }

  /** The gossiper, when this node may take writes. */
  private writable(): Gossiper {
    const { record, gossiper } = this.configured();
    if (gossiper.status === "left")
      throw new NodeError("left", "this node left the cluster; start it to rejoin");
    if (!record.running) throw new NodeError("stopped", "this node is stopped; start it first");
    return gossiper;
  }

  private viewNow(): NodeView {
    const { settings, record, gossiper } = this.configured();
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
      counters: this.countersNow(gossiper),
      digest: gossiper.state.digest(),
      at: Date.now(),
    };
  }

  private countersNow(gossiper: Gossiper): NodeCounters {
    const core = { ...gossiper.counters };
    for (const old of this.retired) {
      for (const key of Object.keys(core) as Array<keyof CoreCounters>) core[key] += old[key];
    }
    const rows = this.store.rowsByReason;
    return {
      ...core,
      ...this.shell,
      activeMs: this.active.nowMs(),
      storageRowsWritten: this.store.rowsWritten,
      storageRowsAlarm: rows.alarm,
      storageRowsHeartbeat: rows.heartbeat,
      storageRowsOwnKeys: rows.ownKeys,
      storageRowsLifecycle: rows.lifecycle,
      storageRowsMembership: rows.membership,
      storageRowsPeerKeys: rows.peerKeys,
    };
  }
}

function refusal(reason: string): Refusal {
  return { t: "refused", reason };
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || !USER_KEY_PATTERN.test(key)) {
    throw new NodeError("invalid_key", "key must be 1..128 characters of [A-Za-z0-9._:-]");
  }
}

/** Live user keys and all own entries (tombstones included), reserved `~` keys excluded. */
function ownKeyCounts(self: NodeState): { live: number; total: number } {
  let live = 0;
  let total = 0;
  for (const [key, entry] of self.keys) {
    if (key.startsWith("~")) continue;
    total++;
    if (entry.value !== null) live++;
  }
  return { live, total };
}
