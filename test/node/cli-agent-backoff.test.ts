/**
 * `hearsay agent` as a real process against an API that fails: a port that hangs up on every
 * connection. It says once that the API is unreachable while it backs off; once the API
 * answers (a stand-in server on that port) it says so, registers, and on SIGTERM leaves and
 * exits 0.
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage } from "node:http";
import { createServer as createNetServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { waitFor } from "../../tools/poll.js";
import { freePort } from "../../tools/wrangler-dev.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

it("says once that the API is unreachable, then that it answers again, and leaves on SIGTERM", async () => {
  const port = await freePort();
  const agent = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "agent",
      "--url",
      `http://127.0.0.1:${port}`,
      "--cluster",
      "c",
      "--name",
      "a1",
      "--interval-ms",
      "100",
    ],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HEARSAY_TOKEN: "t" } },
  );
  let output = "";
  agent.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  agent.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => agent.once("exit", (code) => done(code)));
  const calls: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    calls.push(`${req.method} ${req.url}`);
    const outcome = req.method === "DELETE" ? "left" : calls.length === 1 ? "registered" : "heartbeat";
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        cluster: "c",
        agent: "a1",
        node: "n0",
        generation: 1,
        incarnation: 0,
        status: outcome === "left" ? "left" : "alive",
        outcome,
      }),
    );
  });
  try {
    // First a port that hangs up on every connection: each beat fails.
    let refused = 0;
    const hangUp = createNetServer((socket) => {
      refused++;
      socket.destroy();
    });
    await new Promise<void>((done) => hangUp.listen(port, "127.0.0.1", done));
    await waitFor(
      "three failed beats",
      async () => refused >= 3,
      20_000,
      20,
      () => output,
    );
    await new Promise<void>((done) => hangUp.close(() => done()));
    expect(output.match(/unreachable/g)).toHaveLength(1);
    await new Promise<void>((done) => server.listen(port, "127.0.0.1", done));
    await waitFor(
      "registration",
      async () => output.includes("registered at home n0"),
      20_000,
      20,
      () => output,
    );
    agent.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output.match(/unreachable/g)).toHaveLength(1);
    expect(output).toMatch(
      /unreachable[^\n]*\n[^\n]*the API answers again\n[^\n]*registered at home n0[\s\S]*left \(signal\)/,
    );
    expect(calls.at(-1)).toBe("DELETE /v1/clusters/c/agents/a1");
  } finally {
    agent.kill("SIGKILL");
    server.close();
  }
}, 60_000);
