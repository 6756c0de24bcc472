/**
 * `GET .../events` inside workerd: the stream carries membership and state changes as
 * server-sent events with ids, resumes after Last-Event-ID without repeating anything, reads
 * the log once and ends with follow=false, relays the node's watch without polling it (an idle
 * stream makes no request to the node), frees its watcher slot once the client goes away, and
 * ends with an `error` event when the node stops.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { type SseMessage, SseReader } from "../../tools/sse-reader.js";
import { call, callJson, eventually } from "./support/api.js";
import { setWatchCap, watcherCount } from "./support/watch.js";

// Gossip takes seconds on a busy machine; each wait below has its own deadline.
vi.setConfig({ testTimeout: 40_000 });

const CONFIG = { intervalMs: 200, probeTimeoutMs: 100, suspicionMult: 5 };
const NAME = "api-events";
const CLUSTER = `/v1/clusters/${NAME}`;
/** Long enough that a stream polling as the old relay did (twice a second) would be seen twice. */
const OBSERVE_MS = 1_200;

function data(message: SseMessage): { type: string; node: string; keys?: string[]; seq: number } {
  return JSON.parse(message.data ?? "null");
}

async function open(path: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const res = await call("GET", path, { token: null, headers });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  expect(res.body).not.toBeNull();
  return new SseReader(res.body as ReadableStream<Uint8Array>);
}

afterAll(async () => {
  for (const node of ["n0", "n1", "quiet", "slots", "halts"])
    await call("POST", `${CLUSTER}/nodes/${node}/stop`);
});

describe("events", () => {
  let lastId = "";

  it("streams a peer joining and a state change, each with an id", async () => {
    expect(
      (await callJson("POST", `${CLUSTER}/bootstrap`, { body: { size: 2, config: CONFIG } })).status,
    ).toBe(200);
    const stream = await open(`${CLUSTER}/nodes/n0/events`);
    try {
      const first = await stream.next();
      expect(first?.retry).toBe(1000);
      await stream.until((m) => (m.event === "joined" || m.event === "alive") && data(m).node === "n1");

      await callJson("PUT", `${CLUSTER}/nodes/n1/state/color`, { body: { value: "green" } });
      const seen = await stream.until((m) => m.event === "state" && data(m).node === "n1");
      const change = seen.at(-1) as SseMessage;
      expect(data(change).keys).toContain("color");
      expect(change.id).toBe(String(data(change).seq));
      lastId = change.id as string;
    } finally {
      await stream.cancel();
    }
  });

  it("resumes after Last-Event-ID without repeating earlier events", async () => {
    expect(lastId).not.toBe("");
    await callJson("PUT", `${CLUSTER}/nodes/n1/state/shape`, { body: { value: "round" } });
    const stream = await open(`${CLUSTER}/nodes/n0/events`, { "Last-Event-ID": lastId });
    try {
      const seen = await stream.until((m) => m.event === "state" && (data(m).keys ?? []).includes("shape"));
      for (const message of seen) {
        if (message.id !== undefined) expect(Number(message.id)).toBeGreaterThan(Number(lastId));
      }
    } finally {
      await stream.cancel();
    }
  });

  it("with follow=false sends the events held now, then ends the stream and asks no more", async () => {
    const node = `${CLUSTER}/nodes/n0`;
    // Calls the node answered other than its peers' gossip: the API's, this test's reads among them.
    const apiCalls = async () => {
      const { counters } = (await callJson("GET", node)).json;
      return (counters.rpcCallsAnswered - counters.peerCallsAnswered) as number;
    };
    const stream = await open(`${node}/events?follow=false`);
    const held: SseMessage[] = [];
    for (let message = await stream.next(); message !== null; message = await stream.next())
      held.push(message);
    // The whole log from the start (n1 joining, its keys), in order, and the stream ended by itself.
    expect(held.some((m) => m.event === "joined" && data(m).node === "n1")).toBe(true);
    const keys = held.filter((m) => m.event === "state").flatMap((m) => data(m).keys ?? []);
    expect(keys).toEqual(expect.arrayContaining(["color", "shape"]));
    const ids = held.map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // Nothing polls the node once the stream has ended: it answers only this test's own reads
    // (one per read). The wait is the window of observation, longer than the poll interval.
    const before = await apiCalls();
    await new Promise((r) => setTimeout(r, OBSERVE_MS));
    expect((await apiCalls()) - before).toBe(1);
  });

  it("refuses a follow that is neither true nor false, with a JSON 400", async () => {
    const res = await callJson("GET", `${CLUSTER}/nodes/n0/events?follow=yes`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toContain("follow");
  });

  it("relays the node's watch: an idle stream makes no request to the node, and its watch closes with it", async () => {
    const node = `${CLUSTER}/nodes/quiet`;
    expect((await callJson("PUT", node, { body: { seeds: [], config: CONFIG } })).status).toBe(200);
    const answered = async () => (await callJson("GET", node)).json.counters.rpcCallsAnswered as number;

    const stream = await open(`${node}/events`);
    try {
      await stream.next(); // the retry line: the stream is open, its watch accepted
      // The node is alone (no peer gossips with it): the only calls it answers are this test's
      // own reads, one per read. Proving that nothing polls needs a window of observation: this
      // wait is the measurement, not a hope that work is done.
      const before = await answered();
      await new Promise((r) => setTimeout(r, OBSERVE_MS));
      expect((await answered()) - before).toBe(1);
      expect(await watcherCount(NAME, "quiet")).toBe(1);
    } finally {
      await stream.cancel();
    }
    await eventually(async () => (await watcherCount(NAME, "quiet")) === 0, 10_000, "the watch to close");
  });

  it("ends the stream with an error event when the node stops", async () => {
    const node = `${CLUSTER}/nodes/halts`;
    expect((await callJson("PUT", node, { body: { seeds: [], config: CONFIG } })).status).toBe(200);
    const stream = await open(`${node}/events`);
    await stream.next();
    await call("POST", `${node}/stop`);
    const seen = await stream.until((m) => m.event === "error");
    expect(JSON.parse(seen.at(-1)?.data ?? "null").error.code).toBe("node_stopped");
    expect(await stream.next()).toBeNull();
  });

  it("gives a closed stream's slot to the next client at once", async () => {
    // One watcher on the node, so the second client is refused until the first one's slot is free.
    const oneSlot = { token: null };
    const node = `${CLUSTER}/nodes/slots`;
    expect((await callJson("PUT", node, { body: { seeds: [], config: CONFIG } })).status).toBe(200);
    await setWatchCap(NAME, "slots", 1);
    const first = await call("GET", `${node}/events`, oneSlot);
    expect(first.status).toBe(200);
    const stream = new SseReader(first.body as ReadableStream<Uint8Array>);
    await stream.next();
    const refused = await callJson("GET", `${node}/events`, oneSlot);
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("too_many_watchers");

    await stream.cancel();
    const next = await eventually(
      async () => {
        const res = await call("GET", `${node}/events`, oneSlot);
        if (res.status === 200) return res;
        await res.body?.cancel();
        return undefined;
      },
      5_000,
      "a new stream to be accepted",
    );
    await next.body?.cancel();
  });
});
