/**
 * The GossipNode Durable Object: one gossip node of one cluster, addressed as
 * `<cluster>/<node>`. A thin RPC adapter around one state field (`life`, see lifecycle.ts):
 * - time: each alarm runs one round and the next alarm is armed before the round starts, so
 *   no failure inside a round can end the loop;
 * - the node itself (core, transport, limits, saves) is a NodeRuntime (node-runtime.ts);
 * - memory that survives hibernation: SQLite (NodeStore), read back in the constructor
 *   (generations.ts). A wake-up is not a restart; only configure/start begin a generation.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { ActiveTime } from "./active-time.js";
import { REGISTRY_NAME } from "./cluster-registry.js";
import { EventLog } from "./event-log.js";
import { newGeneration, restoreRuntime } from "./generations.js";
import { type Lifecycle, lifecycleOf, UNCONFIGURED } from "./lifecycle.js";
import { EVENT_LOG_CAPACITY } from "./limits.js";
import { type MembersPage, type MembersQuery, membersPage } from "./members-query.js";
import { NodeError } from "./node-error.js";
import { LEAVE_WAVES, type NodeRuntime, newShellCounters, type RuntimeDeps } from "./node-runtime.js";
import { NodeStore, type StoreFaults } from "./node-store.js";
import type { EventsPage, GossipNodeRpc, NodeView, StartRequest } from "./rpc-types.js";
import { type NodeSettings, resolveSettings, sameRequest } from "./start-request.js";
import { type PeerStub, refusal } from "./stub-transport.js";
import { checkKey, checkValue } from "./write-checks.js";

/** Longest a hung node holds a peer's message before it refuses it (its caller timed out long before). */
const HANG_LIMIT_MS = 30_000;

/** Rounds allowed to overlap (slow peers); beyond that an alarm only re-arms. */
const MAX_ROUNDS_IN_FLIGHT = 2;

/** How long after answering `evict` the object resets itself (the reply leaves first). */
const EVICT_DELAY_MS = 10;

/** Test hooks, set through `runInDurableObject`. Not reachable over RPC. */
export interface NodeFaults extends StoreFaults {
  /** The next this-many rounds throw before doing anything. */
  failRounds: number;
  /** The next this-many configure calls throw before changing anything. */
  failConfigures: number;
}

