/**
 * End to end over real HTTP against `wrangler dev`: bootstrap a cluster, watch it converge,
 * write a key that reaches the other nodes, stop a node and see the others notice, make
 * another leave, and read a few events from the stream. Then shut everything down.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/poll.js";
import { SseReader } from "../support/sse.js";
import { startWranglerDev, type WranglerDev } from "./support/wrangler-dev.js";

const CLUSTER = "e2e";
const SIZE = 6;
// A busy shared machine: tolerate pauses of a few seconds before suspecting anyone.
const CONFIG = { intervalMs: 300, probeTimeoutMs: 150, suspicionMult: 5 };

interface Member {
  node: string;
  status: string;
  state: Record<string, string>;
}

describe("the API over real HTTP", () => {
  let dev: WranglerDev;

  async function api(method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = { authorization: `Bearer ${dev.token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${dev.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, json: await res.json() };
  }

  /** Polls until `check` holds; a timeout shows the end of wrangler's output. */
  function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000) {
    return waitFor(what, check, timeoutMs, 200, () => dev.output().slice(-2000));
  }

  async function seenBy(observer: string, member: string): Promise<Member | undefined> {
    const { json } = await api("GET", `/v1/clusters/${CLUSTER}/nodes/${observer}`);
    return (json.members as Member[]).find((m) => m.node === member);
  }

  beforeAll(async () => {
    dev = await startWranglerDev();
  });

  afterAll(async () => {
    if (!dev) return;
    for (let i = 0; i < SIZE; i++)
      await api("POST", `/v1/clusters/${CLUSTER}/nodes/n${i}/stop`).catch(() => {});
    await dev.stop();
  });

  it("bootstraps a cluster that converges", async () => {
    const boot = await api("POST", `/v1/clusters/${CLUSTER}/bootstrap`, { size: SIZE, config: CONFIG });
    expect(boot.status).toBe(200);
    expect(boot.json.nodes).toHaveLength(SIZE);
    const summary = await until("every node to see every other alive", async () => {
      const { json } = await api("GET", `/v1/clusters/${CLUSTER}`);
      return json.converged &&
        json.nodes.every((n: { members: { alive?: number } }) => n.members.alive === SIZE)
        ? json
        : undefined;
    });
    expect(summary).toMatchObject({ registered: SIZE, live: SIZE, differing: [] });
  });

  it("streams events and spreads a write to every node", async () => {
    const res = await fetch(`${dev.url}/v1/clusters/${CLUSTER}/nodes/n5/events`);
    expect(res.status).toBe(200);
    const stream = new SseReader(res.body as ReadableStream<Uint8Array>);
    try {
      // Replayed history first: n5 learnt of its peers.
      await stream.until((m) => m.event === "joined" || m.event === "alive", 15_000);

      const put = await api("PUT", `/v1/clusters/${CLUSTER}/nodes/n0/state/region`, { value: "weur" });
      expect(put.status).toBe(200);
      const seen = await stream.until(
        (m) => m.event === "state" && JSON.parse(m.data ?? "{}").node === "n0",
        20_000,
      );
      expect(JSON.parse(seen.at(-1)?.data ?? "{}").keys).toContain("region");
    } finally {
      await stream.cancel();
    }
    for (let i = 1; i < SIZE; i++) {
      await until(
        `n${i} to see n0's region`,
        async () => (await seenBy(`n${i}`, "n0"))?.state.region === "weur",
      );
    }
  });

  it("a stopped node stops being alive in the others' views", async () => {
    const stop = await api("POST", `/v1/clusters/${CLUSTER}/nodes/n2/stop`);
    expect(stop.json.running).toBe(false);
    for (const observer of ["n0", "n1", "n3"]) {
      await until(`${observer} to stop seeing n2 alive`, async () => {
        const seen = await seenBy(observer, "n2");
        return seen !== undefined && seen.status !== "alive";
      });
    }
  });

  it("a node that leaves is seen as left, and the rest converge without it", async () => {
    const leave = await api("POST", `/v1/clusters/${CLUSTER}/nodes/n4/leave`);
    expect(leave.json).toMatchObject({ status: "left", running: false });
    await until("the others to see n4 left", async () => {
      for (const observer of ["n0", "n1", "n3", "n5"]) {
        if ((await seenBy(observer, "n4"))?.status !== "left") return false;
      }
      return true;
    });
    const summary = await until("the four live nodes to agree", async () => {
      const { json } = await api("GET", `/v1/clusters/${CLUSTER}`);
      return json.converged && json.live === SIZE - 2 ? json : undefined;
    });
    expect(summary.nodes.find((n: { node: string }) => n.node === "n4")).toMatchObject({
      status: "left",
      live: false,
    });
  });

  it("refuses a bad request without changing anything", async () => {
    const bad = await api("PUT", `/v1/clusters/${CLUSTER}/nodes/n0/state/region`, {
      value: "x".repeat(5000),
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("invalid_request");
    expect((await seenBy("n0", "n0"))?.state.region).toBe("weur");
  });
});
