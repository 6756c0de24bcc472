/**
 * The Hono app behind the Worker's fetch handler: secure headers on every response, CORS for
 * reads, a body-size cap, the API routes, `GET /openapi.json`, and one error shape for
 * everything that goes wrong (`{"error": {"code", "message"}}`, never a stack trace). The
 * dashboard is not here: it is static files in public/, served by Workers Static Assets.
 */
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import { forgetSummaries } from "./cluster-summary.js";
import { forgetMembersPages } from "./directory-query.js";
import { errorBody, handleError, handleNotFound } from "./errors.js";
import { createApp, errors } from "./openapi.js";
import { agentRoutes } from "./routes/agents.js";
import { clusterRoutes } from "./routes/clusters.js";
import { eventRoutes } from "./routes/events.js";
import { memberRoutes } from "./routes/members.js";
import { metaRoutes } from "./routes/meta.js";
import { metricsRoutes } from "./routes/metrics.js";
import { nodeRoutes } from "./routes/nodes.js";
import { ownerRoutes } from "./routes/owners.js";
import { tokenRoutes } from "./routes/tokens.js";
import { watchRoutes } from "./routes/watch.js";
import { MAX_BODY_BYTES } from "./schemas.js";
import { accessFor, honoPath, OPENED_BY } from "./scopes.js";

export const app = createApp();

app.use(
  "*",
  secureHeaders({
    // The API answers JSON only: nothing in a response may load, run or be framed. (The
    // dashboard's own policy is in public/_headers.)
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: "DENY",
    overwrite: false,
  }),
);

// Reads may come from any origin; the preflight allows no method that changes anything.
app.use(
  "/v1/*",
  cors({
    origin: "*",
    allowMethods: ["GET", "HEAD", "OPTIONS"],
    allowHeaders: ["Authorization", "Last-Event-ID"],
    maxAge: 600,
  }),
);

app.use(
  "/v1/*",
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) =>
      c.json(errorBody("payload_too_large", `request body is larger than ${MAX_BODY_BYTES} bytes`), 413),
  }),
);

// A change made through this isolate drops the cluster's cached pages: the next read sees it.
// (Mutating methods only: reads, event streams among them, pass by untouched.)
app.on(["POST", "PUT", "DELETE"], "/v1/clusters/:cluster/*", async (c, next) => {
  await next();
  const cluster = c.req.param("cluster");
  forgetSummaries(cluster);
  forgetMembersPages(cluster);
});

app.route("/", metaRoutes);
app.route("/", clusterRoutes);
app.route("/", nodeRoutes);
app.route("/", eventRoutes);
app.route("/", watchRoutes);
app.route("/", memberRoutes);
app.route("/", agentRoutes);
app.route("/", tokenRoutes);
app.route("/", metricsRoutes);
app.route("/", ownerRoutes);

app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
  type: "http",
  scheme: "bearer",
  description:
    "API_TOKEN (the admin) for every call; READ_TOKEN for reads when it is set; or a scoped token from `POST /v1/tokens`, which opens the routes whose `x-hearsay-scopes` list its scope, on its own cluster only.",
});

/** The document's top level: what `GET /openapi.json` serves and scripts/openapi.ts writes. */
const OPENAPI_CONFIG: Parameters<typeof app.getOpenAPIDocument>[0] = {
  openapi: "3.0.3",
  info: {
    title: "hearsay",
    version: "1",
    description:
      'A gossip mesh on Durable Objects. Errors are `{"error": {"code", "message"}}`. Mutating calls need `Authorization: Bearer <API_TOKEN>` or a scoped token whose scope the operation lists in `x-hearsay-scopes`; reads need a token only when the server sets READ_TOKEN.',
    license: { name: "MIT" },
  },
  servers: [
    { url: "http://127.0.0.1:8787", description: "Local: `npm start` (wrangler dev)" },
    {
      url: "https://hearsay.{subdomain}.workers.dev",
      description: "Deployed with `npm run deploy`",
      variables: { subdomain: { default: "example", description: "Your workers.dev subdomain." } },
    },
  ],
};

/**
 * The OpenAPI document, generated from the routes' zod schemas. Each guarded operation states
 * what it needs from the rule table in scopes.ts: `x-hearsay-access` (admin, write, agent or
 * read), `x-hearsay-scopes`, the token scopes that open it, and the 403 a scoped token may meet.
 */
export function openApiDocument() {
  const doc = app.getOpenAPIDocument(OPENAPI_CONFIG);
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries(item ?? {})) {
      if (typeof operation !== "object" || operation === null || !("responses" in operation)) continue;
      if (Array.isArray(operation.security) && operation.security.length === 0) continue;
      const access = accessFor(method, honoPath(path));
      Object.assign(operation, { "x-hearsay-access": access, "x-hearsay-scopes": [...OPENED_BY[access]] });
      // Any guarded call may meet a scoped token that does not open it.
      operation.responses["403"] ??= {
        description: errors[403].description,
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      };
    }
  }
  return doc;
}

app.get("/openapi.json", (c) => c.json(openApiDocument()));

app.onError(handleError);
app.notFound(handleNotFound);
