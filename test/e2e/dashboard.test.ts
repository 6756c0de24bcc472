/**
 * The dashboard against a real `wrangler dev`. First its files as Workers Static Assets serve
 * them (the page under a same-origin-only CSP from public/_headers, every module as
 * JavaScript, revalidation by ETag); workerd tests cannot see assets (`exports.default.fetch`
 * reaches only the Worker), so these checks live here. Then the page in a real browser
 * (Debian's chromium, driven by playwright-core), used the way a person would: open the page,
 * enter the token, bootstrap a cluster, write a key and watch the spread curve reach every
 * node (the form bounded by the API's limits), stop a node and watch it stop being alive, see API errors spelled out,
 * look up a key's owners and watch the marks move when an owner stops, and bootstrap
 * and watch a cluster larger than one page (of the bootstrap and of the summary): every node
 * shown, and a node of the last summary page marked stopped. Every wait polls for what the
 * page shows, with a deadline.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type Browser, type ConsoleMessage, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOOTSTRAP_PAGE } from "../../src/api/bootstrap-plan.js";
import { MAX_BOOTSTRAP_SIZE } from "../../src/api/schemas.js";
import { createHearsayClient } from "../../src/client/index.js";
import { CONFIG_LIMITS } from "../../src/core/config.js";
import { startWranglerDev, type WranglerDev } from "../../tools/wrangler-dev.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = "test-results/dashboard.png";
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CLUSTER = "e2e-dash";
const SIZE = 6;
const INTERVAL_MS = 250;
/** A cluster larger than one page of the bootstrap and of the summary, at slow rounds. */
const BIG_CLUSTER = "e2e-dash-big";
const BIG_SIZE = BOOTSTRAP_PAGE + 5;
const BIG_INTERVAL_MS = 5000;

let dev: WranglerDev;

beforeAll(async () => {
  dev = await startWranglerDev();
});

afterAll(async () => {
  await dev?.stop();
});

