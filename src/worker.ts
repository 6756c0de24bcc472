/**
 * The `hearsay/worker` package entry: what a user's own Worker needs to host the mesh.
 * - `hearsayApi`: the HTTP API as a Hono sub-app, to mount with `app.route("/mesh", hearsayApi)`;
 * - `GossipNode` and `ClusterRegistry`: the Durable Object classes, to export from the Worker's
 *   main module under these names (bindings GOSSIP_NODE and CLUSTER_REGISTRY);
 * - `HearsayService`: the service-binding entrypoint, to export for other Workers;
 * - `keepNodesRunning`: what a cron `scheduled()` calls to re-arm nodes whose alarms were lost.
 * docs/embedding.md shows the wrangler.toml this needs. hearsay's own Worker (src/index.ts) is
 * built from the same pieces.
 */
export { app as hearsayApi, openApiDocument } from "./api/app.js";
export { HearsayService } from "./api/service.js";
export type { Env as HearsayEnv } from "./env.js";
export { ClusterRegistry } from "./node/cluster-registry.js";
export { GossipNode } from "./node/gossip-node.js";
export { type KeeperReport, keepNodesRunning } from "./node/keeper.js";
