/**
 * The Worker entry: HTTP through the Hono app, the GossipNode class for the
 * runtime, and a cron-driven scheduled() that keeps configured nodes running.
 */
import { app } from "./api/app.js";
import type { Env } from "./env.js";

export { GossipNode } from "./node/gossip-node.js";

/** Cron tick (every minute, see wrangler.toml): will re-arm nodes whose alarms were lost. */
async function scheduled(_controller: ScheduledController, _env: Env, _ctx: ExecutionContext): Promise<void> {
  // TODO(node): wake configured nodes so a lost alarm never stops a cluster.
}

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
