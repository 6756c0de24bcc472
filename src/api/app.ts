/**
 * The Hono app behind the Worker's fetch handler: routes, validation, auth.
 * Placeholder with the health route only.
 */
import { Hono } from "hono";
import type { Env } from "../env.js";

export const app = new Hono<{ Bindings: Env }>();

app.get("/v1/health", (c) => c.json({ ok: true }));
