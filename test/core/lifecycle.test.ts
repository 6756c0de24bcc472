/**
 * Lifecycle details a user of the core relies on: config checks, tombstone garbage
 * collection (a lagging node still learns the delete), forgetting dead members without
 * resurrecting them, and restoring from a snapshot without looking restarted.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, Gossiper, resolveConfig, seededRng } from "../../src/core/index.js";
import { MemoryCluster } from "./support/memory-cluster.js";

describe("resolveConfig", () => {
  it("fills defaults, deriving time periods from the interval", () => {
    const config = resolveConfig({ intervalMs: 200 });
    expect(config).toMatchObject({ intervalMs: 200, fanout: 2, mode: "push-pull", phiThreshold: 8 });
    expect(config.minStdDevMs).toBe(100);
    expect(config.suspectTimeoutMs).toBe(800);
  });

  it.each([
    [{ intervalMs: 0 }, "intervalMs"],
    [{ fanout: 2.5 }, "fanout"],
    [{ fanout: 0 }, "fanout"],
    [{ mode: "broadcast" }, "mode"],
    [{ phiThreshold: Number.NaN }, "phiThreshold"],
    [{ jitter: 2 }, "jitter"],
    [{ maxDeltaBytes: "big" }, "maxDeltaBytes"],
  ])("rejects %j naming the field", (input, field) => {
    expect(() => resolveConfig(input as never)).toThrow(ConfigError);
    expect(() => resolveConfig(input as never)).toThrow(new RegExp(`^${field}`));
  });
});

describe("tombstones", () => {
  it("are collected after the grace period, and a node that missed the delete still converges", () => {
    const config = { tombstoneGraceMs: 20_000, deadGraceMs: 10_000_000, suspectTimeoutMs: 10_000_000 };
    const cluster = new MemoryCluster({ size: 10, seed: 11, config });
    cluster.runUntil(() => cluster.everyoneSeesAlive(cluster.running().map((n) => n.name)), 40);
    const owner = cluster.node("n4");
    owner.setKey("gone", "soon");
    owner.setKey("stays", "1");
    cluster.runUntil(() => cluster.running().every((n) => n.memberView("n4")?.state.gone === "soon"), 20);
    cluster.stop("n9"); // n9 will miss the delete entirely
    owner.deleteKey("gone");
    for (let i = 0; i < 40; i++) cluster.round(); // well past the tombstone grace
    expect(owner.self.keys.has("gone")).toBe(false);
    expect(owner.self.gcVersion).toBeGreaterThan(0);
    cluster.stopped.delete("n9");
    const rounds = cluster.runUntil(() => cluster.node("n9").memberView("n4")?.state.gone === undefined, 20);
    expect(rounds).toBeLessThanOrEqual(10);
    expect(cluster.node("n9").memberView("n4")?.state.stays).toBe("1");
    // It caught up through a reset, since the tombstone it needed no longer exists.
    expect(cluster.node("n9").state.get("n4")?.gcVersion).toBe(owner.self.gcVersion);
  });
});

describe("forgetting", () => {
  it("forgets a dead member after the grace period and does not let stale gossip bring it back", () => {
    const config = { deadGraceMs: 30_000 };
    const cluster = new MemoryCluster({ size: 12, seed: 12, config });
    cluster.runUntil(() => cluster.everyoneSeesAlive(cluster.running().map((n) => n.name)), 40);
    cluster.stop("n6");
    const rounds = cluster.runUntil(
      () => cluster.running().every((n) => n.memberView("n6") === undefined),
      80,
    );
    expect(rounds).toBeGreaterThan(30);
    for (let i = 0; i < 20; i++) cluster.round();
    expect(cluster.running().every((n) => n.memberView("n6") === undefined)).toBe(true);
    // It comes back with a new generation: welcomed again.
    cluster.restart("n6");
    cluster.runUntil(() => cluster.running().every((n) => n.statusOf("n6") === "alive"), 20);
  });
});

describe("snapshot and restore", () => {
  it("keeps generation, heartbeat, keys and members, so peers see no restart", () => {
    let now = 5000;
    const options = {
      cluster: "c",
      config: resolveConfig({}),
      seeds: ["b"],
      clock: () => now,
      rng: seededRng(3),
    };
    const a = new Gossiper({ ...options, name: "a", generation: 7 });
    const b = new Gossiper({ ...options, name: "b", generation: 9 });
    a.setKey("x", "1");
    a.deleteKey("x");
    a.setKey("y", "2");
    for (let i = 0; i < 3; i++) {
      b.self.beat();
      for (const { syn } of a.beginRound()) {
        const synAck = b.handleSyn(structuredClone(syn));
        const ack = a.handleSynAck(structuredClone(synAck));
        if (ack && !("ok" in ack)) b.handleAck(structuredClone(ack));
      }
      now += 1000;
    }
    const snapshot = structuredClone(a.snapshot());
    const restored = Gossiper.restore(snapshot, options);
    expect(restored.generation).toBe(7);
    expect(restored.self.heartbeat).toBe(a.self.heartbeat);
    expect(restored.memberView("a")?.state).toEqual({ y: "2" });
    expect(restored.self.keys.get("x")).toEqual({ value: null, version: 2 });
    expect(restored.statusOf("b")).toBe("alive");
    expect(restored.status).toBe("alive");
    restored.beginRound();
    expect(restored.self.heartbeat).toBe(a.self.heartbeat + 1);
    // b hears from the restored a: same generation, so no `restarted` event.
    b.drainEvents();
    for (const { syn } of restored.beginRound()) b.handleSyn(structuredClone(syn));
    expect(b.drainEvents().filter((e) => e.type === "restarted")).toEqual([]);
  });
});
