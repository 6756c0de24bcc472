/**
 * Saving the broadcast tree's eager links (plumtree.ts), so an object woken from hibernation
 * keeps its tree: at most once per `snapshotEveryMs`, as changed statuses are, since a mesh
 * under churn changes its links on many pushes (a change made since is saved by the next call
 * past that, at a round or an answer). A failure is counted and never fails the call.
 */
import type { Gossiper } from "../core/index.js";
import type { NodeStore } from "./node-store.js";

export class TreeSaves {
  /** When the eager links were last saved (ms). */
  private savedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: NodeStore,
    private readonly everyMs: number,
    private readonly failed: (error: unknown) => void,
  ) {}

  /** Saves the links if they changed and the last save is `everyMs` old. */
  save(gossiper: Gossiper, now = Date.now()): void {
    if (now - this.savedAt < this.everyMs) return;
    const eager = gossiper.takeEagerChange();
    if (!eager) return;
    this.savedAt = now;
    try {
      this.store.saveEager(eager);
    } catch (error) {
      this.failed(error);
    }
  }
}
