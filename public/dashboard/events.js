/**
 * Follows a node's server-sent events. It reads the stream with fetch rather than EventSource
 * because EventSource cannot send the bearer token, and reconnects after the last event id and a
 * growing back-off until stopped.
 */
import { api } from "./api.js";

/** @typedef {{ event: string, id: string | null, data: string }} SseMessage */

/**
 * Parses complete SSE messages out of buffer; returns [messages, rest].
 * @param {string} buffer
 * @returns {[SseMessage[], string]}
 */
export function parseSse(buffer) {
  /** @type {SseMessage[]} */
  const messages = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() || "";
  for (const block of blocks) {
    let event = "message";
    /** @type {string | null} */
    let id = null;
    /** @type {string[]} */
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "id") id = value;
      else if (field === "data") data.push(value);
    }
    if (data.length > 0) messages.push({ event, id, data: data.join("\n") });
  }
  return [messages, rest];
}

/**
 * Follows a node's event stream until the returned stop() is called, resuming after the last
 * event id on each reconnect. onMessage gets { event, id, data } with
 * data parsed as JSON when it is JSON; onState gets "open", "retrying" (with the error) or "stopped".
 * @param {string} cluster
 * @param {string} node
 * @param {(message: { event: string, id: string | null, data: any }) => void} onMessage
 * @param {(phase: "open" | "retrying" | "stopped", error?: unknown) => void} onState
 * @returns {() => void}
 */
export function followEvents(cluster, node, onMessage, onState) {
  const controller = new AbortController();
  /** @type {string | null} */
  let lastId = null;
  let backoff = 1000;

  async function once() {
    const since = lastId === null ? undefined : Number(lastId);
    const body = await api.events(cluster, node, since, controller.signal);
    onState("open");
    backoff = 1000;
    const bytes = /** @type {ReadableStream<BufferSource>} */ (body);
    const reader = bytes.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const [messages, rest] = parseSse(buffer + value);
      buffer = rest;
      for (const message of messages) {
        if (message.id !== null) lastId = message.id;
        /** @type {unknown} */
        let data = message.data;
        try {
          data = JSON.parse(message.data);
        } catch {
          // Plain text data stays a string.
        }
        onMessage({ event: message.event, id: message.id, data });
      }
    }
  }

  async function loop() {
    while (!controller.signal.aborted) {
      try {
        await once();
      } catch (error) {
        if (controller.signal.aborted) break;
        onState("retrying", error);
      }
      if (controller.signal.aborted) break;
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, 15000);
    }
    onState("stopped");
  }

  void loop();
  return () => controller.abort();
}
