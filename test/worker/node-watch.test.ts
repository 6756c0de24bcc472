/**
 * `GET .../nodes/:node/watch` inside workerd: the node's own WebSocket (Hibernation API) sends
 * each event as it is recorded, in order and with seq; `?since=` replays what the node holds
 * first; the sockets outlive an eviction (hibernation); the keepalive ping is answered by the runtime; the per-node cap refuses the next
 * watcher with 429 before any upgrade; a stopped or deregistered node closes its watchers with
 * the close code that says so; bad requests get the API's JSON errors.
 */
import { evictDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it, vi } from "vitest";
import { WATCH_CLOSE, WATCH_PING, WATCH_PONG } from "../../src/node/watch-protocol.js";
import { call, callJson, eventually, expectError } from "./support/api.js";
import { nodeStub } from "./support/nodes.js";
import { openWatch, setWatchCap, WatchClient, watcherCount } from "./support/watch.js";

vi.setConfig({ testTimeout: 40_000 });

const CONFIG = { intervalMs: 200, probeTimeoutMs: 100, suspicionMult: 5 };
const NAME = "api-watch";
const CLUSTER = `/v1/clusters/${NAME}`;
const open: WatchClient[] = [];

async function watch(path: string): Promise<WatchClient> {
  const client = await openWatch(path);
  if (!(client instanceof WatchClient))
    throw new Error(`watch answered ${client.status}: ${await client.text()}`);
  open.push(client);
  return client;
}

async function startAlone(node: string): Promise<void> {
  expect(
    (await callJson("PUT", `${CLUSTER}/nodes/${node}`, { body: { seeds: [], config: CONFIG } })).status,
  ).toBe(200);
}

afterAll(async () => {
  for (const client of open) client.close();
  for (const node of ["n0", "n1", "capped", "stopper"]) await call("POST", `${CLUSTER}/nodes/${node}/stop`);
});

describe("watch", () => {
  let firstSeq = 0;

  it("sends a peer's join and its write as they happen, in order, each with seq", async () => {
    expect(
      (await callJson("POST", `${CLUSTER}/bootstrap`, { body: { size: 2, config: CONFIG } })).status,
    ).toBe(200);
    const watcher = await watch(`${CLUSTER}/nodes/n0/watch?since=0`);
    const joined = await watcher.until(
      (e) => (e.type === "joined" || e.type === "alive") && e.node === "n1",
      "n1 to be seen joining",
    );
    firstSeq = joined.seq;
    await callJson("PUT", `${CLUSTER}/nodes/n1/state/color`, { body: { value: "green" } });
    const change = await watcher.until(
      (e) => e.type === "state" && e.node === "n1" && (e.keys ?? []).includes("color"),
      "n1's write to arrive",
    );
    expect(change.seq).toBeGreaterThan(joined.seq);
    const seqs = watcher.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it("with ?since= first replays the events held after it, none at or before it", async () => {
    const watcher = await watch(`${CLUSTER}/nodes/n0/watch?since=${firstSeq}`);
    await watcher.until((e) => e.type === "state" && (e.keys ?? []).includes("color"), "the held write");
    expect(watcher.events.every((e) => e.seq > firstSeq)).toBe(true);
  });

  it("without since sends only what happens from now on", async () => {
    const watcher = await watch(`${CLUSTER}/nodes/n0/watch`);
    await callJson("PUT", `${CLUSTER}/nodes/n1/state/shape`, { body: { value: "round" } });
    const shape = await watcher.until((e) => (e.keys ?? []).includes("shape"), "the new write");
    expect(watcher.events.some((e) => (e.keys ?? []).includes("color"))).toBe(false);
    expect(shape.type).toBe("state");
  });

  it("keeps its watchers through hibernation: after an eviction they still get new events, once each", async () => {
    const watcher = await watch(`${CLUSTER}/nodes/n0/watch`);
    await evictDurableObject(nodeStub(NAME, "n0")); // hibernates the sockets, drops the memory
    await callJson("PUT", `${CLUSTER}/nodes/n1/state/after`, { body: { value: "wake" } });
    await watcher.until((e) => (e.keys ?? []).includes("after"), "a write after the eviction");
    expect(await watcherCount(NAME, "n0")).toBeGreaterThanOrEqual(1);
    // The node's memory did go: its in-memory counters started again, with no watcher accepted.
    expect((await callJson("GET", `${CLUSTER}/nodes/n0`)).json.counters.watchersAccepted).toBe(0);
    const seqs = watcher.events.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it(`answers the keepalive "${WATCH_PING}" with "${WATCH_PONG}" from the runtime, not the node`, async () => {
    const watcher = await watch(`${CLUSTER}/nodes/n0/watch`);
    const received = async () =>
      (await callJson("GET", `${CLUSTER}/nodes/n0`)).json.counters.watchMessagesReceived as number;
    const before = await received();
    watcher.socket.send(WATCH_PING);
    await eventually(async () => watcher.texts.includes(WATCH_PONG), 10_000, "the pong");
    expect(await received()).toBe(before);
  });

  it("caps watchers per node with a 429 too_many_watchers before the upgrade, and frees a closed one's slot", async () => {
    await startAlone("capped");
    await setWatchCap(NAME, "capped", 2);
    const path = `${CLUSTER}/nodes/capped/watch`;
    const first = await watch(path);
    await watch(path);
    const refused = await openWatch(path);
    expect(refused).toBeInstanceOf(Response);
    const res = refused as Response;
    expect(res.status).toBe(429);
    expect(expectError(await res.json()).code).toBe("too_many_watchers");

    first.close();
    await eventually(async () => (await watcherCount(NAME, "capped")) < 2, 10_000, "the closed slot to free");
    await watch(path);
  });

  it("closes its watchers with a clear code when stopped, and when deregistered", async () => {
    await startAlone("stopper");
    const before = await watch(`${CLUSTER}/nodes/stopper/watch`);
    await call("POST", `${CLUSTER}/nodes/stopper/stop`);
    await eventually(async () => before.closeCode !== null, 10_000, "the close on stop");
    expect(before.closeCode).toBe(WATCH_CLOSE.stopped.code);
    expect(before.closeReason).toBe(WATCH_CLOSE.stopped.reason);

    await call("POST", `${CLUSTER}/nodes/stopper/start`);
    const again = await watch(`${CLUSTER}/nodes/stopper/watch`);
    expect((await call("DELETE", `${CLUSTER}/nodes/stopper`)).status).toBeLessThan(300);
    await eventually(async () => again.closeCode !== null, 10_000, "the close on deregistration");
    expect(again.closeCode).toBe(WATCH_CLOSE.deregistered.code);
  });

  it("answers a request that is no upgrade with a JSON 426, a bad since with 400, an unknown node with the events route's 404", async () => {
    const plain = await callJson("GET", `${CLUSTER}/nodes/n0/watch`, { token: null });
    expect(plain.status).toBe(426);
    expect(expectError(plain.json).code).toBe("upgrade_required");

    const bad = await openWatch(`${CLUSTER}/nodes/n0/watch?since=-1`);
    expect((bad as Response).status).toBe(400);
    expect(expectError(await (bad as Response).json()).code).toBe("invalid_request");

    const ghost = await openWatch(`${CLUSTER}/nodes/ghost/watch`);
    const events = await callJson("GET", `${CLUSTER}/nodes/ghost/events`, { token: null });
    expect((ghost as Response).status).toBe(404);
    expect(await (ghost as Response).json()).toEqual(events.json);
  });
});
