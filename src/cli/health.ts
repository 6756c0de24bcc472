/**
 * A health check's result as Consul reports it, pure: an HTTP check is passing on 2xx, warning
 * on 429 and critical on anything else or no answer; a command check is passing on exit 0,
 * warning on 1 and critical otherwise (a signal, a timeout, no start). The agent publishes it
 * as the state keys `health` and `health_output` (the output's first 256 bytes, whole UTF-8
 * characters only).
 */

export type Health = "passing" | "warning" | "critical";

/** What a check run found: the verdict and the text behind it. */
export interface CheckResult {
  health: Health;
  output: string;
}

/** Most bytes of output published as `health_output`. */
export const HEALTH_OUTPUT_MAX_BYTES = 256;

/** State keys the agent publishes its check under. */
export const HEALTH_KEY = "health";
export const HEALTH_OUTPUT_KEY = "health_output";

/** An HTTP check's verdict from the answer's status, or null when nothing answered. */
export function httpHealth(status: number | null): Health {
  if (status === null) return "critical";
  if (status >= 200 && status < 300) return "passing";
  return status === 429 ? "warning" : "critical";
}

/** A command check's verdict from its exit code, or null when it did not exit normally. */
export function commandHealth(exitCode: number | null): Health {
  if (exitCode === 0) return "passing";
  return exitCode === 1 ? "warning" : "critical";
}

/** The first `max` bytes of `text` in UTF-8, cut before any character that does not fit whole. */
export function clipOutput(text: string, max = HEALTH_OUTPUT_MAX_BYTES): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= max) return text;
  let end = max;
  // Back off over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}

/** The state keys for a result. */
export function healthState(result: CheckResult): Record<string, string> {
  return { [HEALTH_KEY]: result.health, [HEALTH_OUTPUT_KEY]: clipOutput(result.output) };
}
