/**
 * One mesh under measurement: its nodes, which of them the bench holds live, the false
 * suspicions seen so far, and the deadline polls every step of run-mesh.ts asks with (full
 * views, for per-node statuses; the cluster summary's briefs, for counts).
 */

import type { NodeView } from "../../src/node/rpc-types.js";
import { mapLimit } from "../../src/shared/map-limit.js";
import { pollUntil } from "../../tools/poll.js";
import type { HearsayClient } from "./api-client.js";
import type { MeshConfig } from "./mesh-types.js";
import {
  type AlarmReading,
  type BriefCounts,
  fullMembershipByCounts,
  medianRoundsBetween,
  quietByBriefs,
  roundsByNode,
  SuspicionTracker,
} from "./views.js";

export const VIEW_CONCURRENCY = 16;

type RoundsReading = ReadonlyArray<{ node: string; rounds?: number | null; counters?: { rounds: number } }>;

export class MeshSession {
  readonly names: string[];
  readonly live: Set<string>;
  readonly suspicions = new SuspicionTracker();
  polls = 0;
  briefPolls = 0;
  /** The last views read, whose counters the next reading is compared with (alarm lateness). */
  countersRead: readonly AlarmReading[] = [];
  /** Rounds every quiet node waits between wakes (read from the config once the mesh runs). */
  longestWake = 1;

  constructor(
    readonly client: HearsayClient,
    readonly config: MeshConfig,
  ) {
    this.names = Array.from({ length: config.nodes }, (_, i) => `n${i}`);
    this.live = new Set(this.names);
  }

  liveNames(): string[] {
    return this.names.filter((name) => this.live.has(name));
  }

  viewsOf(nodes: readonly string[]): Promise<NodeView[]> {
    return mapLimit(nodes, VIEW_CONCURRENCY, (node) => this.client.view(this.config.cluster, node));
  }

  /** Polls every live node's view until `done(views)`; every poll also feeds the tracker. */
  pollViews(what: string, done: (views: NodeView[]) => boolean) {
    return pollUntil(async () => {
      const views = await this.viewsOf(this.liveNames());
      this.polls++;
      this.suspicions.observe(views, this.live);
      return done(views) ? views : undefined;
    }, this.pollOptions(what));
  }

  /**
   * Polls the cluster summary (every node's brief: counts, never a view) until `done(briefs)`,
   * every `everyMs` (default: the config's pace).
   */
  pollBriefs(what: string, done: (briefs: BriefCounts[]) => boolean, everyMs?: number) {
    return pollUntil(
      async () => {
        const briefs = await this.client.briefs(this.config.cluster);
        this.briefPolls++;
        return done(briefs) ? briefs : undefined;
      },
      { ...this.pollOptions(what), ...(everyMs === undefined ? {} : { everyMs }) },
    );
  }

  /** Until every live node waits its longest between wakes: none is busy after a change. */
  untilQuiet(what: string) {
    return this.pollBriefs(what, (briefs) => quietByBriefs(briefs, this.liveNames(), this.longestWake));
  }

  /** Until every node is live and counts every node alive. */
  untilFullMembership(what: string, everyMs?: number) {
    return this.pollBriefs(what, (briefs) => fullMembershipByCounts(briefs, this.names), everyMs);
  }

  /** The median node's rounds between two readings. */
  roundsSince(before: RoundsReading, after: RoundsReading): number {
    return medianRoundsBetween(roundsByNode(before), roundsByNode(after));
  }

  private pollOptions(what: string) {
    return { what, timeoutMs: this.config.phaseTimeoutMs, everyMs: this.config.pollEveryMs };
  }
}
