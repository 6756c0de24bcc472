/**
 * One valid example of every v2 message type, as sent by "b" of cluster "test" (generation 1)
 * to a node of that cluster, for the validation and fuzzing tests.
 */
import type { GossipMessage, NodeDelta } from "../../../src/core/index.js";

export const delta = (overrides: Partial<NodeDelta> = {}): NodeDelta => ({
  n: "b",
  g: 1,
  i: 0,
  s: 0,
  from: 0,
  reset: false,
  max: 2,
  gc: 0,
  kv: [
    ["load", "0.5", 1],
    ["gone", null, 2],
  ],
  ...overrides,
});

const envelope = { v: 2, c: "test", f: "b", g: 1 };

/** Every message type, valid, with piggybacked news where the type allows it. */
export function validMessages(): Record<GossipMessage["t"], Record<string, unknown>> {
  return {
    ping: { t: "ping", ...envelope, s: 7, n: [["x", 1, 0, 1, 0, "b"]] },
    pingreq: { t: "pingreq", ...envelope, s: 8, target: "c" },
    ack: { t: "ack", ...envelope, s: 7, n: [["b", 1, 1, 0, 3]] },
    nack: { t: "nack", ...envelope, s: 8 },
    syn: { t: "syn", ...envelope, mode: "push-pull", fp: 123456 },
    synack: { t: "synack", ...envelope, bk: Array.from({ length: 64 }, (_, i) => i * 1000) },
    digest: {
      t: "digest",
      ...envelope,
      mode: "push-pull",
      b: [3, 17],
      d: [
        ["b", 1, 0, 0, 2],
        ["c", 2, 3, 1, 5, 1],
      ],
    },
    delta: {
      t: "delta",
      ...envelope,
      need: [
        ["c", 2, 0],
        ["d", 1, 4, 2],
      ],
      delta: [delta()],
    },
    push: { t: "push", ...envelope, hot: true, delta: [delta()], n: [["b", 1, 0, 0, 2]] },
  };
}

export const MESSAGE_TYPES = Object.keys(validMessages()) as GossipMessage["t"][];
