/**
 * Questions the lifetime faults ask of node views, pure so that they are tested apart: who
 * still shuns a node, who lists it at all, who is not back at its longest wake.
 */
import type { NodeView } from "../../../src/node/rpc-types.js";
import { memberOf } from "../checks.js";

/** Observers (other than the node) that do not list `node` alive in `generation`. */
export function shunning(views: readonly NodeView[], node: string, generation: number): string[] {
  return views
    .filter((view) => view.node !== node)
    .filter((view) => {
      const member = memberOf(view, node);
      return member?.status !== "alive" || member.generation !== generation;
    })
    .map((view) => view.node);
}

/** Observers (other than the node) that still list `node`, in any status. */
export function stillListing(views: readonly NodeView[], node: string): string[] {
  return views
    .filter((view) => view.node !== node && memberOf(view, node) !== undefined)
    .map((view) => view.node);
}

/** A node's longest wake: the rounds a quiet node waits between wakes. */
export function atLongestWake(view: NodeView): boolean {
  return view.wakeRounds >= view.config.roundsPerWake;
}

/** Nodes not back at their longest wake. */
export function notQuiet(views: readonly NodeView[]): string[] {
  return views.filter((view) => !atLongestWake(view)).map((view) => view.node);
}

/** True when the view lists none of `members` alive or suspect (left, dead or forgotten). */
export function seesAllGone(view: NodeView, members: readonly string[]): boolean {
  return members.every((name) => {
    const status = memberOf(view, name)?.status;
    return status === undefined || status === "left" || status === "dead";
  });
}
