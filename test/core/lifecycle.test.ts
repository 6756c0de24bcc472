/**
 * Lifecycle details a user of the core relies on: tombstones collected while a node is away
 * (it still learns the delete, and refutes its death), dead members forgotten and kept
 * forgotten, and a restore from a snapshot that neither looks like a restart
 * to peers nor restarts a suspicion's timer.
 */
import { describe, expect, it } from "vitest";
import {
  exchange,
  Gossiper,
  type GossiperSnapshot,
  resolveConfig,
  seededRng,
  viewHash,
} from "../../src/core/index.js";
import { MemoryCluster } from "./support/memory-cluster.js";

describe("tombstones", { timeout: 30_000 }, () => {
  it("are collected after the grace period, and a node that missed the delete still converges", async () => {
    const config = { tombstoneGraceMs: 20_000 };
    const cluster = new MemoryCluster({ size: 10, seed: 11, config, start: "converged" });
    const owner = cluster.node("n4");
    await cluster.write("n4", "gone", "soon");
    await cluster.write("n4", "stays", "1");
    await cluster.runUntil(
      () => cluster.running().every((n) => n.memberView("n4")?.state.gone === "soon"),
      20,
    );
    cluster.crash("n9"); // n9 misses the delete entirely
    owner.deleteKey("gone");
    await cluster.rounds(40); // well past the tombstone grace
    expect(owner.self.keys.has("gone")).toBe(false);
    expect(owner.self.gcVersion).toBeGreaterThan(0);
    expect(cluster.statusEverywhere("n9", "dead")).toBe(true);
    cluster.resume("n9");
    const n9 = cluster.node("n9");
    const rounds = await cluster.runUntil(
      () => n9.memberView("n4")?.state.gone === undefined && cluster.converged(),
      30,
    );
    console.log(`[core-cluster] node back from the dead caught up and refuted: ${rounds} rounds`);
    // 1 round: its first exchange brings a delta saying it is dead, which it refutes (16
    // rounds when only a peer's own digest could tell it, at the dead-peer probability).
    expect(rounds).toBeLessThanOrEqual(4);
    expect(n9.memberView("n4")?.state.stays).toBe("1");
    // It caught up through a reset, since the tombstone it needed no longer exists.
    expect(n9.snapshot().others.find((other) => other.name === "n4")?.gcVersion).toBe(owner.self.gcVersion);
    // It was believed dead: it came back by refuting, with a higher incarnation.
    expect(n9.incarnation).toBeGreaterThan(0);
  });
});

describe("forgetting", { timeout: 30_000 }, () => {
  it("forgets a dead member after the grace period, keeps it forgotten, and welcomes a new generation", async () => {
    const config = { deadGraceMs: 30_000 };
    const cluster = new MemoryCluster({ size: 12, seed: 12, config, start: "converged" });
    cluster.crash("n6");
    const rounds = await cluster.runUntil(
      () => cluster.running().every((n) => n.memberView("n6") === undefined),
      80,
    );
    // Dead after a few rounds, then 30 rounds of grace, judged at each node's next wake (a
    // quiet node wakes every 16 rounds).
    expect(rounds).toBeGreaterThan(30);
    expect(rounds).toBeLessThan(30 + 10 + 16);
    // A stale claim of the forgotten generation is refused by the graves.
    const stale = cluster.node("n0");
    stale.handlePush({ t: "push", v: 2, c: "test", f: "n1", g: 1, n: [["n6", 1, 0, 0, 0]] });
    expect(stale.memberView("n6")).toBeUndefined();
    await cluster.rounds(20);
    expect(cluster.running().every((n) => n.memberView("n6") === undefined)).toBe(true);
    // It comes back with a new generation: welcomed again.
    cluster.restart("n6");
    await cluster.runUntil(() => cluster.running().every((n) => n.statusOf("n6") === "alive"), 20);
    expect(cluster.node("n0").memberView("n6")?.generation).toBe(2);
  });

  it("forgets a member that left after its grace period, without ever suspecting it", async () => {
    const config = { leftGraceMs: 10_000 };
    const cluster = new MemoryCluster({ size: 12, seed: 13, config, start: "converged" });
    await cluster.leave("n2");
    cluster.stop("n2");
    // 10 rounds of grace, judged at each node's next wake (every 16 rounds when quiet).
    await cluster.runUntil(
      () => cluster.running().every((n) => n.memberView("n2") === undefined),
      10 + 16 + 4,
    );
    expect(cluster.events.filter(([, e]) => e.node === "n2").map(([, e]) => e.type)).not.toContain("suspect");
  });
});

