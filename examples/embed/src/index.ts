/**
 * An example Worker of your own with the hearsay mesh inside it: its own routes at `/` and
 * `/backends`, the mesh's whole HTTP API mounted under `/mesh`, hearsay's Durable Object
 * classes and service entrypoint exported, and the keeper on a cron. `/backends` reads the
 * mesh with the typed client, dispatched in-process to the mounted API (no network hop).
 *
 *   GET /backends?cluster=demo   alive agents and their `endpoint`, as JSON
 *   /mesh/v1/...                 hearsay's API (docs/api.md), e.g. POST /mesh/v1/clusters/demo/bootstrap
 *
 * Outside this repository, install `hearsay` and `hono`; see docs/embedding.md.
 */
import { createClient, HearsayApiError } from "hearsay";
import {
  ClusterRegistry,
  GossipNode,
  type HearsayEnv,
  HearsayService,
  hearsayApi,
  keepNodesRunning,
} from "hearsay/worker";
import { Hono } from "hono";

export { ClusterRegistry, GossipNode, HearsayService };

/** Where the mesh is mounted. */
const MESH = "/mesh";

const app = new Hono<{ Bindings: HearsayEnv }>();

app.get("/", (c) =>
  c.text("An app of my own. The mesh answers under /mesh/v1/ (try /backends?cluster=demo)."),
);

app.get("/backends", async (c) => {
  const cluster = c.req.query("cluster") ?? "demo";
  const mesh = createClient({
    baseUrl: new URL(MESH, c.req.url).href,
    ...(c.env.READ_TOKEN ? { token: c.env.READ_TOKEN } : {}),
    fetch: (request) => Promise.resolve(app.fetch(new Request(request), c.env, c.executionCtx)),
  });
  try {
    const page = await mesh.membersAll(cluster, { status: "alive", kind: "agent", keys: "endpoint" });
    return c.json({
      cluster,
      from: page.from,
      backends: page.members.map((m) => ({ name: m.node, endpoint: m.state?.endpoint ?? null })),
    });
  } catch (error) {
    if (error instanceof HearsayApiError)
      return c.json(
        { error: { code: error.code, message: error.apiMessage } },
        error.status === 404 ? 404 : 502,
      );
    throw error;
  }
});

app.route(MESH, hearsayApi);

export default {
  fetch: app.fetch,
  async scheduled(_controller, env) {
    await keepNodesRunning(env);
  },
} satisfies ExportedHandler<HearsayEnv>;
