/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core) against a real
 * `wrangler dev`, used the way a person would: open the page, enter the token, bootstrap a
 * cluster, write a key and watch it reach another node, stop a node and watch it stop being
 * alive, and see API errors spelled out. Every wait polls for what the page shows, with a deadline.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type Browser, type ConsoleMessage, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "./support/wrangler-dev.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = "test-results/dashboard.png";
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CLUSTER = "e2e-dash";
const SIZE = 6;
const INTERVAL_MS = 250;

// Skipped only on a developer machine without chromium; in CI a missing browser is a failure.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)("dashboard in a browser", () => {
  let dev: WranglerDev;
  let browser: Browser;
  let page: Page;
  /** Console errors and uncaught exceptions, except the expected 404 for a not-yet-bootstrapped cluster. */
  const problems: string[] = [];
  /** Set once the page got a cluster summary: from then on a 404 for it is a real problem. */
  let summarySeen = false;

  beforeAll(async () => {
    dev = await startWranglerDev();
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
      if (response.url().startsWith(summaryUrl()) && response.status() === 200) summarySeen = true;
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
    await dev?.stop();
  });

  const summaryUrl = () => `${dev.url}/v1/clusters/${CLUSTER}?`;

  /** Before bootstrap the summary of the new cluster is a 404, which Chrome logs as a failed load. */
  function isExpectedMissingCluster(message: ConsoleMessage): boolean {
    return !summarySeen && message.text().includes("404") && message.location().url.startsWith(summaryUrl());
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
    expect(await node("n1").textContent()).toMatch(/n1alivehb \d+ · φ /);
  });

  it("shows a key written on one node arriving in another node's view", async () => {
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

    await observe("n4");
    const n1AsSeenByN4 = page.locator('#member-rows tr[data-key="n1"] td.state', { hasText: "color=blue" });
    await n1AsSeenByN4.waitFor({ timeout: 20_000 });
    await page.getByText(`held by ${SIZE} of ${SIZE} nodes`).waitFor({ timeout: 20_000 });
  });

  it("shows a stopped node turning non-alive in another node's view", async () => {
    await observe("n3");
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page.getByText("Stopped n3.").waitFor({ timeout: 10_000 });
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
});
