/**
 * The Worker serves only the API: the dashboard is static files (public/) that Workers Static
 * Assets serves before the Worker runs, so inside workerd (`exports.default.fetch` reaches the
 * Worker alone, never the assets) the page's paths are the API's JSON 404, and API responses
 * carry the API's own strict headers. The files as served, with their CSP from public/_headers,
 * are checked against `wrangler dev` in test/e2e/dashboard.test.ts.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const BASE = "http://hearsay.test";
const get = (path: string) => exports.default.fetch(`${BASE}${path}`);

// The first request loads the whole Worker into workerd, which is slow on a busy machine.
describe("the Worker and the dashboard", { timeout: 30_000 }, () => {
  it("has no dashboard routes of its own", async () => {
    for (const path of ["/", "/dashboard.js", "/dashboard.css"]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toMatchObject({ error: { code: "not_found" } });
    }
  });

  it("answers the API with a policy that lets nothing load, run or frame it", async () => {
    const res = await get("/v1/health");
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
