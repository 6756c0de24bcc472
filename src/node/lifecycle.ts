/**
 * The one state field of a GossipNode: where it is in its life, each state holding what it
 * needs. `unconfigured` holds nothing (and has stored nothing); the others hold the node's
 * runtime (settings, record, core, transport; see node-runtime.ts).
 * - running: the alarm loop runs and peers' exchanges are answered;
 * - stopped: as if crashed, state kept, `start` begins a new generation;
 * - hung: as if frozen (a hung machine or a partition): no rounds, and peers' messages are
 *   taken but never answered (callers time out), until `start` resumes the same generation;
 *   memory only, so a wake-up finds it running again;
 * - left: the leave is announced; `confirmed` once a peer took it (or there was no one to
 *   tell), otherwise `leave` may be called again to retry.
 */
import type { NodeRuntime } from "./node-runtime.js";

export type Lifecycle =
  | { state: "unconfigured" }
  | { state: "running"; node: NodeRuntime }
  | { state: "stopped"; node: NodeRuntime }
  | { state: "hung"; node: NodeRuntime; release: () => void; released: Promise<void> }
  | { state: "left"; node: NodeRuntime; confirmed: boolean };

export const UNCONFIGURED: Lifecycle = { state: "unconfigured" };

/** The state a runtime read back from storage is in. A saved leave counts as confirmed. */
export function lifecycleOf(node: NodeRuntime | null): Lifecycle {
  if (!node) return UNCONFIGURED;
  if (node.record.running) return { state: "running", node };
  return node.left ? { state: "left", node, confirmed: true } : { state: "stopped", node };
}
