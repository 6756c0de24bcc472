/**
 * The machinery under the GossipNode Durable Object: its one state field (`life`, see
 * lifecycle.ts), storage read back in the constructor (generations.ts), the alarm loop (the
 * next round is armed before a round starts, so no failure inside a round ends the loop), new
 * generations, the guards every RPC handler goes through, and the watchers' WebSockets
 * (`fetch` and the hibernation handlers, see watchers.ts). gossip-node.ts adds only the RPC
 * surface on top of it.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { ActiveTime } from "./active-time.js";
import { EventLog } from "./event-ring.js";
import { newGeneration, restoreRuntime } from "./generations.js";
import { type Lifecycle, lifecycleOf, UNCONFIGURED } from "./lifecycle.js";
import { EVENT_LOG_CAPACITY } from "./limits.js";
import { NodeError } from "./node-error.js";
import { type NodeRuntime, newShellCounters, type RuntimeDeps } from "./node-runtime.js";
import { NodeStore, type StoreFaults } from "./node-store.js";
import { listInCluster } from "./registration.js";
import type { NodeView } from "./rpc-types.js";
import type { NodeSettings } from "./start-request.js";
import { Watchers } from "./watchers.js";

/** Rounds allowed to overlap (slow peers); beyond that an alarm only re-arms. */
const MAX_ROUNDS_IN_FLIGHT = 2;

