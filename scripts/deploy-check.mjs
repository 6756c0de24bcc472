#!/usr/bin/env node
/**
 * Deploy check: bundles the Worker exactly as `wrangler deploy` would, without an
 * account (`--dry-run`), fails on any error, and prints the bundle size.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";

const wranglerBin = join(
  dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
  "bin",
  "wrangler.js",
);
const outdir = mkdtempSync(join(tmpdir(), "hearsay-deploy-check-"));

try {
  const run = spawnSync(process.execPath, [wranglerBin, "deploy", "--dry-run", "--outdir", outdir], {
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
  });
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr);
    throw new Error(`wrangler deploy --dry-run failed (exit ${run.status ?? run.signal})`);
  }
  const files = readdirSync(outdir, { recursive: true })
    .map((name) => join(outdir, String(name)))
    // Modules only: wrangler also writes source maps and a README.md there.
    .filter((path) => statSync(path).isFile() && !path.endsWith(".map") && !path.endsWith("README.md"));
  if (files.length === 0) throw new Error(`no bundle written to ${outdir}`);
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const content = readFileSync(file);
    bytes += content.length;
    gzipBytes += gzipSync(content, { level: 9 }).length;
  }
  console.log(
    `deploy-check: ok, bundle ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB), ` +
      `gzip ${(gzipBytes / 1024).toFixed(1)} KiB, ${files.length} file(s)`,
  );
} catch (error) {
  console.error(`deploy-check: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
