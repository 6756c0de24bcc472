/**
 * The dashboard as a Hono sub-app: `GET /` serves the page and the other routes its script,
 * style and icon, all inlined as strings (no build step, no CDN, works offline). The page
 * talks to the public HTTP API only. Mount with `app.route("/", web)`.
 *
 * Headers are set per route, not with `web.use("*")`: sub-app middleware would also run for
 * every API route once mounted at "/".
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { etag } from "hono/etag";
import { type Asset, assets } from "./assets/index.js";
import { DASHBOARD_CSP } from "./csp.js";
import { pageHtml } from "./page.js";

export { DASHBOARD_CSP, dashboardCspDirectives } from "./csp.js";

export const web = new Hono();

function serve(c: Context, asset: Asset): Response {
  c.header("Content-Type", asset.type);
  // Revalidate every time (cheap with the ETag): a deploy shows up on the next reload.
  c.header("Cache-Control", "no-cache");
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
  return c.body(asset.body);
}

web.get("/", etag(), (c) => {
  c.header("Content-Security-Policy", DASHBOARD_CSP);
  c.header("X-Frame-Options", "DENY");
  return serve(c, { type: "text/html; charset=utf-8", body: pageHtml });
});

for (const [path, asset] of Object.entries(assets)) {
  web.get(path, etag(), (c) => serve(c, asset));
}
