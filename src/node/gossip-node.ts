/**
 * The GossipNode Durable Object: one gossip node of one cluster, addressed as
 * `<cluster>/<node>`. A thin RPC adapter: each method checks its input and calls the node's
 * runtime (node-runtime.ts) through the lifecycle state held by NodeShell (node-shell.ts). A
 * wake-up is not a restart; only configure and start (from stopped) begin a generation. The
 * registry learns of every change of whether the node runs (registration.ts), so the cron
 * keeper visits running nodes only.
 */

import { EVICT_DELAY_MS, FaultInjection } from "./fault-injection.js";
import { UNCONFIGURED } from "./lifecycle.js";
import { AGENT_INTERVAL_MAX_MS, AGENT_INTERVAL_MIN_MS, NAME_PATTERN } from "./limits.js";
import { type MembersPage, type MembersQuery, membersPage } from "./members-query.js";
import type { NodeBrief } from "./node-brief.js";
import { NodeError } from "./node-error.js";
import { LEAVE_WAVES } from "./node-runtime.js";
import { type OwnersAnswer, type OwnersQuery, ownersAnswer } from "./owners-query.js";
import { markNotRunning, markRunning } from "./registration.js";
import type {
  AgentClaim,
  AgentHeartbeat,
  EventsPage,
  GossipNodeRpc,
  NodeView,
  StartRequest,
} from "./rpc-types.js";
import { resolveSettings, sameRequest } from "./start-request.js";
import { refusal } from "./stub-transport.js";
import { checkKey, checkValue } from "./write-checks.js";

export type { NodeFaults } from "./node-shell.js";

/** Longest a hung node holds a peer's message before it refuses it (its caller timed out long before). */
const HANG_LIMIT_MS = 30_000;

export class GossipNode extends FaultInjection implements GossipNodeRpc {
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
      await markRunning(this.env, settings.cluster, settings.node);
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
      // Registered as running first: if the registry is unreachable nothing has changed here.
      await markRunning(this.env, node.record.cluster, node.record.node);
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
        this.watchers.closeAll("stopped");
        await this.store.disarmAlarm();
        await markNotRunning(this.env, node.record.cluster, node.record.node);
      }
      return this.viewOf(node);
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
        this.watchers.closeAll("left");
        await this.store.disarmAlarm();
        await markNotRunning(this.env, node.record.cluster, node.record.node);
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

  /**
   * Re-arms the loop of a configured running node whose alarm is missing. A stopped or left
   * node the keeper still visits tells the registry it does not run (an earlier notice failed,
   * or the registry predates the running flag), so it is not visited again.
   */
  async ensureRunning(): Promise<boolean> {
    return this.answer(async () => {
      const life = this.life;
      if (life.state === "stopped" || life.state === "left")
        await markNotRunning(this.env, life.node.record.cluster, life.node.record.node);
      if (this.life.state !== "running") return false;
      if ((await this.store.alarmAt()) !== null) return false;
      if (this.life.state !== "running") return false;
      await this.armFirstRound(this.life.node);
      return true;
    });
  }

  /**
   * Deregistration's part here: stops the node and deletes everything it stored, the alarm
   * included, then drops its memory as the answer leaves (as `evict` does), so the object is
   * as if never configured: reads answer null, peers' messages are refused and they come to
   * see it dead. The caller removes it from the registry afterwards. Idempotent: on a node
   * never configured (or already deregistered) it deletes nothing and answers false.
   */
  async deregister(): Promise<{ deregistered: boolean }> {
    return this.answer(async () => {
      const life = this.life;
      if (life.state === "unconfigured") return { deregistered: false };
      if (life.state === "hung") life.release();
      this.epoch++;
      this.life = UNCONFIGURED;
      this.watchers.closeAll("deregistered");
      await this.store.disarmAlarm();
      await this.ctx.storage.deleteAll();
      setTimeout(() => this.ctx.abort("deregistered"), EVICT_DELAY_MS);
      return { deregistered: true };
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

  // ================================================================ RPC: agents

  /** An agent's heartbeat: this node becomes or stays its home. */
  async agentHeartbeat(agent: string, heartbeat: AgentHeartbeat): Promise<AgentClaim> {
    return this.answer(async () => {
      const node = this.writable();
      checkAgentName(agent);
      const intervalMs = heartbeat?.intervalMs;
      if (
        typeof intervalMs !== "number" ||
        !Number.isInteger(intervalMs) ||
        intervalMs < AGENT_INTERVAL_MIN_MS ||
        intervalMs > AGENT_INTERVAL_MAX_MS
      ) {
        throw new NodeError(
          "invalid_config",
          `intervalMs must be an integer in ${AGENT_INTERVAL_MIN_MS}..${AGENT_INTERVAL_MAX_MS}`,
        );
      }
      const state = heartbeat.state;
      if (state !== undefined && (typeof state !== "object" || state === null || Array.isArray(state)))
        throw new NodeError("invalid_value", "state must be an object of string values");
      return node.agentHeartbeat(agent, { intervalMs, ...(state ? { state } : {}) });
    });
  }

  /** An agent's graceful leave, announced from this node. */
  async agentLeave(agent: string): Promise<AgentClaim> {
    return this.answer(async () => {
      const node = this.writable();
      checkAgentName(agent);
      return node.agentLeave(agent);
    });
  }

  // ================================================================ RPC: reads

  async view(): Promise<NodeView | null> {
    return this.answer(async () => (this.life.state === "unconfigured" ? null : this.viewOf(this.life.node)));
  }

  /** The view in brief (counts and a fingerprint; see node-brief.ts); null when never configured. */
  async brief(withDigest: boolean): Promise<NodeBrief | null> {
    return this.answer(async () =>
      this.life.state === "unconfigured"
        ? null
        : this.life.node.brief(withDigest === true, this.active.nowMs()),
    );
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

  /** Who owns each key in this node's view; refused (stopped, left) when its view is not current. */
  async owners(query: OwnersQuery): Promise<OwnersAnswer> {
    return this.answer(async () => {
      const { cluster, node } = this.configured().record;
      return ownersAnswer(this.writable().memberViews(), query, { cluster, from: node, at: Date.now() });
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
      this.deps.shell.peerCallsAnswered++;
      return life.node.answer(message);
    });
  }
}

function checkAgentName(agent: unknown): asserts agent is string {
  if (typeof agent !== "string" || !NAME_PATTERN.test(agent))
    throw new NodeError("invalid_key", `an agent's name must match ${NAME_PATTERN.source}`);
}
