/**
 * Routes about the Worker itself: liveness, and the OpenAPI document generated from the same
 * zod schemas that validate every request.
 */
import { createRoute } from "@hono/zod-openapi";
import { createApp, jsonResponse } from "../openapi.js";
import { HealthResponse } from "../responses.js";

export const metaRoutes = createApp();

metaRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/health",
    tags: ["meta"],
    operationId: "health",
    summary: "Liveness of the Worker",
    security: [],
    description: "Always public; does not touch any Durable Object.",
    responses: { 200: jsonResponse(HealthResponse, "The Worker answers.") },
  }),
  (c) => c.json({ ok: true as const }, 200),
);
