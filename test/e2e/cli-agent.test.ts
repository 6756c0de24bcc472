/**
 * The `hearsay agent` CLI as a real process against `wrangler dev`: an agent with an HTTP
 * check (a local server the test flips from 200 to 500) shows `health: critical` at every node
 * within 3 s of the failure, and after SIGTERM shows `left` at every node within 2 s, the
 * process exiting 0. Node views come from `GET .../nodes/:node`, polled at all nodes. Beside it,
 * `hearsay members` prints the agent in its table, `hearsay owners` names running nodes as a
 * key's owners, and `hearsay watch` prints its leave as it happens. An agent with a command
 * check and --leave-when-critical leaves while critical and comes back once passing; a wrong
 * token ends an agent at once with exit 1.
 *
 *   npx vitest run --project e2e test/e2e/cli-agent.test.ts
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHearsayClient, type HearsayClient } from "../../src/client/index.js";
import { waitFor } from "../../tools/poll.js";
import { startWranglerDev, type WranglerDev } from "../../tools/wrangler-dev.js";

const CLUSTER = "e2e-cli";
const NODES = ["n0", "n1", "n2"];
const CONFIG = { intervalMs: 500, probeTimeoutMs: 200, suspicionMult: 5 };
const AGENT = "web-1";
const CRITICAL_GOAL_MS = 3_000;
const LEFT_GOAL_MS = 2_000;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CLI = ["--import", "tsx", "src/cli/main.ts"];

/** Starts `hearsay <args>` as a process; its output collects in `output()`. */
function spawnCli(dev: WranglerDev, args: string[]) {
  const child = spawn(process.execPath, [...CLI, ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HEARSAY_URL: dev.url, HEARSAY_TOKEN: dev.token },
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return { child, exited, output: () => output };
}

/** Runs `hearsay <args>` to its end: its stdout. */
async function hearsayCli(dev: WranglerDev, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [...CLI, ...args], {
    cwd: repoRoot,
    env: { ...process.env, HEARSAY_URL: dev.url, HEARSAY_TOKEN: dev.token },
  });
  return stdout;
}

