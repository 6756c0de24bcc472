/**
 * The GossipNode Durable Object: one gossip node of one cluster.
 * Placeholder so the Worker builds; alarms, RPC and SQLite persistence land here.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";

export class GossipNode extends DurableObject<Env> {
  /** Liveness probe over RPC. */
  async ping(): Promise<string> {
    return "pong";
  }

  /** One gossip round per alarm (placeholder: does nothing yet). */
  override async alarm(): Promise<void> {}
}
