/**
 * agent-hosting.ts: a node homes an agent on its first heartbeat (saving its row before memory
 * changes), writes its keys as it writes its own, judges it by phi when its heartbeats stop,
 * announces its leave, and lets the shell know which rows to save or drop.
 */
import { describe, expect, it } from "vitest";
import { hostHeartbeat, judgeHosted, leaveHosted, takeHostedChanges } from "../../src/core/agent-hosting.js";
import { takeOutbox } from "../../src/core/dissemination.js";
import type { HostedSnapshot } from "../../src/core/index.js";
import { memberView } from "../../src/core/member-views.js";
import { engine, names } from "./support/engine.js";

describe("agent hosting", () => {
  it("registers an agent on its first heartbeat, saving its row first, and pushes it at once", () => {
    const { ctx } = engine({ peers: names(4) });
    const rows: Array<[HostedSnapshot, boolean]> = [];
    const claim = hostHeartbeat(ctx, "worker-1", 500, { load: "3" }, (row, changed) => {
      expect(ctx.hosted.has("worker-1")).toBe(false);
      rows.push([row, changed]);
    });
    expect(claim).toMatchObject({ outcome: "registered", status: "alive" });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.[1]).toBe(true);
    expect(memberView(ctx, "worker-1")).toMatchObject({ kind: "agent", home: "a", state: { load: "3" } });
    expect(ctx.events.map((event) => [event.type, event.node])).toEqual([
      ["joined", "worker-1"],
      ["state", "worker-1"],
    ]);
    expect(takeOutbox(ctx).length).toBeGreaterThan(0);
    // An agent is never a gossip peer.
    expect(ctx.peers.size(1)).toBe(4);
  });

  it("refuses a heartbeat for a name that is a node, or with a reserved key", () => {
    const { ctx } = engine({ peers: names(2) });
    const save = () => {};
    expect(() => hostHeartbeat(ctx, "p0", 500, undefined, save)).toThrow(RangeError);
    expect(() => hostHeartbeat(ctx, "a", 500, undefined, save)).toThrow(RangeError);
    expect(() => hostHeartbeat(ctx, "w", 500, { "~kind": "node" }, save)).toThrow(RangeError);
    expect(ctx.hosted.size).toBe(0);
  });

  it("suspects an agent whose heartbeats stop, then declares it dead, saving each judgement", () => {
    const { ctx, advance, now } = engine({ peers: names(2) });
    for (let i = 0; i < 5; i++) {
      hostHeartbeat(ctx, "w", 500, undefined, () => {});
      advance(500);
    }
    takeHostedChanges(ctx);
    advance(10_000);
    judgeHosted(ctx, now(), ctx.state.size);
    expect(ctx.state.get("w")?.status).toBe(1);
    advance(60_000);
    judgeHosted(ctx, now(), ctx.state.size);
    expect(ctx.state.get("w")?.status).toBe(2);
    expect(takeHostedChanges(ctx).save.map((row) => row.state.status)).toEqual([2]);
  });

  it("announces an agent's leave once, and answers a second leave with the same claim", () => {
    const { ctx } = engine({ peers: names(2) });
    hostHeartbeat(ctx, "w", 500, undefined, () => {});
    takeOutbox(ctx);
    const saved: HostedSnapshot[] = [];
    const first = leaveHosted(ctx, "w", (row) => saved.push(row));
    expect(first).toMatchObject({ outcome: "left", status: "left" });
    expect(saved).toHaveLength(1);
    expect(takeOutbox(ctx).length).toBeGreaterThan(0);
    expect(leaveHosted(ctx, "w", (row) => saved.push(row))).toEqual(first);
    expect(saved).toHaveLength(1);
    expect(leaveHosted(ctx, "nobody", () => {})).toBeNull();
  });
});
