/**
 * Every node's event log, followed on one stream per node for the whole soak (memory only on
 * the node: an eviction empties it, so a node is evicted only while its stream is open and
 * has read it). Events are kept once each, with the node that logged them.
 */
import type { SequencedEvent } from "../../src/node/rpc-types.js";
import { pace, pollUntil } from "../../tools/poll.js";
import { EventFollower, type SoakClient } from "./client.js";
import type { EventFigures } from "./soak-result.js";

/**
 * Before an eviction the node's stream must have been open this long (it polls every 500 ms),
 * so what the log held is read; an eviction empties it.
 */
export const STREAM_OPEN_BEFORE_EVICT_MS = 1_200;

/** How long the end waits for every stream to be open, ms. */
const ALL_OPEN_TIMEOUT_MS = 30_000;

export interface LoggedEvent {
  observer: string;
  event: SequencedEvent;
}

export class EventLogs {
  readonly events: LoggedEvent[] = [];
  read = 0;
  deaths = 0;
  evictionsSkipped = 0;
  private readonly followers = new Map<string, EventFollower>();
  private readonly seen = new Map<string, Set<number>>();

  constructor(
    private readonly client: SoakClient,
    private readonly names: readonly string[],
  ) {}

  /** Opens one stream per node. */
  followAll(): void {
    for (const node of this.names) {
      const seen = new Set<number>();
      this.seen.set(node, seen);
      this.followers.set(
        node,
        new EventFollower(this.client, node, (event) => {
          if (seen.has(event.seq)) return;
          seen.add(event.seq);
          this.events.push({ observer: node, event });
          this.read++;
          if (event.type === "dead") this.deaths++;
        }),
      );
    }
  }

  /** True when the node's stream has been open long enough that its log was read. */
  readUpToNow(node: string): boolean {
    return this.followers.get(node)?.openFor(STREAM_OPEN_BEFORE_EVICT_MS) ?? false;
  }

  /** Nodes whose log is not being read now. */
  unread(): string[] {
    return this.names.filter((node) => !this.readUpToNow(node));
  }

  /** When `observer` last logged an event about one of `about` at or before `until` (node clock, ms). */
  lastAt(observer: string, about: ReadonlySet<string>, until: number): number | null {
    let last: number | null = null;
    for (const { observer: by, event } of this.events)
      if (by === observer && about.has(event.node) && event.at <= until && (last === null || event.at > last))
        last = event.at;
    return last;
  }

  /**
   * Waits until every stream is open (none lost unread: a node is evicted only while its
   * stream is open), long enough to read the last polls, then closes them all. Answers what
   * the streams met and the logs that could not be read.
   */
  async finish(): Promise<{ figures: EventFigures; unreadLogs: string[] }> {
    await pollUntil(async () => (this.unread().length === 0 ? true : undefined), {
      what: "every event stream open",
      timeoutMs: ALL_OPEN_TIMEOUT_MS,
      everyMs: 250,
    }).catch(() => undefined);
    const unreadLogs = this.unread();
    await pace(STREAM_OPEN_BEFORE_EVICT_MS);
    return { figures: await this.stopAll(), unreadLogs };
  }

  /** Closes every stream and sums what they met. */
  private async stopAll(): Promise<EventFigures> {
    const streamErrors: Record<string, number> = {};
    let connects = 0;
    for (const follower of this.followers.values()) {
      await follower.stop();
      connects += follower.connects;
      for (const [cause, count] of Object.entries(follower.errors))
        streamErrors[cause] = (streamErrors[cause] ?? 0) + count;
    }
    return {
      read: this.read,
      connects,
      streamErrors,
      evictionsSkipped: this.evictionsSkipped,
      deaths: this.deaths,
    };
  }
}