describe("snapshot and restore", { timeout: 30_000 }, () => {
  it("keep generation, incarnation, keys and members, so peers see no restart", async () => {
    const cluster = new MemoryCluster({ size: 3, seed: 14 });
    await cluster.runUntil(() => cluster.converged(), 10);
    const a = cluster.node("n0");
    a.setKey("x", "1");
    a.deleteKey("x");
    a.setKey("y", "2");
    // A refuted suspicion raises its incarnation.
    a.handlePush({ t: "push", v: 2, c: "test", f: "n1", g: 1, n: [["n0", 1, 0, 1, 0, "n1"]] });
    expect(a.incarnation).toBe(1);
    await cluster.rounds(3);
    const restored = Gossiper.restore(structuredClone(a.snapshot()), cluster.options());
    expect(restored.generation).toBe(a.generation);
    expect(restored.incarnation).toBe(1);
    expect(restored.fingerprint).toBe(a.fingerprint);
    expect(restored.memberView("n0")?.state).toEqual({ y: "2" });
    expect(restored.self.keys.get("x")).toEqual({ value: null, version: 2 });
    expect(restored.statusOf("n1")).toBe("alive");
    expect(restored.status).toBe("alive");
    const from = cluster.events.length;
    cluster.install(restored);
    await cluster.rounds(5);
    const restarts = cluster.events
      .slice(from)
      .filter(([, e]) => e.type === "restarted" || e.type === "joined");
    expect(restarts.filter(([, e]) => e.node === "n0")).toEqual([]);
    expect(cluster.converged()).toBe(true);
  });

  it("keeps a suspicion's timer running from when it began", () => {
    let now = 100_000;
    const options = {
      cluster: "test",
      config: resolveConfig({}),
      seeds: [],
      clock: () => now,
      rng: seededRng(3),
    };
    const self = { name: "a", generation: 1, heartbeat: 0, maxVersion: 0, gcVersion: 0, keys: [] };
    const snapshot: GossiperSnapshot = {
      cluster: "test",
      self,
      others: [{ ...self, name: "b" }],
      members: [["b", "alive", now]],
      graveyard: [],
      selfStatus: "alive",
    };
    const a = Gossiper.restore(snapshot, options);
    a.probeResult("b", "silent");
    expect(a.statusOf("b")).toBe("suspect");
    // Two members: minimum 1.5 s, maximum 6 s; no confirmations, so 6 s.
    now += 5_000;
    const restored = () => Gossiper.restore(structuredClone(a.snapshot()), options);
    now = 100_000 + 5_999;
    const early = restored();
    early.tick();
    expect(early.statusOf("b")).toBe("suspect");
    now = 100_000 + 6_000;
    const due = restored();
    due.tick();
    expect(due.statusOf("b")).toBe("dead");
  });
});

describe("a leave", () => {
  it("reaches, through one exchange, a peer that holds the leaver dead, once its news is spent", async () => {
    // A Durable Object confirms its leave by exchanges (`leave` answers leave_unconfirmed until
    // one succeeds). Its first try met a stopped peer and spent the leave's news; the peer,
    // started again, holds the leaver dead. A member that left does not count in the
    // fingerprint, a dead one does: the retry must differ and carry the leave.
    const config = { intervalMs: 200, deadGraceMs: 3_600_000, leftGraceMs: 3_600_000, retransmitMult: 1 };
    const cluster = new MemoryCluster({ size: 3, start: "converged", config });
    cluster.crash("n0");
    await cluster.runUntil(() => cluster.statusEverywhere("n0", "dead"), 100);
    cluster.resume("n0");
    const leaver = cluster.node("n0");
    leaver.leave();
    leaver.takeOutbox(); // its pushes were lost
    cluster.stop("n1");
    expect(await exchange(leaver, cluster.transport("n0"), "n1")).toBe(false);
    cluster.resume("n1");
    expect(await exchange(leaver, cluster.transport("n0"), "n1")).toBe(true);
    await cluster.settle();
    expect(cluster.node("n1").statusOf("n0")).toBe("left");
  });

  it("leaves no view hash apart: a node that joined after it and never heard of it agrees", async () => {
    // A node started after a stop begins a new generation with an empty view, and a member that
    // left does not count in the exchange's fingerprint, so it never hears of the leaver. The
    // summary's convergence verdict (viewHash) must not hold that against it for a whole grace.
    const config = { leftGraceMs: 3_600_000 };
    const cluster = new MemoryCluster({ size: 5, seed: 7, start: "converged", config });
    await cluster.leave("n4");
    cluster.stop("n4");
    await cluster.runUntil(() => cluster.statusEverywhere("n4", "left"), 20);
    await cluster.rounds(40); // the leave's news is spent everywhere
    cluster.stop("n3");
    cluster.restart("n3");
    cluster.resume("n3");
    await cluster.runUntil(() => cluster.converged(), 40);
    await cluster.rounds(20);
    const hashes = new Set(cluster.running().map((node) => viewHash(node.view())));
    expect(hashes.size).toBe(1);
    expect(cluster.node("n0").statusOf("n4")).toBe("left");
  });
});