export class GossipNode extends DurableObject<Env> implements GossipNodeRpc {
  readonly faults: NodeFaults = {
    failRounds: 0,
    failConfigures: 0,
    failOwnKeyWrites: 0,
    failPeerKeyRows: [],
  };
  private readonly store: NodeStore;
  /** Time spent inside alarm() and RPC handlers (see active-time.ts for what it misses). */
  private readonly active = new ActiveTime();
  private readonly deps: RuntimeDeps;
  private life: Lifecycle = UNCONFIGURED;
  private roundsInFlight = 0;
  /** Bumped by configure/start/stop/leave: work begun under an older epoch stops at its next await. */
  private epoch = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new NodeStore(ctx.storage, this.faults);
    this.deps = {
      store: this.store,
      log: new EventLog(EVENT_LOG_CAPACITY, Date.now()),
      shell: newShellCounters(),
      connect: (cluster, peer) => env.GOSSIP_NODE.getByName(`${cluster}/${peer}`) as unknown as PeerStub,
      keepAlive: (work) => ctx.waitUntil(work),
    };
    ctx.blockConcurrencyWhile(async () => {
      if (!this.store.exists()) return; // never configured: stay so, and store nothing
      this.store.migrate();
      this.life = lifecycleOf(restoreRuntime(this.store, this.deps, await this.store.alarmAt()));
    });
  }

  // ================================================================ RPC: lifecycle

  /** Liveness probe. */
  async ping(): Promise<string> {
    return this.answer(async () => "pong");
  }

  /** Starts a new generation; an unchanged request on a running node is a retry of the last. */
  async configure(request: StartRequest): Promise<NodeView> {
    return this.answer(async () => {
      if (this.faults.failConfigures > 0) {
        this.faults.failConfigures--;
        throw new Error("injected configure failure");
      }
      const settings = resolveSettings(request);
      const life = this.life;
      if (life.state !== "unconfigured") {
        const { cluster, node } = life.node.record;
        if (cluster !== settings.cluster || node !== settings.node) {
          throw new NodeError("invalid_config", `this object is ${cluster}/${node}`);
        }
        if (life.state === "running" && sameRequest(life.node.settings, settings))
          return this.viewOf(life.node);
      }
      // Register first: if the registry is unreachable nothing has changed here.
      await this.env.CLUSTER_REGISTRY.getByName(REGISTRY_NAME).register(settings.cluster, [settings.node]);
      this.store.migrate(); // the first configure creates the tables
      return this.begin(settings);
    });
  }

  async start(): Promise<NodeView> {
    return this.answer(async () => {
      const node = this.configured();
      const life = this.life;
      if (life.state === "running") return this.viewOf(node);
      if (life.state === "hung") {
        // A frozen machine that comes back: same generation, loop resumed.
        life.release();
        this.epoch++;
        this.life = { state: "running", node };
        await this.armFirstRound(node);
        return this.viewOf(node);
      }
      return this.begin(node.settings);
    });
  }

  /** Stops as if crashed: no more rounds, exchanges refused, state kept for start(). */
  async stop(): Promise<NodeView> {
    return this.answer(async () => {
      const node = this.configured();
      if (this.life.state === "hung") this.life.release();
      if (this.life.state === "running" || this.life.state === "hung") {
        this.epoch++;
        node.markStopped();
        this.life = { state: "stopped", node };
        await this.store.disarmAlarm();
      }
      return this.viewOf(node);
    });
  }

  /**
   * Fault injection: freezes the node as a hung machine or a partition would. No rounds; peers'
   * messages are never answered (each waits until `start` or HANG_LIMIT_MS, and its caller times
   * out first). `start` resumes the same generation: peers that declared it dead see it refute.
   */
  async hang(): Promise<NodeView> {
    return this.answer(async () => {
      const node = this.configured();
      if (this.life.state === "running") {
        this.epoch++;
        let release = () => {};
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        this.life = { state: "hung", node, release, released };
        await this.store.disarmAlarm();
      }
      return this.viewOf(node);
    });
  }

  /**
   * Fault injection: drops this object's memory as hibernation or a host restart would
   * (`ctx.abort()`), storage kept. Whatever was in flight here fails; the next call or alarm
   * runs the constructor again, which rebuilds the node from storage (a wake-up, not a
   * restart). The reset happens as this call ends, so the caller hears an answer first.
   */
  async evict(): Promise<{ evicted: true }> {
    return this.answer(async () => {
      // After the reply is on its way: an abort inside the call would fail the call itself.
      setTimeout(() => this.ctx.abort("fault injection: evicted"), EVICT_DELAY_MS);
      return { evicted: true as const };
    });
  }

  /**
   * Fault injection: deletes the pending alarm, as a lost alarm would (a failed retry chain, an
   * operator's mistake). The node stays `running` and answers peers, but runs no rounds until
   * the cron keeper (`ensureRunning`) re-arms it, or a start/restart does. `deleted` tells
   * whether an alarm was pending.
   */
  async deleteAlarm(): Promise<{ deleted: boolean }> {
    return this.answer(async () => {
      this.configured();
      const pending = await this.store.alarmAt();
      if (pending !== null) await this.store.disarmAlarm();
      return { deleted: pending !== null };
    });
  }

  /**
   * Announces `left`, stops the loop and tells peers at once. Answers only once a peer took
   * the news (or there was no one to tell); otherwise `leave_unconfirmed`, and may be retried.
   */
  async leave(): Promise<NodeView> {
    return this.answer(async () => {
      const node = this.configured();
      const life = this.life;
      if (life.state === "left" && life.confirmed) return this.viewOf(node);
      if (life.state === "stopped" || life.state === "hung")
        throw new NodeError("stopped", `a ${life.state} node cannot announce a leave; start it first`);
      if (life.state === "running") {
        this.epoch++;
        node.announceLeave();
        this.life = { state: "left", node, confirmed: false };
        await this.store.disarmAlarm();
      }
      const confirmed = await node.spreadLeave();
      if (this.life.state === "left" && this.life.node === node)
        this.life = { state: "left", node, confirmed };
      if (!confirmed) {
        throw new NodeError(
          "leave_unconfirmed",
          `no peer took the leave after ${LEAVE_WAVES} waves of exchanges; call leave again`,
        );
      }
      return this.viewOf(node);
    });
  }

  /** Re-arms the loop of a configured running node whose alarm is missing. */
  async ensureRunning(): Promise<boolean> {
    return this.answer(async () => {
      if (this.life.state !== "running") return false;
      if ((await this.store.alarmAt()) !== null) return false;
      if (this.life.state !== "running") return false;
      await this.armFirstRound(this.life.node);
      return true;
    });
  }

  // ================================================================ RPC: state

  async setKey(key: string, value: string): Promise<{ version: number }> {
    return this.answer(async () => {
      const node = this.writable();
      checkKey(key);
      checkValue(value);
      const version = node.setKey(key, value);
      node.spreadNow();
      return { version };
    });
  }

  async deleteKey(key: string): Promise<{ version: number | null }> {
    return this.answer(async () => {
      const node = this.writable();
      checkKey(key);
      const version = node.deleteKey(key);
      if (version !== null) node.spreadNow();
      return { version };
    });
  }

  // ================================================================ RPC: reads

  async view(): Promise<NodeView | null> {
    return this.answer(async () => (this.life.state === "unconfigured" ? null : this.viewOf(this.life.node)));
  }

  async events(since: number): Promise<EventsPage> {
    return this.answer(async () => {
      if (this.life.state !== "unconfigured") this.life.node.collectEvents();
      return this.deps.log.since(typeof since === "number" ? since : 0);
    });
  }

  /** The directory as this node sees it; refused (stopped, left) when its view is not current. */
  async members(query: MembersQuery): Promise<MembersPage> {
    return this.answer(async () => {
      const { cluster, node } = this.configured().record;
      return membersPage(this.writable().memberViews(), query, { cluster, from: node, at: Date.now() });
    });
  }

  // ================================================================ RPC: peers

  /** Any protocol message from a peer (probe, ping-req, exchange, push); answered from memory. */
  async gossip(message: unknown): Promise<unknown> {
    return this.answer(async () => {
      const life = this.life;
      if (life.state === "hung") {
        await Promise.race([life.released, new Promise((resolve) => setTimeout(resolve, HANG_LIMIT_MS))]);
        return refusal("hung");
      }
      if (life.state !== "running")
        return refusal(life.state === "unconfigured" ? "not_configured" : "stopped");
      return life.node.answer(message);
    });
  }

  /** Protocol v1's exchange, during a deploy: refused, so the old peer counts a failed exchange. */
  async exchange(_syn: unknown): Promise<unknown> {
    return this.answer(async () => refusal("protocol v1 is no longer spoken; this node speaks v2"));
  }

  /** Protocol v1's final ack, during a deploy: ignored. */
  async ack(_message: unknown): Promise<void> {
    return this.answer(async () => undefined);
  }

  // ================================================================ the loop

  override async alarm(): Promise<void> {
    this.deps.shell.alarmsRun++;
    await this.active.track(() => this.runAlarm());
  }

  private async runAlarm(): Promise<void> {
    const life = this.life;
    if (life.state !== "running") return; // a late alarm after stop: let it lapse
    const node = life.node;
    const epoch = this.epoch;
    const startedAt = Date.now();
    try {
      // The next round is armed first: whatever happens below, the loop goes on.
      await this.store.armAlarm(node.nextRoundAt(startedAt));
    } catch (error) {
      this.deps.shell.roundErrors++;
      console.error(`${node.record.cluster}/${node.record.node}: could not arm the next round`, error);
      throw error; // let the runtime retry the alarm
    }
    if (epoch !== this.epoch || this.roundsInFlight >= MAX_ROUNDS_IN_FLIGHT) return;
    this.roundsInFlight++;
    try {
      if (this.faults.failRounds > 0) {
        this.faults.failRounds--;
        throw new Error("injected round failure");
      }
      await node.round(startedAt, () => epoch === this.epoch);
    } catch (error) {
      this.deps.shell.roundErrors++;
      console.warn(`${node.record.cluster}/${node.record.node}: round failed`, error);
    } finally {
      this.roundsInFlight--;
    }
  }

  // ================================================================ internals

  /** Begins a new generation with these settings and arms its first round. */
  private async begin(settings: NodeSettings): Promise<NodeView> {
    const previous = this.life.state === "unconfigured" ? null : this.life.node;
    this.epoch++;
    const node = newGeneration(settings, previous, this.deps);
    this.life = { state: "running", node };
    await this.armFirstRound(node);
    return this.viewOf(node);
  }

  private async armFirstRound(node: NodeRuntime): Promise<void> {
    // A random phase so nodes started together do not gossip in lockstep.
    await this.store.armAlarm(Date.now() + Math.random() * node.intervalMs);
  }

  /** Runs an RPC handler: counts the call and the time it keeps the object busy. */
  private answer<T>(handle: () => Promise<T>): Promise<T> {
    this.deps.shell.rpcCallsAnswered++;
    return this.active.track(handle);
  }

  private configured(): NodeRuntime {
    if (this.life.state === "unconfigured")
      throw new NodeError("not_configured", "this node was never configured");
    return this.life.node;
  }

  /** The runtime, when this node may take writes. */
  private writable(): NodeRuntime {
    const node = this.configured();
    if (this.life.state === "left")
      throw new NodeError("left", "this node left the cluster; start it to rejoin");
    if (this.life.state !== "running")
      throw new NodeError("stopped", `this node is ${this.life.state}; start it first`);
    return node;
  }

  private viewOf(node: NodeRuntime): NodeView {
    return node.view(this.active.nowMs());
  }
}
