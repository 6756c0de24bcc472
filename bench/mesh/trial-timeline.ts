/**
 * What one failure looked like in the nodes' event logs: when the first node suspected the
 * victim and who it was, when the median and the last observer first held it non-alive, when
 * the first and the last declared it dead, and how many observers raised the suspicion
 * themselves. The bench prints one line of it per victim and trial, so a slow trial shows
 * where its time went (the wait for a probe, the spread of the news, the suspicion timeout).
 */
import type { SequencedEvent } from "../../src/node/rpc-types.js";

export interface FailureTimeline {
  victim: string;
  how: "stopped" | "hung";
  /** ms from the fault to the first `suspect` (or `dead`) any observer logged; null: none did. */
  firstSuspectMs: number | null;
  /** Who raised that first suspicion, as the event says (null when it does not). */
  firstSuspectBy: string | null;
  /** The median observer's first non-alive event, ms from the fault. */
  medianNonAliveMs: number | null;
  /** The last observer's first non-alive event (the "non-alive everywhere" figure). */
  lastNonAliveMs: number | null;
  firstDeadMs: number | null;
  /** The observer that logged `dead` first. */
  firstDeadAt: string | null;
  /** The last observer's first `dead` (the "dead everywhere" figure). */
  lastDeadMs: number | null;
  /** Observers that logged a suspicion raised by themselves (their own probe failed). */
  ownSuspicions: number;
  /** Observers whose log holds no non-alive event for the victim (null figures above). */
  missing: number;
}

/** The median of `values` (lower middle), null when empty. */
function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

/** The timeline of `victim`, failed at `at`, in the logs of `observers`. */
export function failureTimeline(
  logs: ReadonlyMap<string, readonly SequencedEvent[]>,
  observers: readonly string[],
  victim: string,
  how: "stopped" | "hung",
  at: number,
): FailureTimeline {
  const nonAlive: Array<{ observer: string; ms: number; by: string | null }> = [];
  const dead: Array<{ observer: string; ms: number }> = [];
  let ownSuspicions = 0;
  let missing = 0;
  for (const observer of observers) {
    const events = (logs.get(observer) ?? []).filter((e) => e.node === victim && e.at >= at);
    const first = events.find((e) => e.type === "suspect" || e.type === "dead");
    if (!first) missing++;
    else nonAlive.push({ observer, ms: first.at - at, by: first.by ?? null });
    if (events.some((e) => e.type === "suspect" && e.by === observer)) ownSuspicions++;
    const died = events.find((e) => e.type === "dead");
    if (died) dead.push({ observer, ms: died.at - at });
  }
  nonAlive.sort((a, b) => a.ms - b.ms);
  dead.sort((a, b) => a.ms - b.ms);
  const complete = missing === 0;
  return {
    victim,
    how,
    firstSuspectMs: nonAlive[0]?.ms ?? null,
    firstSuspectBy: nonAlive[0]?.by ?? null,
    medianNonAliveMs: median(nonAlive.map((n) => n.ms)),
    lastNonAliveMs: complete ? (nonAlive.at(-1)?.ms ?? null) : null,
    firstDeadMs: dead[0]?.ms ?? null,
    firstDeadAt: dead[0]?.observer ?? null,
    lastDeadMs: dead.length === observers.length ? (dead.at(-1)?.ms ?? null) : null,
    ownSuspicions,
    missing,
  };
}

const s = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(2)} s`);

/** One line: `hung n3: first suspect 1.21 s (by n7), non-alive median 1.30 s, last 2.02 s; ...`. */
export function timelineLine(t: FailureTimeline): string {
  const by = t.firstSuspectBy ? ` (by ${t.firstSuspectBy})` : "";
  const at = t.firstDeadAt ? ` (${t.firstDeadAt})` : "";
  const missing = t.missing > 0 ? `; ${t.missing} logs without it` : "";
  return (
    `${t.how} ${t.victim}: first suspect ${s(t.firstSuspectMs)}${by}, non-alive median ${s(t.medianNonAliveMs)}, ` +
    `last ${s(t.lastNonAliveMs)}; first dead ${s(t.firstDeadMs)}${at}, last ${s(t.lastDeadMs)}; ` +
    `${t.ownSuspicions} own suspicions${missing}`
  );
}
