#!/usr/bin/env node
/**
 * `npm start`: runs hearsay locally with `wrangler dev`.
 * Creates .dev.vars from .dev.vars.example when it is missing (local API token
 * `dev-token`), starts wrangler in the foreground, waits until GET /v1/health
 * answers, then runs afterHealthy(). Extra arguments go to wrangler, e.g.
 * `npm start -- --port 9000`. Ctrl-C stops wrangler and workerd.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wranglerBin = join(
  dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
  "bin",
  "wrangler.js",
);
const extraArgs = process.argv.slice(2);
const port = Number(argValue("--port") ?? process.env.PORT ?? 8787);
const ip = argValue("--ip") ?? "127.0.0.1";
const baseUrl = `http://${ip}:${port}`;

ensureDevVars();

const child = spawn(
  process.execPath,
  [wranglerBin, "dev", "--ip", ip, "--port", String(port), ...stripOwn(extraArgs)],
  {
    cwd: root,
    stdio: "inherit",
  },
);
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

waitForHealth(baseUrl, Date.now() + 60_000)
  .then(() => afterHealthy(baseUrl))
  .catch((error) => console.error(`start: ${error instanceof Error ? error.message : error}`));

/**
 * Runs once the Worker answers /v1/health.
 * TODO(api): bootstrap a 12-node demo cluster here (POST /v1/clusters/demo/bootstrap
 * with `Authorization: Bearer <API_TOKEN from .dev.vars>`), then print the dashboard URL.
 * @param {string} url base URL of the local Worker
 */
async function afterHealthy(url) {
  console.log(`\nhearsay is up: ${url}  (API token: see .dev.vars, default dev-token)\n`);
}

/** Copies .dev.vars.example to .dev.vars unless the developer already has one. */
function ensureDevVars() {
  const devVars = join(root, ".dev.vars");
  if (!existsSync(devVars)) {
    copyFileSync(join(root, ".dev.vars.example"), devVars);
    console.log("start: created .dev.vars from .dev.vars.example (API_TOKEN=dev-token)");
  }
}

/**
 * Polls GET /v1/health until it answers 200 or the deadline passes.
 * @param {string} url
 * @param {number} deadline epoch ms
 */
async function waitForHealth(url, deadline) {
  let delay = 100;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1_000);
  }
  throw new Error(`no answer from ${url}/v1/health within 60 s`);
}

/**
 * The value of `--name value` or `--name=value` in the extra arguments.
 * @param {string} name
 */
function argValue(name) {
  for (let i = 0; i < extraArgs.length; i++) {
    const arg = extraArgs[i];
    if (arg === name) return extraArgs[i + 1];
    if (arg?.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

/**
 * Extra arguments without --ip/--port, which this script passes itself.
 * @param {string[]} args
 */
function stripOwn(args) {
  const out = [];
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    if (arg === "--ip" || arg === "--port") i++;
    else if (!arg.startsWith("--ip=") && !arg.startsWith("--port=")) out.push(arg);
  }
  return out;
}
