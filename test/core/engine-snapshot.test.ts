/**
 * engine-snapshot.ts: a node saved and read back after a wake-up knows the same members with
 * the same claims, keeps a suspicion timed from when it began, keeps its graves and hosted
 * agents, and does not take the wake-up for news.
 */
import { describe, expect, it } from "vitest";
import { hostHeartbeat } from "../../src/core/agent-hosting.js";
import { declare, forget } from "../../src/core/claims.js";
import { createContext } from "../../src/core/engine-context.js";
import { loadSnapshot, snapshotOf } from "../../src/core/engine-snapshot.js";
import { NodeState, resolveConfig, seededRng } from "../../src/core/index.js";
import { view } from "../../src/core/member-views.js";
import { engine, names } from "./support/engine.js";

describe("engine snapshot", () => {
  it("reads back the same view, suspicion start, graves and agents, backed off", () => {
    const { ctx, advance, now } = engine({ peers: names(5) });
    ctx.state.self.set("colour", "red");
    ctx.state.refresh(ctx.state.self);
    declare(ctx, "p1", 1);
    const suspectedAt = now();
    declare(ctx, "p2", 2);
    forget(ctx, "p2", now());
    hostHeartbeat(ctx, "w", 500, { load: "1" }, () => {});
    advance(5000);
    const saved = structuredClone(snapshotOf(ctx));

    const clock = now;
    const restored = createContext(
      { cluster: "test", name: "a", generation: 1, config: resolveConfig({}), clock, rng: seededRng(2) },
      NodeState.fromSnapshot(saved.self, clock()),
    );
    loadSnapshot(restored, saved, clock());
    expect(view(restored)).toEqual(view(ctx));
    expect(restored.records.since("p1", clock())).toBe(suspectedAt);
    expect(restored.suspects.has("p1")).toBe(true);
    expect(restored.state.graveyard.has("p2")).toBe(true);
    expect(restored.hosted.has("w")).toBe(true);
    expect(restored.aePause).toBe(restored.config.maxBackoffRounds);
    expect(restored.state.fingerprint.value).toBe(ctx.state.fingerprint.value);
  });
});
