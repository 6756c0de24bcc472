/**
 * Regenerates the dashboard picture (docs/dashboard.png) from a live mesh: starts `wrangler dev`,
 * opens the dashboard in chromium, bootstraps 12 nodes, writes two keys on n0 and waits for the
 * spread chart to show them known by all 12, then stops n9 from the page, waits until n0 sees
 * n9 as dead (or at least suspect) and the chart has watched that news reach the other 11,
 * and saves the screenshot (the mesh and the spread chart).
 *
 *   npx tsx scripts/dashboard-screenshot.ts [docs/dashboard.png]
 */
import { chromium } from "playwright-core";
import { startWranglerDev } from "../tools/wrangler-dev.js";

const out = process.argv[2] ?? "docs/dashboard.png";
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const dev = await startWranglerDev();
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update"],
});
try {
  // Tall enough for the mesh and the spread chart below it.
  const page = await browser.newPage({ viewport: { width: 1440, height: 1280 } });
  await page.goto(`${dev.url}/?cluster=demo`);
  await page.getByLabel("API token", { exact: true }).fill(dev.token);
  await page.getByRole("button", { name: "Use token" }).click();
  await page.getByLabel("Nodes", { exact: true }).fill("12");
  await page.getByLabel("Interval (ms)", { exact: true }).fill("500");
  await page.getByRole("button", { name: "Bootstrap cluster" }).click();
  await page.getByText("✓ Converged").waitFor({ timeout: 60_000 });

  await page.selectOption("#observer", "n0");
  for (const [key, value] of [
    ["region", "eu-west"],
    ["load", "0.42"],
  ]) {
    await page.getByLabel("Key", { exact: true }).fill(key as string);
    await page.getByLabel("Value", { exact: true }).fill(value as string);
    await page.getByRole("button", { name: "Write", exact: true }).click();
    await page.getByText(`Wrote ${key}=${value} on n0.`).waitFor({ timeout: 10_000 });
  }
  await page.getByText("load=0.42 written on n0: 12 of 12 nodes know").waitFor({ timeout: 30_000 });

  await page.selectOption("#observer", "n9");
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.getByText("Stopped n9.").waitFor({ timeout: 10_000 });
  await page.selectOption("#observer", "n0");
  const n9 = '#mesh g.node[data-node="n9"]';
  await page.locator(`${n9}[data-status="suspect"], ${n9}[data-status="dead"]`).waitFor({ timeout: 60_000 });
  // Dead, with the news known by all 11 others, makes the better picture; less will do.
  await page
    .locator(`${n9}[data-status="dead"]`)
    .waitFor({ timeout: 30_000 })
    .catch(() => undefined);
  await page
    .getByText("n9 stopped: 11 of 11 nodes know")
    .waitFor({ timeout: 30_000 })
    .catch(() => undefined);
  await page.locator("header").scrollIntoViewIfNeeded();
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await dev.stop();
}
