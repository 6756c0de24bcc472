/**
 * hearsay's own Worker entry, built from the `hearsay/worker` pieces (src/worker.ts): HTTP
 * through the Hono app, the Durable Object classes for the runtime, the HearsayService
 * entrypoint for service bindings, and a cron-driven scheduled() that keeps configured nodes
 * running.
 */
import type { Env } from "./env.js";
import { hearsayApi, keepNodesRunning } from "./worker.js";

export { ClusterRegistry, GossipNode, HearsayService } from "./worker.js";

/** Cron tick (every minute, see wrangler.toml): re-arms configured nodes whose alarms were lost. */
async function scheduled(_controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  await keepNodesRunning(env);
}

export default {
  fetch: hearsayApi.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
