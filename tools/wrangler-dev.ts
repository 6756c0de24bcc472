/**
 * Starts a real `wrangler dev` and stops it again: for the end-to-end tests, the bench, the
 * soak and the dashboard screenshot.
 *
 * Every call gets its own free port, inspector port and `--persist-to` temp dir,
 * so test files (and a bench beside them) can run in parallel. Secrets come from a temp env file
 * (`--env-file`), which makes wrangler ignore the developer's `.dev.vars`.
 *
 *   const dev = await startWranglerDev();
 *   await fetch(`${dev.url}/v1/health`, { headers: { authorization: `Bearer ${dev.token}` } });
 *   await dev.stop();
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The local API token (same value as .dev.vars.example). */
export const DEV_API_TOKEN = "dev-token";
/** The local key of scoped tokens (same value as .dev.vars.example). */
export const DEV_TOKEN_SECRET = "dev-token-secret";

export interface WranglerDevOptions {
  /** API_TOKEN bound in the Worker. Default: DEV_API_TOKEN. */
  token?: string;
  /** Further vars/secrets for the Worker (e.g. READ_TOKEN). */
  vars?: Record<string, string>;
  /** Give up if /v1/health does not answer 200 within this many ms. Default 60 s. */
  startTimeoutMs?: number;
  /** Echo wrangler's output to this process's stderr (also: HEARSAY_E2E_VERBOSE=1). */
  verbose?: boolean;
}

export interface WranglerDev {
  /** Base URL, e.g. http://127.0.0.1:43123 (no trailing slash). */
  url: string;
  /** The API_TOKEN the Worker was started with. */
  token: string;
  /** Wrangler's recent output, for assertion messages. */
  output(): string;
  /** Kills the whole process tree and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const wranglerBin = join(
  dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
  "bin",
  "wrangler.js",
);
const OUTPUT_LIMIT = 64 * 1024;
const live = new Set<ChildProcess>();

/** Last-resort cleanup if the test process exits without calling stop(). */
process.once("exit", () => {
  for (const child of live) killTree(child, "SIGKILL");
});

/** A port the OS says is free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts `wrangler dev` and resolves once GET /v1/health answers 200. */
export async function startWranglerDev(options: WranglerDevOptions = {}): Promise<WranglerDev> {
  // A port can be taken between freePort() and wrangler binding it: retry a couple of times.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof EarlyExitError)) break;
    }
  }
  throw lastError;
}

class EarlyExitError extends Error {}

async function startOnce(options: WranglerDevOptions): Promise<WranglerDev> {
  const token = options.token ?? DEV_API_TOKEN;
  const verbose = options.verbose ?? process.env.HEARSAY_E2E_VERBOSE === "1";
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  const dir = await mkdtemp(join(tmpdir(), "hearsay-e2e-"));
  const envFile = join(dir, "dev.vars");
  const vars = { API_TOKEN: token, TOKEN_SECRET: DEV_TOKEN_SECRET, ...options.vars };
  await writeFile(
    envFile,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}\n`)
      .join(""),
  );
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;

  const args = [
    wranglerBin,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    join(dir, "state"),
    "--env-file",
    envFile,
    "--local",
    "--show-interactive-dev-session=false",
    "--log-level",
    verbose ? "log" : "warn",
  ];
  // detached: wrangler and its workerd child form their own process group, killed as one.
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false", // no network: use the placeholder Request.cf
      NO_COLOR: "1",
      CI: "true",
    },
  });
  live.add(child);

  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
    if (verbose) process.stderr.write(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    live.delete(child);
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!hasExited) {
      killTree(child, "SIGTERM");
      const timer = setTimeout(() => killTree(child, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    // workerd may outlive wrangler for a moment: make sure the group is gone.
    killTree(child, "SIGKILL");
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(url, deadline, () => hasExited);
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    const message = `wrangler dev did not become healthy on ${url}: ${reason}\n--- wrangler output ---\n${output}`;
    throw hasExited ? new EarlyExitError(message) : new Error(message);
  }
  return { url, token, output: () => output, stop };
}

/** Polls GET /v1/health until it answers 200, the process dies, or the deadline passes. */
async function waitForHealth(url: string, deadline: number, hasExited: () => boolean): Promise<void> {
  let delay = 50;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error("wrangler exited before it was healthy");
    try {
      const res = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
  throw new Error(`timed out (${last})`);
}

/** Signals the child's whole process group (wrangler, esbuild, workerd). */
function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
