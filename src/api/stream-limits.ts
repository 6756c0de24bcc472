/**
 * The SSE stream's timings (routes/events.ts), declared once and free of Worker imports so
 * the bench and the docs can read them: the keepalive comment, the stream's longest life
 * (EventSource then reconnects and resumes) and the reconnect delay it asks for.
 */

/** A comment line is sent after this long without an event, ms. */
export const KEEPALIVE_MS = 15_000;
/** A stream ends itself after this long, ms. */
export const MAX_STREAM_MS = 5 * 60_000;
/** Client reconnect delay sent as the SSE `retry` field, ms. */
export const RETRY_MS = 1_000;
