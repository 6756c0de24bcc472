/**
 * End to end over real HTTP against `wrangler dev`, through the typed client (src/client):
 * bootstrap a cluster, watch it converge, write a key that reaches the other nodes, stop a
 * node and see the others notice, make another leave, and read a few events from the stream.
 * Then shut everything down.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHearsayClient, HearsayApiError, type HearsayClient } from "../../src/client/index.js";
import { waitFor } from "../../tools/poll.js";
import { SseReader } from "../../tools/sse-reader.js";
import { startWranglerDev, type WranglerDev } from "../../tools/wrangler-dev.js";

const CLUSTER = "e2e";
const SIZE = 6;
// A busy shared machine: tolerate pauses of a few seconds before suspecting anyone.
const CONFIG = { intervalMs: 300, probeTimeoutMs: 150, suspicionMult: 5 };

describe("the API over real HTTP", () => {
  let dev: WranglerDev;
  let hearsay: HearsayClient;

  /** The cluster summary, or a thrown HearsayApiError. */
  async function summary() {
    const { data, error } = await hearsay.api.GET("/v1/clusters/{cluster}", {
      params: { path: { cluster: CLUSTER } },
    });
    if (!data) throw new Error(`summary failed: ${JSON.stringify(error)}`);
    return data;
  }

  async function lifecycle(action: "stop" | "leave", node: string) {
    const path = `/v1/clusters/{cluster}/nodes/{node}/${action}` as const;
    const { data, error } = await hearsay.api.POST(path, { params: { path: { cluster: CLUSTER, node } } });
    if (!data) throw new Error(`${action} ${node} failed: ${JSON.stringify(error)}`);
    return data;
  }

  /** Polls until `check` holds; a timeout shows the end of wrangler's output. */
  function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000) {
    return waitFor(what, check, timeoutMs, 200, () => dev.output().slice(-2000));
  }

  /** What `observer` believes about `member`, from the members query answered by `observer`. */
  async function seenBy(observer: string, member: string) {
    const page = await hearsay.members(CLUSTER, { from: observer, keys: "*" });
    return page.members.find((m) => m.node === member);
  }

  beforeAll(async () => {
    dev = await startWranglerDev();
    hearsay = createHearsayClient({ baseUrl: dev.url, token: dev.token });
  });

  afterAll(async () => {
    if (!dev) return;
    for (let i = 0; i < SIZE; i++) await lifecycle("stop", `n${i}`).catch(() => {});
    await dev.stop();
  });

  it("bootstraps a cluster that converges", async () => {
    const boot = await hearsay.api.POST("/v1/clusters/{cluster}/bootstrap", {
      params: { path: { cluster: CLUSTER } },
      body: { size: SIZE, config: CONFIG },
    });
    expect(boot.response.status).toBe(200);
    expect(boot.data?.nodes).toHaveLength(SIZE);
    const converged = await until("every node to see every other alive", async () => {
      const json = await summary();
      return json.converged && json.nodes.every((n) => n.members.alive === SIZE) ? json : undefined;
    });
    expect(converged).toMatchObject({ registered: SIZE, live: SIZE, differing: [] });
    const alive = await hearsay.members(CLUSTER, { status: "alive" });
    expect(alive.members.map((m) => m.node)).toEqual(["n0", "n1", "n2", "n3", "n4", "n5"]);
  });

  it("streams events and spreads a write to every node", async () => {
    const res = await fetch(`${dev.url}/v1/clusters/${CLUSTER}/nodes/n5/events`);
    expect(res.status).toBe(200);
    const stream = new SseReader(res.body as ReadableStream<Uint8Array>);
    try {
      // Replayed history first: n5 learnt of its peers.
      await stream.until((m) => m.event === "joined" || m.event === "alive", 15_000);

      const put = await hearsay.setKey(CLUSTER, "n0", "region", "weur");
      expect(put).toMatchObject({ node: "n0", key: "region", value: "weur" });
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
        async () => (await seenBy(`n${i}`, "n0"))?.state?.region === "weur",
      );
    }
  });

  it("a stopped node stops being alive in the others' views", async () => {
    const stop = await lifecycle("stop", "n2");
    expect(stop.running).toBe(false);
    for (const observer of ["n0", "n1", "n3"]) {
      await until(`${observer} to stop seeing n2 alive`, async () => {
        const seen = await seenBy(observer, "n2");
        return seen !== undefined && seen.status !== "alive";
      });
    }
  });

  it("a node that leaves is seen as left, and the rest converge without it", async () => {
    const leave = await lifecycle("leave", "n4");
    expect(leave).toMatchObject({ status: "left", running: false });
    await until("the others to see n4 left", async () => {
      for (const observer of ["n0", "n1", "n3", "n5"]) {
        if ((await seenBy(observer, "n4"))?.status !== "left") return false;
      }
      return true;
    });
    const agreed = await until("the four live nodes to agree", async () => {
      const json = await summary();
      return json.converged && json.live === SIZE - 2 ? json : undefined;
    });
    expect(agreed.nodes.find((n) => n.node === "n4")).toMatchObject({
      status: "left",
      live: false,
    });
  });

  it("refuses a bad request without changing anything", async () => {
    const bad = await hearsay.setKey(CLUSTER, "n0", "region", "x".repeat(5000)).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(HearsayApiError);
    expect(bad).toMatchObject({ status: 400, code: "invalid_request" });
    expect((await hearsay.node(CLUSTER, "n0")).self.state.region).toBe("weur");
  });
});
