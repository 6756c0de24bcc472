/**
 * The shape of what a soak reports (the JSON `npm run soak` writes and the e2e test reads).
 * Keys stay stable: new figures go beside the old ones.
 */
import type { LifetimeResult } from "./lifetime/lifetime-result.js";
import type { SoakConfig } from "./soak-config.js";

export type Action = "write" | "stop" | "start" | "restart" | "evict" | "deleteAlarm";

export interface AckedWrite {
  seq: number;
  node: string;
  key: string;
  value: string;
  version: number;
  at: number;
}

export interface Missing {
  observer: string;
  owner: string;
  key: string;
  expected: string | null;
  actual: string | null;
}

export interface Death {
  observer: string;
  node: string;
  generation: number;
  at: string;
  seq: number;
}

export interface WriteStats {
  acknowledged: number;
  refused: number;
  uncertain: number;
  refusedBy: Record<string, number>;
}

export interface RowFigures {
  alarms: number;
  rowsWritten: number;
  byReason: Record<string, number>;
  /** Every row written (API calls' rows included) per alarm. */
  rowsPerAlarm: number;
  /** Rows the gossip writes (alarm, heartbeat, membership, peers' keys) per alarm: check (c). */
  gossipRowsPerAlarm: number;
  maxNodeRowsPerAlarm: { node: string; rowsPerAlarm: number; alarms: number } | null;
  /** Check (c)'s bound on gossipRowsPerAlarm: boundPerAlarm plus the writes' peer rows per alarm (counters.ts, rowsBound). */
  bound: number;
  /** `--rows-bound`: what a round itself may write. */
  boundPerAlarm: number;
  /** Peers' keys rows per write the driver made (at most N-1). */
  peerRowsPerWrite: number;
  counterResets: number;
}

/** Events read from the logs; `deaths`: dead declarations among them (of any node). */
export interface EventFigures {
  read: number;
  /** Streams opened (one per node, reopened when the Worker ends one). */
  connects: number;
  /** Streams that failed or ended with an error, by cause (HTTP status or error name). */
  streamErrors: Record<string, number>;
  /** Evictions skipped because the node's stream was not open (its log would be lost unread). */
  evictionsSkipped: number;
  deaths: number;
}

export interface SoakChecks {
  writesEverywhere: { ok: boolean; expectedPairs: number; missing: Missing[]; versionsBehind: string[] };
  /** `unreadLogs`: nodes whose log could not be read at the end (then the check cannot pass). */
  protectedNeverDead: { ok: boolean; deaths: Death[]; suspicions: number; unreadLogs: string[] };
  rowsBounded: { ok: boolean };
  allRunningRounds: { ok: boolean; idle: string[] };
}

export interface SoakResult {
  config: SoakConfig;
  startedAt: string;
  chaosSeconds: number;
  /** Seconds from the end of the chaos until the mesh converged (null: the deadline passed). */
  convergeSeconds: number | null;
  protectedNodes: string[];
  actions: Record<Action | "keeper", number>;
  writes: WriteStats;
  faults: { failed: number; lastErrors: string[] };
  events: EventFigures;
  rows: RowFigures;
  checks: SoakChecks;
  /** Dead declarations of unprotected nodes the driver had running, in their generation (not failed on). */
  unexplainedDeaths: Death[];
  /** The lifetime faults and their invariants (null when they did not run: `lifetime` off). */
  lifetime: LifetimeResult | null;
  ok: boolean;
}
