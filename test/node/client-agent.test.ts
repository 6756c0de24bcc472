/**
 * The typed client's agent loop against a fake fetch: beats every interval with the state on
 * the first, backs off while beats fail (reporting each), sends state again after a failure,
 * and ends with a leave when asked.
 */
import { describe, expect, it } from "vitest";
import { createHearsayClient, nextBeatDelay } from "../../src/client/index.js";
import { waitFor } from "../../tools/poll.js";

interface Seen {
  method: string;
  url: string;
  body: Record<string, unknown> | null;
  at: number;
}

/** `outcomes[i]`, when set, is the outcome the (i+1)-th call answers. */
function fakeMesh(failFirst = 0, outcomes: string[] = []) {
  const seen: Seen[] = [];
  let failures = failFirst;
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const text = await request.text();
    seen.push({
      method: request.method,
      url: request.url,
      body: text ? JSON.parse(text) : null,
      at: Date.now(),
    });
    if (request.method === "PUT" && failures > 0) {
      failures--;
      return Response.json({ error: { code: "overloaded", message: "try later" } }, { status: 503 });
    }
    const claim = {
      cluster: "demo",
      agent: "edge-1",
      node: "n1",
      generation: 1,
      incarnation: 0,
      status: request.method === "DELETE" ? "left" : "alive",
      outcome:
        outcomes[seen.length - 1] ??
        (request.method === "DELETE" ? "left" : seen.length === 1 ? "registered" : "heartbeat"),
    };
    return Response.json(claim);
  };
  return { seen, fetch: fetch as typeof globalThis.fetch };
}

describe("startAgent", () => {
  it("heartbeats every interval, state first, and leaves on stop({leave})", async () => {
    const mesh = fakeMesh();
    const client = createHearsayClient({ baseUrl: "http://mesh.test", token: "t", fetch: mesh.fetch });
    const beats: string[] = [];
    const loop = client.startAgent({
      cluster: "demo",
      agent: "edge-1",
      intervalMs: 100,
      state: { endpoint: "e" },
      onBeat: (claim) => beats.push(claim.outcome),
    });
    const started = Date.now();
    const putsSeen = () => mesh.seen.filter((s) => s.method === "PUT");
    await waitFor("four beats", async () => putsSeen().length >= 4, 5000, 10);
    loop.setState({ load: "2" });
    await waitFor(
      "a beat with the new state",
      async () => putsSeen().some((p) => (p.body?.state as Record<string, string>)?.load === "2"),
      5000,
      10,
    );
    await loop.stop({ leave: true });
    const elapsed = Date.now() - started;
    const puts = putsSeen();
    expect(puts.length).toBeGreaterThanOrEqual(5);
    // One beat per interval, not more (and the first at once).
    expect(puts.length).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 2);
    expect(puts[0]?.url).toBe("http://mesh.test/v1/clusters/demo/agents/edge-1");
    expect(puts[0]?.body).toEqual({ intervalMs: 100, state: { endpoint: "e" } });
    expect(puts[1]?.body).toEqual({ intervalMs: 100 });
    expect(puts.some((p) => (p.body?.state as Record<string, string>)?.load === "2")).toBe(true);
    expect(mesh.seen.at(-1)?.method).toBe("DELETE");
    expect(beats[0]).toBe("registered");
    expect(loop.last?.status).toBe("alive");
  });

  it("backs off while beats fail, reports each failure, and resends state after one", async () => {
    const mesh = fakeMesh(3);
    const client = createHearsayClient({ baseUrl: "http://mesh.test", fetch: mesh.fetch });
    const errors: unknown[] = [];
    const loop = client.startAgent({
      cluster: "demo",
      agent: "edge-1",
      intervalMs: 100,
      state: { endpoint: "e" },
      onError: (error) => errors.push(error),
    });
    // Three failures, then a success after waits of about 100, 200 and 400 ms.
    await waitFor(
      "a beat after three failures",
      async () => mesh.seen.filter((s) => s.method === "PUT").length >= 4,
      5000,
      10,
    );
    await loop.stop();
    expect(errors).toHaveLength(3);
    expect(String(errors[0])).toContain("503 overloaded");
    const puts = mesh.seen.filter((s) => s.method === "PUT");
    // Waits of about 100, 200, 400 ms after the failures: the 4th beat comes ~700 ms in.
    const gaps = puts.slice(1, 4).map((p, i) => p.at - (puts[i] as Seen).at);
    expect(gaps[2]).toBeGreaterThan(gaps[0] as number);
    expect(puts[3]?.body?.state).toEqual({ endpoint: "e" });
  });

  it("resends its state after a takeover, since the new home does not hold it", async () => {
    const mesh = fakeMesh(0, ["registered", "heartbeat", "takeover"]);
    const client = createHearsayClient({ baseUrl: "http://mesh.test", fetch: mesh.fetch });
    const loop = client.startAgent({
      cluster: "demo",
      agent: "edge-1",
      intervalMs: 50,
      state: { endpoint: "e" },
    });
    const puts = () => mesh.seen.filter((s) => s.method === "PUT");
    await waitFor("five beats", async () => puts().length >= 5, 5000, 10);
    await loop.stop();
    expect(
      puts()
        .slice(0, 5)
        .map((p) => p.body?.state),
    ).toEqual([{ endpoint: "e" }, undefined, undefined, { endpoint: "e" }, undefined]);
  });

  it("computes its waits: one interval while well, doubling to a cap with jitter while failing", () => {
    expect(nextBeatDelay(500, 0, 30_000)).toBe(500);
    expect(nextBeatDelay(500, 1, 30_000, () => 0)).toBe(500);
    expect(nextBeatDelay(500, 3, 30_000, () => 0)).toBe(2000);
    expect(nextBeatDelay(500, 30, 30_000, () => 0)).toBe(30_000);
    expect(nextBeatDelay(500, 3, 30_000, () => 1)).toBe(1600);
  });
});
