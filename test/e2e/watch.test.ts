/**
 * End to end over real `wrangler dev`, with Node's own WebSocket: a watcher on node A gets a
 * write made on node B as one push (well inside one gossip interval, so not from a later round's
 * exchange), the keepalive ping is answered, and a stopped node closes its watcher with its code.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WATCH_CLOSE, WATCH_PING, WATCH_PONG } from "../../src/node/watch-protocol.js";
import { waitFor } from "../../tools/poll.js";
import { startWranglerDev, type WranglerDev } from "../../tools/wrangler-dev.js";

const CLUSTER = "e2e-watch";
const SIZE = 3;
// Rounds far apart: a write that arrives well within one interval came by the push.
const CONFIG = { intervalMs: 5_000, probeTimeoutMs: 1_000, suspicionMult: 5 };

interface Received {
  texts: string[];
  at: number[];
  close: { code: number; reason: string } | null;
}

describe("watch over real HTTP", () => {
  let dev: WranglerDev;
  let socket: WebSocket;
  const received: Received = { texts: [], at: [], close: null };

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${dev.url}/v1/clusters/${CLUSTER}${path}`, {
      method,
      headers: { authorization: `Bearer ${dev.token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    dev = await startWranglerDev();
    expect((await api("POST", "/bootstrap", { size: SIZE, config: CONFIG })).status).toBe(200);
    await waitFor(
      "n0 to see every node alive",
      async () => {
        const page = await (await api("GET", "/members?from=n0")).json();
        return page.members?.length === SIZE;
      },
      60_000,
      250,
      () => dev.output().slice(-2000),
    );
  });

  afterAll(async () => {
    socket?.close();
    if (!dev) return;
    for (let i = 0; i < SIZE; i++) await api("POST", `/nodes/n${i}/stop`).catch(() => {});
    await dev.stop();
  });

  it("a watcher on n0 gets a write made on n1 within one push", async () => {
    socket = new WebSocket(`${dev.url.replace(/^http/, "ws")}/v1/clusters/${CLUSTER}/nodes/n0/watch`);
    socket.addEventListener("message", (message) => {
      received.texts.push(String(message.data));
      received.at.push(Date.now());
    });
    socket.addEventListener("close", (event) => {
      received.close = { code: event.code, reason: event.reason };
    });
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("error", () => reject(new Error("the watch did not open")));
    });

    const wroteAt = Date.now();
    expect((await api("PUT", "/nodes/n1/state/color", { value: "green" })).status).toBe(200);
    const { i: index } = await waitFor(
      "n1's write at n0's watcher",
      async () => {
        const i = received.texts.findIndex((text) => {
          const event = text.startsWith("{") ? JSON.parse(text) : null;
          return event?.type === "state" && event.node === "n1" && event.keys.includes("color");
        });
        return i >= 0 ? { i } : undefined; // an object: index 0 is a found event, not a miss
      },
      20_000,
      50,
      () => `received: ${received.texts.join("\n")}\n${dev.output().slice(-3000)}`,
    );
    const event = JSON.parse(received.texts[index] as string);
    expect(typeof event.seq).toBe("number");
    expect((received.at[index] as number) - wroteAt).toBeLessThan(CONFIG.intervalMs);
  });

  it(`answers "${WATCH_PING}" with "${WATCH_PONG}"`, async () => {
    socket.send(WATCH_PING);
    await waitFor("the pong", async () => received.texts.includes(WATCH_PONG), 10_000);
  });

  it("is closed with the stopped code when its node stops", async () => {
    expect((await api("POST", "/nodes/n0/stop")).status).toBe(200);
    await waitFor("the close", async () => received.close !== null, 10_000);
    expect(received.close?.code).toBe(WATCH_CLOSE.stopped.code);
  });
});