describe("dashboard files, as the platform serves them", () => {
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${dev.url}${path}`, { headers });

  it("serves the page with a CSP that allows only same-origin script and style", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
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
        queue.push(new URL(spec as string, `${dev.url}${path}`).pathname);
      }
    }
    expect([...seen].sort()).toEqual([
      "/dashboard.js",
      "/dashboard/api.js",
      "/dashboard/chart.js",
      "/dashboard/client.js",
      "/dashboard/dom.js",
      "/dashboard/events.js",
      "/dashboard/form-limits.js",
      "/dashboard/glyphs.js",
      "/dashboard/mesh.js",
      "/dashboard/owners.js",
      "/dashboard/panel.js",
      "/dashboard/spread.js",
    ]);
  });

  it("serves the stylesheet and the icon the page links, and revalidates with 304", async () => {
    const css = await get("/dashboard.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
    await css.text();
    const tag = css.headers.get("etag");
    expect(tag).toBeTruthy();
    expect((await get("/dashboard.css", { "if-none-match": tag as string })).status).toBe(304);
    const icon = await get("/favicon.svg");
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    await icon.text();
  });

  it("does not publish the headers file, and leaves other paths to the API's JSON 404", async () => {
    expect((await get("/_headers")).status).toBe(404);
    const res = await get("/no-such-page");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });
});

// Skipped only on a developer machine without chromium; in CI a missing browser is a failure.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)("dashboard in a browser", () => {
  let browser: Browser;
  let page: Page;
  /** Console errors and uncaught exceptions, except the expected 404 for a not-yet-bootstrapped cluster. */
  const problems: string[] = [];
  /** Set once the page got a cluster summary: from then on a 404 for it is a real problem. */
  let summarySeen = false;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-gpu",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 1050 } });
    page.on("response", (response) => {
      if (response.url() === summaryUrl() && response.status() === 200) summarySeen = true;
    });
    page.on("console", (message) => {
      if (message.type() === "error" && !isExpectedMissingCluster(message)) {
        problems.push(`${message.text()} (${message.location().url})`);
      }
    });
    page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  });

  afterAll(async () => {
    await browser?.close();
  });

  const summaryUrl = () => `${dev.url}/v1/clusters/${CLUSTER}`;

  /** Before bootstrap the summary of the new cluster is a 404, which Chrome logs as a failed load. */
  function isExpectedMissingCluster(message: ConsoleMessage): boolean {
    return !summarySeen && message.text().includes("404") && message.location().url === summaryUrl();
  }

  const node = (name: string) => page.locator(`#mesh g.node[data-node="${name}"]`);

  /** Waits until the mesh shows `name` with one of `statuses` (as the current observer sees it). */
  async function waitForStatus(name: string, statuses: string[], timeout: number): Promise<void> {
    await page.waitForFunction(
      ([n, wanted]) => {
        const el = document.querySelector(`#mesh g.node[data-node="${n}"]`);
        return el !== null && (wanted as string[]).includes(el.getAttribute("data-status") ?? "");
      },
      [name, statuses] as const,
      { timeout, polling: 100 },
    );
  }

  async function observe(name: string): Promise<void> {
    await page.selectOption("#observer", name);
    await page.waitForFunction(
      (n) => document.getElementById("panel-title")?.textContent === `Node ${n}`,
      name,
      {
        timeout: 10_000,
      },
    );
  }

  it("loads without errors and offers to bootstrap an unknown cluster", async () => {
    await page.goto(`${dev.url}/?cluster=${CLUSTER}`);
    await page.getByText(`No cluster named ${CLUSTER} yet`).waitFor({ timeout: 15_000 });
    expect(await page.title()).toContain("hearsay");
    // Read-only until a token is entered.
    expect(await page.getByRole("button", { name: "Bootstrap cluster" }).isDisabled()).toBe(true);
    // The form's bounds are the API's (read from its OpenAPI document), not the page's own.
    const interval = page.locator("#bootstrap-interval");
    await expect.poll(() => interval.getAttribute("max")).toBe(String(CONFIG_LIMITS.intervalMs.max));
    expect(await interval.getAttribute("min")).toBe(String(CONFIG_LIMITS.intervalMs.min));
    expect(await page.locator("#bootstrap-size").getAttribute("max")).toBe(String(MAX_BOOTSTRAP_SIZE));
    expect(problems).toEqual([]);
  });

  it("bootstraps a cluster from the page and shows every node alive", async () => {
    await page.getByLabel("API token", { exact: true }).fill(dev.token);
    await page.getByRole("button", { name: "Use token" }).click();
    // The token stays in this tab's session storage, never in the URL.
    expect(page.url()).not.toContain(dev.token);
    await page.getByLabel("Nodes", { exact: true }).fill(String(SIZE));
    await page.getByLabel("Interval (ms)", { exact: true }).fill(String(INTERVAL_MS));
    await page.getByRole("button", { name: "Bootstrap cluster" }).click();
    await page.getByText(`Bootstrapped ${CLUSTER} with ${SIZE} nodes`).waitFor({ timeout: 20_000 });

    await page.waitForFunction((size) => document.querySelectorAll("#mesh g.node").length === size, SIZE, {
      timeout: 20_000,
    });
    for (let i = 0; i < SIZE; i++) await waitForStatus(`n${i}`, ["alive"], 30_000);
    await page.getByText("✓ Converged").waitFor({ timeout: 30_000 });
    // Each node carries its status as a word and its heartbeat and phi, not colour alone.
    // (" · knows" may follow the word: the page is watching the joins spread.)
    expect(await node("n1").textContent()).toMatch(/^n1alive( · knows)?hb \d+ · φ /);
  });

  it("shows a key written on one node spreading to every node, on a curve from 1 to N", async () => {
    // Choose the writer from the keyboard: nodes in the mesh are focusable buttons.
    await node("n1").focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () => document.getElementById("panel-title")?.textContent === "Node n1",
      null,
      {
        timeout: 10_000,
      },
    );
    await page.getByLabel("Key", { exact: true }).fill("color");
    await page.getByLabel("Value", { exact: true }).fill("blue");
    await page.getByRole("button", { name: "Write", exact: true }).click();
    await page.getByText("Wrote color=blue on n1.").waitFor({ timeout: 10_000 });
    await page.locator("#kv-rows tr", { hasText: "color" }).waitFor({ timeout: 10_000 });

    // The spread chart watches the write: the writer knows it at once, then the curve climbs to N.
    const chart = page.locator("#spread-chart");
    await page.locator("#spread-text", { hasText: "color=blue written on n1" }).waitFor({ timeout: 10_000 });
    expect(await chart.getAttribute("data-total")).toBe(String(SIZE));
    await page.locator(`#spread-chart[data-known="${SIZE}"]`).waitFor({ timeout: 30_000 });
    await page.getByText(`color=blue written on n1: ${SIZE} of ${SIZE} nodes know, all within`).waitFor();
    // One dot per node on the curve, the first at 1 and the last at N (higher up the chart).
    const ys = await chart
      .locator(".chart-dots circle")
      .evaluateAll((dots) => dots.map((d) => Number(d.getAttribute("cy"))));
    expect(ys).toHaveLength(SIZE);
    expect(ys[0]).toBeGreaterThan(ys[SIZE - 1] as number);
    // Every node on the mesh wears the "knows" ring.
    expect(await page.locator("#mesh g.node.knows").count()).toBe(SIZE);

    await observe("n4");
    const n1AsSeenByN4 = page.locator('#member-rows tr[data-key="n1"] td.state', { hasText: "color=blue" });
    await n1AsSeenByN4.waitFor({ timeout: 20_000 });
  });

  it("shows a stopped node turning non-alive in another node's view", async () => {
    await observe("n3");
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page.getByText("Stopped n3.").waitFor({ timeout: 10_000 });
    // The chart now watches the news that n3 is down reach the other live nodes.
    await page.locator("#spread-text", { hasText: "n3 stopped" }).waitFor({ timeout: 10_000 });
    expect(await page.locator("#spread-chart").getAttribute("data-total")).toBe(String(SIZE - 1));
    await page.waitForFunction(
      () => document.querySelector('#mesh g.node[data-node="n3"].stopped') !== null,
      null,
      {
        timeout: 10_000,
      },
    );

    await observe("n0");
    await waitForStatus("n3", ["suspect", "dead"], 45_000);
    expect(await page.locator('#member-rows tr[data-key="n3"]').getAttribute("data-status")).toMatch(
      /suspect|dead/,
    );
    // The observer's event feed (server-sent events) tells the same story.
    await page
      .locator("#events li", { hasText: /n3 is (suspect|dead)/ })
      .first()
      .waitFor({ timeout: 15_000 });
  });

  it("shows each member's region, and agents with their home node and status", async () => {
    const hearsay = createHearsayClient({ baseUrl: dev.url, token: dev.token });
    const placed = await hearsay.api.PUT("/v1/clusters/{cluster}/nodes/{node}", {
      params: { path: { cluster: CLUSTER, node: "n6" } },
      body: { seeds: ["n0"], region: "weur", config: { intervalMs: INTERVAL_MS } },
    });
    expect(placed.response.status).toBe(200);
    await hearsay.agentHeartbeat(CLUSTER, "edge-1", { intervalMs: 60_000, node: "n0" });

    await observe("n0");
    const row = (name: string) => page.locator(`#member-rows tr[data-key="${name}"]`);
    await page.waitForFunction(
      () => document.querySelector('#member-rows tr[data-key="n6"] td.region')?.textContent === "weur",
      null,
      { timeout: 30_000 },
    );
    await page.waitForFunction(
      () =>
        document.querySelector('#member-rows tr[data-key="edge-1"]')?.getAttribute("data-status") === "alive",
      null,
      { timeout: 30_000 },
    );
    expect(await row("edge-1").getAttribute("data-kind")).toBe("agent");
    expect(await row("edge-1").locator("td.kind").textContent()).toBe("agent, home n0");
    expect(await row("n1").locator("td.kind").textContent()).toBe("node");
    // An agent is not a node: it is not offered as the observer.
    expect(await row("edge-1").getByRole("button").count()).toBe(0);
  });

  it("marks a key's owners on the mesh, and moves the mark when the first owner stops", async () => {
    const hearsay = createHearsayClient({ baseUrl: dev.url, token: dev.token });
    await observe("n0");
    // A key whose first owner (as n0 sees it) is neither the observer nor a node later tests use.
    let key = "";
    let first = "";
    for (let i = 0; !key; i++) {
      const answer = await hearsay.owners(CLUSTER, `room-${i}`, { n: 2, from: "n0" });
      const owner = answer.owners[0]?.node ?? "";
      if (["n2", "n4", "n5"].includes(owner)) [key, first] = [`room-${i}`, owner];
    }
    await page.getByLabel("Key to look up", { exact: true }).fill(key);
    await page.getByLabel("How many owners", { exact: true }).fill("2");
    await page.getByRole("button", { name: "Find owners" }).click();
    await page
      .locator(`#mesh g.node[data-node="${first}"][data-owner-rank="1"]`)
      .waitFor({ timeout: 15_000 });
    expect(await page.locator("#mesh g.node.owner").count()).toBe(2);
    expect(await page.locator("#owners-list li").first().getAttribute("data-node")).toBe(first);
    await page.locator("#owners-text", { hasText: "As n0 sees it" }).waitFor({ timeout: 10_000 });

    // The first owner stops: once n0 sees it down, the first mark moves to another node.
    await hearsay.nodeAction(CLUSTER, first, "stop");
    await page.waitForFunction(
      (gone) => {
        const firstMark = document.querySelector('#mesh g.node[data-owner-rank="1"]');
        const stale = document.querySelector(`#mesh g.node[data-node="${gone}"].owner`);
        return firstMark !== null && firstMark.getAttribute("data-node") !== gone && stale === null;
      },
      first,
      { timeout: 45_000, polling: 200 },
    );
    expect(await page.locator("#mesh g.node.owner").count()).toBe(2);
    await hearsay.nodeAction(CLUSTER, first, "start");
  });

  it("writes a screenshot of the live mesh", async () => {
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    const png = await readFile(SCREENSHOT);
    expect(png.length).toBeGreaterThan(10_000);
    expect([...png.subarray(0, 8)]).toEqual(PNG_MAGIC);
  });

  it("logged no console errors while used as intended", () => {
    expect(problems).toEqual([]);
  });

  it("acts with a scoped write token in the API token box", async () => {
    const minted = await fetch(`${dev.url}/v1/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${dev.token}`, "content-type": "application/json" },
      body: JSON.stringify({ scope: "write", cluster: CLUSTER }),
    });
    expect(minted.status).toBe(200);
    const { token } = (await minted.json()) as { token: string };
    await page.getByLabel("API token", { exact: true }).fill(token);
    await page.getByRole("button", { name: "Use token" }).click();
    await observe("n3");
    await page.getByRole("button", { name: "Start", exact: true }).click();
    await page.getByText("Started n3.").waitFor({ timeout: 10_000 });
  });

  it("shows an API error clearly", async () => {
    await page.getByLabel("API token", { exact: true }).fill("not-the-token");
    await page.getByRole("button", { name: "Use token" }).click();
    await observe("n1");
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.textContent()).toMatch(
      /POST \/v1\/clusters\/e2e-dash\/nodes\/n1\/stop failed: HTTP 40[13]/,
    );
    // Nothing changed: n1 still runs.
    expect(await node("n1").getAttribute("class")).not.toContain("stopped");
  });

  it("bootstraps and shows every node of a cluster larger than one page", { timeout: 240_000 }, async () => {
    await page.getByLabel("API token", { exact: true }).fill(dev.token);
    await page.getByRole("button", { name: "Use token" }).click();
    await page.getByLabel("Cluster", { exact: true }).fill(BIG_CLUSTER);
    await page.getByRole("button", { name: "Watch", exact: true }).click();
    await page.getByText(`No cluster named ${BIG_CLUSTER} yet`).waitFor({ timeout: 15_000 });
    await page.getByLabel("Nodes", { exact: true }).fill(String(BIG_SIZE));
    await page.getByLabel("Interval (ms)", { exact: true }).fill(String(BIG_INTERVAL_MS));
    await page.getByRole("button", { name: "Bootstrap cluster" }).click();
    await page.getByText(`Bootstrapped ${BIG_CLUSTER} with ${BIG_SIZE} nodes`).waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      (size) => document.querySelectorAll("#mesh g.node").length === size,
      BIG_SIZE,
      { timeout: 60_000 },
    );
    // The verdict counts the nodes of every page (one page alone would count fewer).
    await page.locator("#convergence", { hasText: `${BIG_SIZE} live nodes` }).waitFor({ timeout: 30_000 });

    // The summary's pages are by name, so the last name is on the last page: stop it, and the
    // mesh marks it stopped and the verdict counts every other node live.
    const last = Array.from({ length: BIG_SIZE }, (_, i) => `n${i}`)
      .sort()
      .at(-1) as string;
    await observe(last);
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page.getByText(`Stopped ${last}.`).waitFor({ timeout: 10_000 });
    await page.locator(`#mesh g.node[data-node="${last}"].stopped`).waitFor({ timeout: 30_000 });
    await page
      .locator("#convergence", { hasText: `${BIG_SIZE - 1} live nodes` })
      .waitFor({ timeout: 30_000 });
  });
});
