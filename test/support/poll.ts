/**
 * The one way tests wait: ask for a condition again and again until it holds or a deadline
 * passes. Shared by the workerd tests and the end-to-end tests (it needs only setTimeout).
 * A check that throws is asked again; the last error is in the timeout message.
 */
/**
 * Paces a workload that is itself timed, such as an agent's heartbeats every `ms`: not a wait
 * for work to be done (that is `waitFor`).
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

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false | null>,
  timeoutMs = 20_000,
  everyMs = 50,
  /** Extra text for the timeout message, such as the server's recent output. */
  context?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const cause = last === undefined ? "" : `: ${String(last)}`;
      const extra = context ? `\n${context()}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}${extra}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
