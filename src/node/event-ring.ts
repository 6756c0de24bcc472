/**
 * A bounded in-memory ring of a node's membership events, numbered so a reader can ask for
 * "everything after seq N". Memory only: a wake-up starts an empty log. Sequence numbers start
 * from the wall clock (ms * 1000) so they still increase across wake-ups and a reader's
 * `since` from before one never hides newer events. Each append is also handed to `onAppend`
 * (the node's watchers, watchers.ts), so a watcher hears an event as it is recorded.
 */
import type { MembershipEvent } from "../core/index.js";
import type { EventsPage, SequencedEvent } from "./rpc-types.js";

export class EventLog {
  private readonly ring: SequencedEvent[] = [];
  private last: number;

  constructor(
    private readonly capacity: number,
    now: number,
    private readonly onAppend: (events: readonly SequencedEvent[]) => void = () => {},
  ) {
    this.last = now * 1000;
  }

  append(events: readonly MembershipEvent[]): void {
    const added = events.map((event) => ({ ...event, seq: ++this.last }));
    this.ring.push(...added);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    if (added.length > 0) this.onAppend(added);
  }

  /** Events with seq greater than `since` (all kept ones when `since` is from another life). */
  since(since: number): EventsPage {
    const from = Number.isFinite(since) && since <= this.last ? since : 0;
    return { events: this.ring.filter((event) => event.seq > from), next: this.last };
  }
}
