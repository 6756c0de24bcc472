/**
 * The Worker entry: HTTP through the Hono app, the GossipNode class for the
 * runtime, the HearsayService entrypoint for service bindings, and a cron-driven
 * scheduled() that keeps configured nodes running.
 */
import { app } from "./api/app.js";
import type { Env } from "./env.js";
import { keepNodesRunning } from "./node/keeper.js";

export { HearsayService } from "./api/service.js";
export { ClusterRegistry } from "./node/cluster-registry.js";
export { GossipNode } from "./node/gossip-node.js";

/** Cron tick (every minute, see wrangler.toml): re-arms configured nodes whose alarms were lost. */
async function scheduled(_controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  await keepNodesRunning(env);
}

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