/** Resolves when `work` settles or at time `at` (ms since the epoch; null: when `work` settles), whichever is first. */
async function untilOrAt(work: Promise<void>, at: number | null): Promise<void> {
  if (at === null) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const due = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, at - Date.now()));
  });
  try {
    await Promise.race([work, due]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** Test hooks, set through `runInDurableObject`. Not reachable over RPC. */
export interface NodeFaults extends StoreFaults {
  /** The next this-many rounds throw before doing anything. */
  failRounds: number;
  /** The next this-many configure calls throw before changing anything. */
  failConfigures: number;
}

export abstract class NodeShell extends DurableObject<Env> {
  readonly faults: NodeFaults = {
    failRounds: 0,
    failConfigures: 0,
    failOwnKeyWrites: 0,
    failPeerKeyRows: [],
    failMemberChunkSaves: 0,
  };
  protected readonly store: NodeStore;
  /** Time spent inside alarm() and RPC handlers (see active-time.ts for what it misses). */
  protected readonly active = new ActiveTime();
  protected readonly deps: RuntimeDeps;
  /** The WebSockets of `GET .../watch`, held through hibernation. */
  readonly watchers: Watchers;
  protected life: Lifecycle = UNCONFIGURED;
  private roundsInFlight = 0;
  /** Bumped by configure/start/stop/leave: work begun under an older epoch stops at its next await. */
  protected epoch = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new NodeStore(ctx.storage, this.faults);
    const watchers = new Watchers(ctx, env.MAX_WATCHERS_PER_NODE);
    this.watchers = watchers;
    this.deps = {
      store: this.store,
      log: new EventLog(EVENT_LOG_CAPACITY, Date.now(), (events) => watchers.send(events)),
      shell: newShellCounters(),
      connect: (cluster, peer) => env.GOSSIP_NODE.getByName(`${cluster}/${peer}`),
      keepAlive: (work) => ctx.waitUntil(work),
    };
    ctx.blockConcurrencyWhile(async () => {
      if (!this.store.exists()) return; // never configured: stay so, and store nothing
      this.store.migrate();
      this.life = lifecycleOf(restoreRuntime(this.store, this.deps, await this.store.alarmAt()));
    });
  }

  // ================================================================ the loop

  override async alarm(): Promise<void> {
    this.deps.shell.alarmsRun++;
    const due = this.store.armedAt;
    if (due !== null) this.deps.shell.alarmLateMs += Math.max(0, Date.now() - due);
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
    const round = this.runRound(node, startedAt, epoch);
    // The runtime runs one alarm at a time: an alarm armed while alarm() runs waits until it
    // returns. A round still waiting on a slow or hung peer (a hung probe takes its direct and
    // indirect timeouts, a second or more) must not hold back the next round, so alarm()
    // returns by the time the next round is due and the round goes on, kept alive, until its
    // probes end (at most MAX_ROUNDS_IN_FLIGHT at once).
    this.deps.keepAlive(round);
    await untilOrAt(round, this.store.armedAt);
  }

  /** One round and what follows it; never throws (a failed round is counted, the loop goes on). */
  private async runRound(node: NodeRuntime, startedAt: number, epoch: number): Promise<void> {
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
    const { cluster, node: name, listed } = node.record;
    if (
      !listed &&
      epoch === this.epoch &&
      (await listInCluster(this.env, cluster, name)) &&
      epoch === this.epoch
    )
      node.markListed();
    // The round may have made the node busy (a probe failed): its next wake comes sooner.
    if (epoch === this.epoch) await this.wakeSoonerIfDue();
  }

  // ================================================================ watchers

  /**
   * The only HTTP the node answers: a watcher's upgrade (the Worker forwards
   * `GET .../nodes/:node/watch` here after its auth and registry checks). A refusal is the
   * NodeError's shape as JSON (the API gives it its status); a node never configured has
   * nothing to watch (`not_configured`, a 404 to the API's clients).
   */
  override async fetch(request: Request): Promise<Response> {
    return this.answer(async () => {
      try {
        const node = this.configured();
        const response = this.watchers.accept(request, (since) => {
          node.collectEvents();
          return this.deps.log.since(since);
        });
        this.deps.shell.watchersAccepted++;
        return response;
      } catch (error) {
        if (!(error instanceof NodeError)) throw error;
        return Response.json({ error: { code: error.code, message: error.detail } }, { status: 400 });
      }
    });
  }

  /** A watcher's message other than the keepalive (which the runtime answers): counted, ignored. */
  override async webSocketMessage(): Promise<void> {
    this.deps.shell.watchMessagesReceived++;
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    this.watchers.closed(socket, code, reason);
  }

  // ================================================================ internals

  /** Begins a new generation with these settings and arms its first round. */
  protected async begin(settings: NodeSettings): Promise<NodeView> {
    const previous = this.life.state === "unconfigured" ? null : this.life.node;
    this.epoch++;
    const node = newGeneration(settings, previous, this.deps);
    this.life = { state: "running", node };
    await this.armFirstRound(node);
    return this.viewOf(node);
  }

  protected async armFirstRound(node: NodeRuntime): Promise<void> {
    // A random phase so nodes started together do not gossip in lockstep.
    await this.store.armAlarm(Date.now() + Math.random() * node.intervalMs);
  }

  /**
   * Runs an RPC handler: counts the call and the time it keeps the object busy. A call that
   * made the node busy between wakes (a suspicion heard, an agent taken in, a change) brings
   * its next wake forward.
   */
  protected async answer<T>(handle: () => Promise<T>): Promise<T> {
    this.deps.shell.rpcCallsAnswered++;
    const result = await this.active.track(handle);
    await this.wakeSoonerIfDue();
    return result;
  }

  /** Re-arms the alarm sooner when it is later than the node's next wake may be. */
  private async wakeSoonerIfDue(): Promise<void> {
    const life = this.life;
    const armedAt = this.store.armedAt;
    if (life.state !== "running" || armedAt === null) return;
    const now = Date.now();
    if (armedAt <= life.node.latestWake(now)) return;
    try {
      this.deps.shell.wakesBroughtForward++;
      await this.store.armAlarm(life.node.nextRoundAt(now));
    } catch (error) {
      this.deps.shell.roundErrors++;
      console.warn(`${life.node.record.cluster}/${life.node.record.node}: could not wake sooner`, error);
    }
  }

  protected configured(): NodeRuntime {
    if (this.life.state === "unconfigured")
      throw new NodeError("not_configured", "this node was never configured");
    return this.life.node;
  }

  /** The runtime, when this node may take writes. */
  protected writable(): NodeRuntime {
    const node = this.configured();
    if (this.life.state === "left")
      throw new NodeError("left", "this node left the cluster; start it to rejoin");
    if (this.life.state !== "running")
      throw new NodeError("stopped", `this node is ${this.life.state}; start it first`);
    return node;
  }

  protected viewOf(node: NodeRuntime): NodeView {
    return node.view(this.active.nowMs());
  }
}
