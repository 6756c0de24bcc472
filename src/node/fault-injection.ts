/**
 * The fault-injection RPCs of a gossip node (hang, evict, lost alarm), on top of NodeShell's
 * machinery: the failures the bench, the dashboard and the tests cause on purpose. GossipNode
 * (gossip-node.ts) adds the rest of the RPC surface.
 */
import { NodeShell } from "./node-shell.js";
import type { NodeView } from "./rpc-types.js";

/** How long after answering `evict` (or a deregistration) the object resets itself: the reply leaves first. */
export const EVICT_DELAY_MS = 10;

export abstract class FaultInjection extends NodeShell {
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
}
