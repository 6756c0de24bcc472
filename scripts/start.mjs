#!/usr/bin/env node
/**
 * `npm start`: runs hearsay locally with `wrangler dev`.
 * Creates .dev.vars from .dev.vars.example when it is missing (local API token
 * `dev-token`), starts wrangler in the foreground, waits until GET /v1/health
 * answers, then bootstraps a 12-node demo cluster and prints the dashboard URL and
 * the local token. Extra arguments go to wrangler, e.g. `npm start -- --port 9000`.
 * Ctrl-C stops wrangler and workerd.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
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
    // No network call for Request.cf: local dev works offline with the placeholder.
    env: { CLOUDFLARE_CF_FETCH_ENABLED: "false", ...process.env },
  },
);
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

waitForHealth(baseUrl, Date.now() + 60_000)
  .then(() => afterHealthy(baseUrl))
  .catch((error) => console.error(`start: ${error instanceof Error ? error.message : error}`));

/** The demo cluster `npm start` bootstraps (HEARSAY_DEMO_SIZE=0 skips it). */
const DEMO_CLUSTER = "demo";
const DEMO_SIZE = Number(process.env.HEARSAY_DEMO_SIZE ?? 12);
const DEMO_INTERVAL_MS = 1000;

/**
 * Runs once the Worker answers /v1/health: bootstraps the demo cluster (restarting it with a
 * new generation if it already exists) and prints where to look and the local token.
 * @param {string} url base URL of the local Worker
 */
async function afterHealthy(url) {
  const token = readDevVar("API_TOKEN");
  if (DEMO_SIZE > 0) {
    if (!token) {
      console.error("start: .dev.vars has no API_TOKEN, so the demo cluster cannot be started.");
    } else {
      const failure = await bootstrapDemo(url, token);
      if (failure === null) {
        console.log(
          `start: cluster "${DEMO_CLUSTER}" bootstrapped with ${DEMO_SIZE} nodes (${DEMO_INTERVAL_MS} ms rounds)`,
        );
      } else {
        console.error(`start: bootstrapping "${DEMO_CLUSTER}" failed: ${failure}`);
      }
    }
  }
  console.log(
    [
      "",
      `  hearsay is up:  ${url}`,
      `  dashboard:      ${url}/`,
      `  cluster:        curl ${url}/v1/clusters/${DEMO_CLUSTER}`,
      `  API docs:       ${url}/openapi.json`,
      `  local token:    ${token ?? "(none: set API_TOKEN in .dev.vars)"}  (Authorization: Bearer <token>)`,
      "  Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
}

/**
 * Starts every node of the demo cluster, one bootstrap call per page of nodes, each from the
 * previous answer's `next`. Null when all started, else what went wrong.
 * @param {string} url base URL of the local Worker
 * @param {string} token the API token
 * @returns {Promise<string | null>}
 */
async function bootstrapDemo(url, token) {
  /** @type {number | null} */
  let from = 0;
  while (from !== null) {
    const res = await fetch(`${url}/v1/clusters/${DEMO_CLUSTER}/bootstrap`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        size: DEMO_SIZE,
        config: { intervalMs: DEMO_INTERVAL_MS },
        ...(from > 0 ? { from } : {}),
      }),
    });
    if (!res.ok) return `${res.status} ${await res.text()}`;
    const answer = /** @type {{ next: number | null }} */ (await res.json());
    from = answer.next;
  }
  return null;
}

/**
 * A value from .dev.vars (`NAME=value`, optional quotes), or undefined.
 * @param {string} name
 */
function readDevVar(name) {
  const path = join(root, ".dev.vars");
  if (!existsSync(path)) return undefined;
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] === name) return match[2]?.replace(/^(["'])(.*)\1$/, "$2") || undefined;
  }
  return undefined;
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
