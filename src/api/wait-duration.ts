/**
 * How long a blocking members query (`?wait=&index=`) may hold its request: the one bound, and
 * the duration syntax Consul uses (`30s`, `5m`, `1500ms`; a bare number is seconds).
 */

/** The longest `wait`, and the wait when only `index` is given (Consul's default, 5 minutes). */
export const MEMBERS_WAIT_MAX_MS = 5 * 60_000;

const DURATION = /^([0-9]{1,9})(ms|s|m)?$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000 } as const;

export const WAIT_RULE = `wait must be a duration such as 30s, 5m or 1500ms, at most ${MEMBERS_WAIT_MAX_MS / 60_000}m`;

/** The wait in ms, or null when the text is no duration or is longer than the bound. */
export function parseWait(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? "s") as keyof typeof UNIT_MS];
  return ms <= MEMBERS_WAIT_MAX_MS ? ms : null;
}
