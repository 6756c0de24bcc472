/**
 * Deadline polling for the bench: ask a question repeatedly until it answers, within a
 * bounded number of attempts and a wall-clock deadline. No fixed sleeps hoping work is done.
 */

export class PollTimeout extends Error {
  constructor(
    readonly what: string,
    readonly waitedMs: number,
    readonly last: unknown,
  ) {
    super(`timed out after ${waitedMs} ms waiting for ${what}`);
    this.name = "PollTimeout";
  }
}

export interface PollOptions {
  /** What is awaited, for the error message. */
  what: string;
  /** Give up after this many ms. */
  timeoutMs: number;
  /** Pause between attempts (after an attempt finishes), ms. */
  everyMs: number;
}

export interface PollResult<T> {
  value: T;
  /** Date.now() when the successful attempt started. */
  startedAt: number;
  /** Date.now() when the successful attempt finished. */
  at: number;
  attempts: number;
}

/**
 * Calls `probe` until it returns something other than undefined. A probe that throws counts as
 * "not yet" (the error is kept for the timeout message). Throws PollTimeout at the deadline.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  options: PollOptions,
): Promise<PollResult<T>> {
  const start = Date.now();
  const deadline = start + options.timeoutMs;
  const maxAttempts = Math.ceil(options.timeoutMs / Math.max(1, options.everyMs)) + 1;
  let last: unknown;
  for (let attempts = 1; attempts <= maxAttempts && Date.now() <= deadline; attempts++) {
    const startedAt = Date.now();
    try {
      const value = await probe();
      if (value !== undefined) return { value, startedAt, at: Date.now(), attempts };
    } catch (error) {
      last = error;
    }
    const pause = Math.min(options.everyMs, deadline - Date.now());
    if (pause > 0) await delay(pause);
  }
  throw new PollTimeout(options.what, Date.now() - start, last);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** p-th percentile (0..100) of the values by nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
