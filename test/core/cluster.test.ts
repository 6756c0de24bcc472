/**
 * 100 core nodes on a deterministic in-memory network: membership from two seeds, a write
 * reaching everyone, failure detection, partition healing and convergence under loss. Each
 * test asserts the rounds it needed against a bound written here, and prints them.
 */
import { describe, expect, it } from "vitest";
import type { Gossiper } from "../../src/core/index.js";
import { MemoryCluster } from "./support/memory-cluster.js";

const SIZE = 100;
const names = Array.from({ length: SIZE }, (_, i) => `n${i}`);

function converged(cluster: MemoryCluster): boolean {
  const live = cluster.running().map((node) => node.name);
  return cluster.everyoneSeesAlive(live);
}

/** Collects every `suspect` event about a node that was running at the time. */
function watchFalseSuspicions(cluster: MemoryCluster): () => string[] {
  const seen: string[] = [];
  const original = cluster.round.bind(cluster);
  cluster.round = () => {
    original();
    for (const node of cluster.nodes.values()) {
      for (const event of node.drainEvents()) {
        if (event.type === "suspect" && !cluster.stopped.has(event.node))
          seen.push(`${node.name}->${event.node}`);
      }
    }
  };
  return () => seen;
}

function report(label: string, rounds: number): void {
  console.log(`[core-cluster] ${label}: ${rounds} rounds`);
}

describe("a 100-node cluster", () => {
  it("reaches full membership from two seeds within 12 rounds", () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 1 });
    const rounds = cluster.runUntil(() => converged(cluster), 40);
    report("membership from two seeds", rounds);
    expect(rounds).toBeLessThanOrEqual(12);
    for (const node of cluster.nodes.values()) expect(node.view()).toHaveLength(SIZE);
  });

  it("spreads a write to everyone within 6 rounds, and a delete too", () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 2 });
    cluster.runUntil(() => converged(cluster), 40);
    cluster.node("n42").setKey("load", "0.75");
    const everyone = (check: (node: Gossiper) => boolean) => () => cluster.running().every(check);
    const spread = cluster.runUntil(
      everyone((n) => n.memberView("n42")?.state.load === "0.75"),
      20,
    );
    report("write spread", spread);
    expect(spread).toBeLessThanOrEqual(6);
    cluster.node("n42").deleteKey("load");
    const deleted = cluster.runUntil(
      everyone((n) => n.memberView("n42")?.state.load === undefined),
      20,
    );
    report("delete spread", deleted);
    expect(deleted).toBeLessThanOrEqual(6);
  });

  it("marks a stopped node dead everywhere, and never a live one suspect", () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 3 });
    cluster.runUntil(() => converged(cluster), 40);
    const falseSuspicions = watchFalseSuspicions(cluster);
    for (let i = 0; i < 20; i++) cluster.round(); // a steady stretch first
    cluster.stop("n17");
    const nonAlive = cluster.runUntil(
      () => cluster.running().every((n) => n.statusOf("n17") !== "alive"),
      40,
    );
    const dead = cluster.runUntil(() => cluster.statusEverywhere("n17", "dead"), 40);
    report("stopped node non-alive everywhere", nonAlive);
    report("stopped node dead everywhere (after non-alive)", dead);
    expect(nonAlive).toBeLessThanOrEqual(14);
    expect(nonAlive + dead).toBeLessThanOrEqual(20);
    expect(falseSuspicions()).toEqual([]);
    const others = names.filter((name) => name !== "n17");
    expect(cluster.everyoneSeesAlive(others)).toBe(true);
  });

  it("takes a restarted node back as alive with its newer generation", () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 4 });
    cluster.runUntil(() => converged(cluster), 40);
    cluster.stop("n5");
    cluster.runUntil(() => cluster.statusEverywhere("n5", "dead"), 60);
    const restarted = cluster.restart("n5");
    const rounds = cluster.runUntil(
      () =>
        cluster.running().every((n) => n.statusOf("n5") === "alive" && n.memberView("n5")?.generation === 2),
      30,
    );
    report("restarted node alive everywhere", rounds);
    expect(rounds).toBeLessThanOrEqual(10);
    expect(restarted.view()).toHaveLength(SIZE);
  });

  it("heals a partition into two halves after it ends", () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 5 });
    cluster.runUntil(() => converged(cluster), 40);
    cluster.side = (name) => (Number(name.slice(1)) < SIZE / 2 ? 0 : 1);
    cluster.runUntil(() => cluster.node("n0").statusOf("n99") === "dead", 60);
    // Each side writes while apart.
    cluster.node("n1").setKey("side", "a");
    cluster.node("n98").setKey("side", "b");
    for (let i = 0; i < 10; i++) cluster.round();
    cluster.side = null;
    const rounds = cluster.runUntil(
      () =>
        converged(cluster) &&
        cluster
          .running()
          .every((n) => n.memberView("n1")?.state.side === "a" && n.memberView("n98")?.state.side === "b"),
      60,
    );
    report("partition healed", rounds);
    expect(rounds).toBeLessThanOrEqual(25);
  });

  it("converges with 10% message loss", () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 6, loss: 0.1 });
    const membership = cluster.runUntil(() => converged(cluster), 60);
    report("membership from two seeds, 10% loss", membership);
    expect(membership).toBeLessThanOrEqual(15);
    cluster.node("n7").setKey("k", "v");
    const spread = cluster.runUntil(
      () => cluster.running().every((n) => n.memberView("n7")?.state.k === "v"),
      30,
    );
    report("write spread, 10% loss", spread);
    expect(spread).toBeLessThanOrEqual(8);
  });

  it("spreads a graceful leave as `left`, not as a failure", () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 7 });
    cluster.runUntil(() => converged(cluster), 40);
    // The leaver keeps gossiping its farewell (the Durable Object runs a last few rounds).
    cluster.node("n3").leave();
    const rounds = cluster.runUntil(() => cluster.statusEverywhere("n3", "left"), 30);
    cluster.stop("n3");
    for (let i = 0; i < 15; i++) cluster.round();
    expect(cluster.statusEverywhere("n3", "left")).toBe(true);
    report("leave seen everywhere", rounds);
    expect(rounds).toBeLessThanOrEqual(8);
  });
});
