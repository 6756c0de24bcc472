/**
 * The one way tests, the bench and the soak wait: ask for a condition again and again until it
 * holds or a deadline passes, never a fixed sleep hoping work is done. Needs only setTimeout,
 * so it runs in Node and in workerd alike. A check that throws counts as "not yet" and its
 * last error is in the timeout message.
 */

/** The deadline passed before the condition held. */
export class PollTimeout extends Error {
  constructor(
    readonly what: string,
    readonly waitedMs: number,
    readonly last: unknown,
    extra = "",
  ) {
    const cause = last === undefined ? "" : `: ${String(last)}`;
    super(`timed out after ${waitedMs} ms waiting for ${what}${cause}${extra}`);
    this.name = "PollTimeout";
  }
}

export interface PollOptions {
  /** What is awaited, for the timeout message. */
  what: string;
  /** Give up after this many ms. */
  timeoutMs: number;
  /** Pause between attempts (after an attempt finishes), ms. */
  everyMs: number;
  /** Extra text for the timeout message, such as a server's recent output. */
  context?: () => string;
}

export interface PollResult<T> {
  value: T;
  /** Date.now() when the successful attempt started. */
  startedAt: number;
  /** Date.now() when the successful attempt finished. */
  at: number;
  attempts: number;
}

/** A value that means "not yet". */
type NotYet = undefined | null | false;

/**
 * Calls `probe` until it returns something truthy, and says when that attempt ran (the bench
 * times phases by it). Throws PollTimeout at the deadline.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | NotYet>,
  options: PollOptions,
): Promise<PollResult<T>> {
  const start = Date.now();
  const deadline = start + options.timeoutMs;
  let last: unknown;
  for (let attempts = 1; ; attempts++) {
    const startedAt = Date.now();
    try {
      const value = await probe();
      if (value) return { value, startedAt, at: Date.now(), attempts };
    } catch (error) {
      last = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const extra = options.context ? `\n${options.context()}` : "";
      throw new PollTimeout(options.what, Date.now() - start, last, extra);
    }
    // everyMs 0 asks again at once (the check itself waits, as a nested poll does).
    if (options.everyMs > 0) await pace(Math.min(options.everyMs, left));
  }
}

/** `pollUntil` for callers that want only the value. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | NotYet>,
  timeoutMs = 20_000,
  everyMs = 50,
  context?: () => string,
): Promise<T> {
  return (await pollUntil(check, { what, timeoutMs, everyMs, ...(context ? { context } : {}) })).value;
}

/**
 * Paces a workload that is itself timed, such as an agent's heartbeats every `ms`, or the
 * pause between two polls: not a wait for work to be done (that is `waitFor`).
 */
export function pace(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `count` more rounds have run on each of `rounds()`'s nodes (polled). */
export async function roundsPass(
  what: string,
  rounds: () => Promise<number[]>,
  count: number,
  timeoutMs = 20_000,
): Promise<void> {
  const start = await rounds();
  await waitFor(what, async () => (await rounds()).every((r, i) => r >= (start[i] ?? 0) + count), timeoutMs);
}
