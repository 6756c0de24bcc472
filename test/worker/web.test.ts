/**
 * The dashboard as the Worker serves it: the page at `/` under a same-origin-only CSP with no
 * inline script or style, every script module it imports served as JavaScript, and cheap
 * revalidation. (The page in a real browser is test/e2e/dashboard.test.ts.)
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const BASE = "http://hearsay.test";
const get = (path: string, headers: Record<string, string> = {}) =>
  exports.default.fetch(`${BASE}${path}`, { headers });

// The first request loads the whole Worker into workerd, which is slow on a busy machine.
describe("dashboard routes", { timeout: 30_000 }, () => {
  it("serves the page with a CSP that allows only same-origin script and style", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/dashboard.js"></script>');
    // Nothing the CSP would block: no inline script bodies, no style attributes or elements.
    expect(html.match(/<script[^>]*>[^<]+<\/script>/g)).toBeNull();
    expect(html).not.toMatch(/\sstyle=|<style/);
  });

  it("labels every form control of the page", async () => {
    const html = await (await get("/")).text();
    const ids = [...html.matchAll(/<(?:input|select)[^>]*\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids) expect(html).toContain(`<label for="${id}">`);
  });

  it("serves every module the entry script imports, as JavaScript", async () => {
    const seen = new Set<string>();
    const queue = ["/dashboard.js"];
    while (queue.length > 0) {
      const path = queue.shift() as string;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(/^text\/javascript/);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      const source = await res.text();
      for (const [, spec] of source.matchAll(/from "(\.[^"]+)"/g)) {
        queue.push(new URL(spec as string, `${BASE}${path}`).pathname);
      }
    }
    expect([...seen].sort()).toEqual([
      "/dashboard.js",
      "/dashboard/api.js",
      "/dashboard/dom.js",
      "/dashboard/events.js",
      "/dashboard/glyphs.js",
      "/dashboard/mesh.js",
      "/dashboard/panel.js",
    ]);
  });

  it("serves the stylesheet and the icon the page links", async () => {
    const css = await get("/dashboard.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
    const icon = await get("/favicon.svg");
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
  });

  it("answers a repeat request with 304 Not Modified", async () => {
    const first = await get("/dashboard.css");
    await first.text();
    const tag = first.headers.get("etag");
    expect(tag).toBeTruthy();
    expect(first.headers.get("cache-control")).toBe("no-cache");
    const again = await get("/dashboard.css", { "if-none-match": tag as string });
    expect(again.status).toBe(304);
  });

  it("leaves API responses alone (no dashboard headers leak onto /v1)", async () => {
    const res = await get("/v1/health");
    expect(res.headers.get("cache-control")).not.toBe("no-cache");
    expect(await res.json()).toEqual({ ok: true });
  });
});
