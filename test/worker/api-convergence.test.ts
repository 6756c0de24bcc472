/**
 * The convergence verdict of `GET /v1/clusters/:cluster`, on hand-made views: what counts as
 * live, what is compared (generation, maxVersion, status; not heartbeat or phi), who is in the
 * majority on a tie, and that a cluster with no live node has not converged.
 */
import { describe, expect, it } from "vitest";
import { summarizeCluster, summarizeNode } from "../../src/api/convergence.js";
import type { MemberStatus, MemberView } from "../../src/core/index.js";
import { briefOf } from "../../src/node/node-brief.js";
import type { NodeView } from "../../src/node/rpc-types.js";

function member(node: string, status: MemberStatus = "alive", maxVersion = 0, heartbeat = 1): MemberView {
  return {
    node,
    generation: 100,
    incarnation: 0,
    heartbeat,
    status,
    phi: Math.random(),
    maxVersion,
    state: {},
  };
}

function view(node: string, members: MemberView[], running = true, wakeRounds = 1): NodeView {
  const self = members.find((m) => m.node === node) ?? member(node);
  return {
    cluster: "c",
    node,
    running,
    generation: self.generation,
    status: self.status,
    self,
    members,
    seeds: [],
    config: {} as NodeView["config"],
    options: {} as NodeView["options"],
    counters: {} as NodeView["counters"],
    digest: [],
    wakeRounds,
    at: 0,
  };
}

const all = (hb = 1) => [
  member("a", "alive", 0, hb),
  member("b", "alive", 0, hb),
  member("c", "alive", 0, hb),
];

describe("convergence", () => {
  it("views that differ only in heartbeats and phi have converged", () => {
    const summary = summarizeCluster(
      "c",
      [
        summarizeNode("a", briefOf(view("a", all(5)), false)),
        summarizeNode("b", briefOf(view("b", all(9)), false)),
      ],
      0,
    );
    expect(summary).toMatchObject({ converged: true, differing: [], live: 2, majority: 2 });
  });

  it("a node that lacks a write or sees a different status differs from the majority", () => {
    const behind = [member("a", "alive", 0), member("b"), member("c")];
    const ahead = [member("a", "alive", 3), member("b"), member("c")];
    const suspicious = [member("a", "alive", 3), member("b"), member("c", "suspect")];
    const summary = summarizeCluster(
      "c",
      [
        summarizeNode("a", briefOf(view("a", ahead), false)),
        summarizeNode("b", briefOf(view("b", ahead), false)),
        summarizeNode("c", briefOf(view("c", behind), false)),
        summarizeNode("d", briefOf(view("d", suspicious), false)),
      ],
      0,
    );
    expect(summary.converged).toBe(false);
    expect(summary.differing).toEqual(["c", "d"]);
    expect(summary.nodes.map((n) => n.agrees)).toEqual([true, true, false, false]);
  });

  it("stopped, left and unconfigured nodes are listed but not compared", () => {
    const summary = summarizeCluster(
      "c",
      [
        summarizeNode("a", briefOf(view("a", all()), false)),
        summarizeNode("b", briefOf(view("b", [member("b")], false), false)),
        summarizeNode("c", briefOf(view("c", [member("c", "left")], false), false)),
        summarizeNode("d", null),
        summarizeNode("e", null, "overloaded: retry later"),
      ],
      0,
    );
    expect(summary).toMatchObject({ registered: 5, live: 1, converged: true, differing: [] });
    expect(summary.nodes.find((n) => n.node === "e")).toMatchObject({
      live: false,
      error: "overloaded: retry later",
    });
  });

  it("a tie goes to the view of the alphabetically first live node", () => {
    const one = [member("a"), member("b")];
    const two = [member("a"), member("b", "suspect")];
    const summary = summarizeCluster(
      "c",
      [
        summarizeNode("b", briefOf(view("b", two), false)),
        summarizeNode("a", briefOf(view("a", one), false)),
      ],
      0,
    );
    expect(summary.differing).toEqual(["b"]);
  });

  it("each node's summary carries how long its next wake may wait (null when not configured)", () => {
    const summary = summarizeCluster(
      "c",
      [
        summarizeNode("a", briefOf(view("a", all(), true, 8), false)),
        summarizeNode("b", briefOf(view("b", all(), true, 1), false)),
        summarizeNode("c", null),
      ],
      0,
    );
    expect(summary.nodes.map((n) => n.wakeRounds)).toEqual([8, 1, null]);
  });

  it("a cluster with no live node has not converged", () => {
    const summary = summarizeCluster("c", [summarizeNode("a", null)], 0);
    expect(summary).toMatchObject({ converged: false, live: 0, majority: 0 });
  });
});
