/**
 * `hearsay watch`: a node's membership and state changes as they arrive, one line each, over
 * the server-sent events route. When the server ends a stream (it does every few minutes) or
 * the connection drops, it reconnects after the last event it printed, backing off while it
 * fails; an `error` event from the node (stopped, unknown) ends it with exit 1.
 */
import { HearsayApiError, nextBeatDelay, sseMessages } from "../client/index.js";
import { CONNECTION_FLAGS, connect, optional, required } from "./args.js";
import type { Command } from "./command.js";

/** First and longest wait before reconnecting after a failure, ms. */
const RECONNECT_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

/** What an event's data holds (see the events route in docs/api.md). */
interface EventData {
  type?: string;
  node?: string;
  generation?: number;
  at?: number;
  keys?: string[];
  seq?: number;
}

export const watchCommand: Command = {
  name: "watch",
  summary: "Print a node's membership and state changes as they arrive.",
  usage: "hearsay watch --url URL --cluster C --node N [--since SEQ] [--json]",
  graceful: true,
  flags: {
    ...CONNECTION_FLAGS,
    node: { type: "string", value: "N", help: "the node whose view to watch" },
    since: {
      type: "string",
      value: "SEQ",
      help: "start after this event sequence number (default: all it holds)",
    },
    json: { type: "boolean", help: "print each event's data as one JSON line" },
  },

  async run(values, io) {
    const client = connect(values);
    const cluster = required(values, "cluster");
    const node = required(values, "node");
    const sinceText = optional(values, "since");
    let since = sinceText === undefined ? undefined : Number(sinceText);
    let failures = 0;
    while (!io.stop.aborted) {
      try {
        const body = await client.events(cluster, node, {
          ...(since === undefined ? {} : { since }),
          signal: io.stop,
        });
        failures = 0;
        for await (const message of sseMessages(body)) {
          if (message.event === "error") {
            io.err(`hearsay watch: ${message.data ?? "the node failed"}`);
            return 1;
          }
          if (message.data === undefined) continue;
          if (message.id !== undefined) since = Number(message.id);
          io.out(values.json === true ? message.data : eventLine(message.event, message.data));
        }
      } catch (error) {
        if (io.stop.aborted) break;
        if (
          error instanceof HearsayApiError &&
          error.status >= 400 &&
          error.status < 500 &&
          error.status !== 429
        ) {
          io.err(`hearsay watch: ${error.message}`);
          return 1;
        }
        if (failures === 0)
          io.err(`hearsay watch: ${error instanceof Error ? error.message : String(error)}; reconnecting`);
        failures++;
      }
      const wait = nextBeatDelay(RECONNECT_MS, failures, RECONNECT_MAX_MS);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        io.stop.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
    return 0;
  },
};

/** `2026-12-06T22:00:00.000Z suspect n3 (generation 1)`, plus the keys of a state event. */
export function eventLine(event: string | undefined, data: string): string {
  let parsed: EventData;
  try {
    parsed = JSON.parse(data) as EventData;
  } catch {
    return `${event ?? "message"} ${data}`;
  }
  const at = typeof parsed.at === "number" ? new Date(parsed.at).toISOString() : "-";
  const keys = parsed.keys && parsed.keys.length > 0 ? ` keys ${parsed.keys.join(",")}` : "";
  return `${at} ${parsed.type ?? event ?? "event"} ${parsed.node ?? "-"} (generation ${parsed.generation ?? "-"})${keys}`;
}
