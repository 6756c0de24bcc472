/**
 * A tiny server-sent-events reader for tests, the bench and the soak (workerd and Node alike):
 * reads a response body and yields parsed messages (`id`, `event`, `data`, `retry`, or a
 * `comment`), so a caller can wait for the events it expects with a deadline and then cancel
 * the stream.
 */
import { parseSseBlock as parseBlock, type SseMessage } from "../src/client/sse.js";

export type { SseMessage };

export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private readonly pending: SseMessage[] = [];

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  /** The next message, or null when the stream ended. Rejects after `timeoutMs`. */
  async next(timeoutMs = 10_000): Promise<SseMessage | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no server-sent event before the deadline");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no server-sent event before the deadline")), left);
      });
      const chunk = await Promise.race([this.reader.read(), timeout]).finally(() => {
        if (timer !== undefined) clearTimeout(timer);
      });
      if (chunk.done) return null;
      this.buffer += this.decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
      let end = this.buffer.indexOf("\n\n");
      while (end >= 0) {
        this.pending.push(parseBlock(this.buffer.slice(0, end)));
        this.buffer = this.buffer.slice(end + 2);
        end = this.buffer.indexOf("\n\n");
      }
    }
    return this.pending.shift() ?? null;
  }

  /** Reads until `match` accepts a message; returns every message read, the match last. */
  async until(match: (message: SseMessage) => boolean, timeoutMs = 10_000): Promise<SseMessage[]> {
    const deadline = Date.now() + timeoutMs;
    const seen: SseMessage[] = [];
    for (;;) {
      const message = await this.next(Math.max(1, deadline - Date.now()));
      if (message === null)
        throw new Error(`stream ended before the expected event; saw ${JSON.stringify(seen)}`);
      seen.push(message);
      if (match(message)) return seen;
    }
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }
}
