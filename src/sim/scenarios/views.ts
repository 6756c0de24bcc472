/**
 * Whole-view checks for one node ("sees every live node alive", "holds every live node's
 * state") that stay cheap when re-run on every message: a cursor per observer remembers how
 * far the check got, and only a check that reaches the end re-verifies everything.
 */
import type { SimCluster, SimNode } from "../cluster.js";

export type PairCheck = (observer: SimNode, subject: SimNode) => boolean;

export class ViewCheck {
  private readonly cursor = new Map<string, number>();
  private subjects: SimNode[] = [];

  constructor(
    private readonly cluster: SimCluster,
    private readonly pair: PairCheck,
  ) {
    this.refresh();
  }

  /** Re-reads the set of live subjects (after a crash, restart or join). */
  refresh(): void {
    this.subjects = this.cluster.live();
    this.cursor.clear();
  }

  holds(observer: SimNode): boolean {
    const subjects = this.subjects;
    let i = this.cursor.get(observer.name) ?? 0;
    while (i < subjects.length && this.ok(observer, subjects[i] as SimNode)) i++;
    this.cursor.set(observer.name, i);
    if (i < subjects.length) return false;
    for (let j = 0; j < subjects.length; j++) {
      if (!this.ok(observer, subjects[j] as SimNode)) {
        this.cursor.set(observer.name, j);
        return false;
      }
    }
    return true;
  }

  private ok(observer: SimNode, subject: SimNode): boolean {
    return observer === subject || !subject.up || this.pair(observer, subject);
  }
}

/** The observer sees the subject as alive. */
export const seesAlive: PairCheck = (observer, subject) =>
  observer.gossiper.statusOf(subject.name) === "alive";

/** The observer holds all of the subject's current state (same generation, same max version). */
export const holdsState: PairCheck = (observer, subject) => {
  const known = observer.gossiper.stateOf(subject.name);
  const self = subject.gossiper.self;
  return known !== undefined && known.generation === self.generation && known.maxVersion >= self.maxVersion;
};