describe("the hearsay agent CLI", () => {
  let dev: WranglerDev;
  let hearsay: HearsayClient;
  let server: Server;
  let checkStatus = 200;
  let agent: ChildProcess | undefined;

  /** The agent as each node sees it (undefined where it is unknown). */
  async function agentAtEachNode() {
    return Promise.all(
      NODES.map(async (node) => (await hearsay.node(CLUSTER, node)).members.find((m) => m.node === AGENT)),
    );
  }

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(checkStatus, { "content-type": "text/plain" });
      res.end(checkStatus === 200 ? "all good" : "database down");
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    dev = await startWranglerDev();
    hearsay = createHearsayClient({ baseUrl: dev.url, token: dev.token });
    await hearsay.bootstrap(CLUSTER, { size: NODES.length, config: CONFIG });
    await waitFor(
      "the cluster to converge",
      async () => {
        for (const node of NODES) {
          const view = await hearsay.node(CLUSTER, node);
          if (view.members.filter((m) => m.status === "alive").length !== NODES.length) return false;
        }
        return true;
      },
      60_000,
      200,
      () => dev.output().slice(-2000),
    );
  });

  afterAll(async () => {
    agent?.kill("SIGKILL");
    server?.close();
    if (!dev) return;
    for (const node of NODES) await hearsay.nodeAction(CLUSTER, node, "stop").catch(() => {});
    await dev.stop();
  });

  it(`shows a failing check as critical everywhere within ${CRITICAL_GOAL_MS} ms, and left within ${LEFT_GOAL_MS} ms of SIGTERM`, async () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const cli = spawnCli(dev, [
      "agent",
      "--cluster",
      CLUSTER,
      "--name",
      AGENT,
      "--interval-ms",
      "500",
      "--state",
      "endpoint=10.0.0.1:80",
      "--check-http",
      `http://127.0.0.1:${port}/health`,
      "--check-every-ms",
      "250",
    ]);
    agent = cli.child;
    const context = () => `agent output:\n${cli.output()}`;

    await waitFor(
      "the agent alive and passing at every node",
      async () =>
        (await agentAtEachNode()).every(
          (m) => m?.status === "alive" && m.state.health === "passing" && m.state.endpoint === "10.0.0.1:80",
        ),
      30_000,
      100,
      context,
    );

    const table = await hearsayCli(dev, ["members", "--cluster", CLUSTER, "--keys", "health,endpoint"]);
    expect(table.split("\n")[0]).toMatch(/^Node\s+Kind\s+Status\s+Home\s+Region\s+endpoint\s+health$/);
    expect(table).toMatch(/\nweb-1\s+agent\s+alive\s+n\d\s+-\s+10\.0\.0\.1:80\s+passing\n/);
    const listed = JSON.parse(
      await hearsayCli(dev, ["members", "--cluster", CLUSTER, "--kind", "agent", "--json"]),
    );
    expect(listed.members.map((m: { node: string }) => m.node)).toEqual([AGENT]);

    // Owners of a key among the running nodes (agents own nothing by default).
    const owners = await hearsayCli(dev, ["owners", "--cluster", CLUSTER, "--key", "user:42", "--n", "2"]);
    const [heading, header, ...rows] = owners.trimEnd().split("\n");
    expect(heading).toMatch(/^Owners of "user:42" from n\d \(view \w+\)$/);
    expect(header).toMatch(/^Rank\s+Node\s+Kind\s+Region\s+Weight$/);
    expect(rows.map((row) => row.split(/\s+/).slice(0, 3))).toEqual([
      ["1", expect.toBeOneOf(NODES), "node"],
      ["2", expect.toBeOneOf(NODES), "node"],
    ]);
    expect(new Set(rows.map((row) => row.split(/\s+/)[1])).size).toBe(2);

    // Watch a node's events (those it holds, then each as it arrives).
    const watcher = spawnCli(dev, ["watch", "--cluster", CLUSTER, "--node", "n1"]);

    checkStatus = 500;
    const failedAt = Date.now();
    const criticalAt = await waitFor(
      "the agent critical at every node",
      async () => {
        const seen = await agentAtEachNode();
        return seen.every((m) => m?.state.health === "critical") && Date.now();
      },
      10_000,
      50,
      context,
    );
    const nodes = await agentAtEachNode();
    expect(nodes.map((m) => m?.state.health_output)).toEqual(
      NODES.map(
        () => `HTTP GET http://127.0.0.1:${port}/health: 500 Internal Server Error Output: database down`,
      ),
    );
    expect(nodes.every((m) => m?.status === "alive")).toBe(true);

    const signalledAt = Date.now();
    cli.child.kill("SIGTERM");
    const leftAt = await waitFor(
      "the agent left at every node",
      async () => (await agentAtEachNode()).every((m) => m?.status === "left") && Date.now(),
      10_000,
      50,
      context,
    );
    expect(await cli.exited).toBe(0);
    await waitFor(
      "the watch to print the leave",
      async () => /\bleft web-1\b/.test(watcher.output()),
      10_000,
      50,
      watcher.output,
    );
    watcher.child.kill("SIGINT");
    expect(await watcher.exited).toBe(0);
    console.log(
      `hearsay agent: critical everywhere ${criticalAt - failedAt} ms after the check failed; left everywhere ${leftAt - signalledAt} ms after SIGTERM`,
    );
    expect(criticalAt - failedAt).toBeLessThanOrEqual(CRITICAL_GOAL_MS);
    expect(leftAt - signalledAt).toBeLessThanOrEqual(LEFT_GOAL_MS);
    expect(cli.output()).toMatch(/health: passing -> critical/);
    expect(cli.output()).toMatch(/left \(signal\)/);
  });

  it("leaves while a command check is critical, comes back once passing, and leaves on SIGINT", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hearsay-check-"));
    const exitFile = join(dir, "exit");
    await writeFile(exitFile, "0");
    const name = "batch-1";
    const statuses = async () =>
      Promise.all(
        NODES.map(
          async (node) => (await hearsay.node(CLUSTER, node)).members.find((m) => m.node === name)?.status,
        ),
      );
    const cli = spawnCli(dev, [
      "agent",
      "--cluster",
      CLUSTER,
      "--name",
      name,
      "--interval-ms",
      "500",
      "--check-cmd",
      `echo checked; exit $(cat ${exitFile})`,
      "--check-every-ms",
      "250",
      "--leave-when-critical",
    ]);
    try {
      await waitFor(
        "batch-1 alive everywhere",
        async () => (await statuses()).every((s) => s === "alive"),
        30_000,
        100,
        cli.output,
      );
      await writeFile(exitFile, "2");
      await waitFor(
        "batch-1 left everywhere",
        async () => (await statuses()).every((s) => s === "left"),
        10_000,
        100,
        cli.output,
      );
      await writeFile(exitFile, "0");
      await waitFor(
        "batch-1 back everywhere",
        async () => (await statuses()).every((s) => s === "alive"),
        10_000,
        100,
        cli.output,
      );
      const view = await hearsay.node(CLUSTER, "n0");
      expect(view.members.find((m) => m.node === name)?.state).toMatchObject({
        health: "passing",
        health_output: "checked\n",
      });
      cli.child.kill("SIGINT");
      expect(await cli.exited).toBe(0);
      expect(cli.output()).toMatch(
        /health: passing -> critical[\s\S]*left \(critical\)[\s\S]*health: critical -> passing[\s\S]*registered at home[\s\S]*left \(signal\)/,
      );
    } finally {
      cli.child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("ends at once, exit 1 and one line, when the API refuses its token", async () => {
    const cli = spawnCli({ ...dev, token: "wrong" }, ["agent", "--cluster", CLUSTER, "--name", "bad-1"]);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toMatch(/\nhearsay agent: 401 unauthorized: .+\n$/);
  });
});
