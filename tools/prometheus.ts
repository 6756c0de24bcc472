/**
 * Runs Debian's Prometheus tools for the metrics tests: `promtool check metrics` on a text,
 * and a real Prometheus server on loopback (its own port and temp storage) that scrapes a
 * target, queried through its HTTP API and killed afterwards. A missing tool fails the test
 * with a clear message: CI installs the `prometheus` package (.ci/run).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./wrangler-dev.js";

const MISSING =
  "is not installed: install Debian's `prometheus` package (apt-get install prometheus), as .ci/run does";

/** Runs a command with `input` on stdin; its exit code and output. */
function run(
  command: string,
  args: string[],
  input: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new Error(`${command} ${MISSING}`) : error),
    );
    child.once("close", (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}

/** `promtool check metrics` of an exposition text: exit code 0 and no complaint when it is clean. */
export function promtoolCheckMetrics(text: string) {
  return run("promtool", ["check", "metrics"], text);
}

export interface ScrapeTarget {
  /** host:port */
  address: string;
  metricsPath: string;
  bearer?: string;
}

export interface PrometheusServer {
  url: string;
  /** Runs an instant query; the API's `data.result`. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  output(): string;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `target` every second; resolves once it answers /-/ready. */
export async function startPrometheus(target: ScrapeTarget, timeoutMs = 30_000): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), "hearsay-prometheus-"));
  const config = join(dir, "prometheus.yml");
  const auth = target.bearer
    ? `    authorization:\n      credentials: ${JSON.stringify(target.bearer)}\n`
    : "";
  await writeFile(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: hearsay\n    metrics_path: ${JSON.stringify(target.metricsPath)}\n${auth}    static_configs:\n      - targets: [${JSON.stringify(target.address)}]\n`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    "prometheus",
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-32_768);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  let failed: Error | null = null;
  child.once("error", (error: NodeJS.ErrnoException) => {
    failed = error.code === "ENOENT" ? new Error(`prometheus ${MISSING}`) : error;
  });
  const exited = new Promise<void>((done) => child.once("close", () => done()));
  let alive = true;
  void exited.then(() => {
    alive = false;
  });
  const stop = async () => {
    if (alive) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (failed) {
      await stop();
      throw failed;
    }
    if (!alive) {
      await stop();
      throw new Error(`prometheus exited before it was ready:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      await res.body?.cancel();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    output: () => output,
    stop,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; data?: { result: [] }; error?: string };
      if (body.status !== "success" || !body.data) throw new Error(`query ${expr} failed: ${body.error}`);
      return body.data.result;
    },
  };
}
