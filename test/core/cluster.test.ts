/**
 * 100 core nodes on the deterministic in-memory transport, driven by the core's own driver:
 * join from seeds, crash (silent) and stop (refusing) detection, a false suspicion refuted
 * under loss, hot news, quiet exchanges, partition heal and leave. Each test asserts the rounds
 * (or bytes) it needed against its bound in `support/cluster-bounds.ts`, and prints the figure
 * it measured.
 */
import { describe, expect, it } from "vitest";
import { type Gossiper, SUSPECT } from "../../src/core/index.js";
import { clusterBound } from "../../tools/cluster-bounds.js";
import { MemoryCluster } from "./support/memory-cluster.js";

const SIZE = 100;

function report(label: string, figure: number, unit = "rounds"): void {
  console.log(`[core-cluster] ${label}: ${figure} ${unit}`);
}

/** Events `type` that observers emitted about members that were running at the end. */
function eventsAboutRunning(cluster: MemoryCluster, type: string): string[] {
  const running = new Set(cluster.running().map((node) => node.name));
  return cluster.events
    .filter(([, event]) => event.type === type && running.has(event.node))
    .map(([observer, event]) => `${observer}->${event.node}`);
}

function everyone(cluster: MemoryCluster, check: (node: Gossiper) => boolean): () => boolean {
  return () => cluster.running().every(check);
}

// Rounds of 100 nodes take tens of milliseconds each; a loaded 2-CPU box needs the margin.
describe("a 100-node cluster", { timeout: 60_000 }, () => {
  it("reaches full membership from two seeds, and takes a newcomer in", async () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 1 });
    const rounds = await cluster.runUntil(() => cluster.converged(), 40);
    report("membership from two seeds", rounds);
    expect(rounds).toBeLessThanOrEqual(clusterBound("membership"));
    for (const node of cluster.nodes.values()) expect(node.view()).toHaveLength(SIZE);

    const newcomer = cluster.join();
    const joined = await cluster.runUntil(
      () => cluster.converged() && newcomer.view().length === SIZE + 1,
      20,
    );
    report("newcomer alive everywhere and knowing everyone", joined);
    expect(joined).toBeLessThanOrEqual(clusterBound("join"));
    expect(eventsAboutRunning(cluster, "suspect")).toEqual([]);
  });

  it("detects a crashed (silent) node: non-alive, then dead, everywhere; no live node suspected", async () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 3, start: "converged" });
    await cluster.rounds(5);
    cluster.crash("n17");
    const nonAlive = await cluster.runUntil(() => cluster.statusEverywhere("n17", "suspect", "dead"), 30);
    const dead = nonAlive + (await cluster.runUntil(() => cluster.statusEverywhere("n17", "dead"), 30));
    report("crashed node non-alive everywhere", nonAlive);
    report("crashed node dead everywhere", dead);
    expect(nonAlive).toBeLessThanOrEqual(clusterBound("crashNonAlive"));
    expect(dead).toBeLessThanOrEqual(clusterBound("crashDead"));
    expect(eventsAboutRunning(cluster, "suspect")).toEqual([]);
    expect(cluster.everyoneSeesAlive(cluster.running().map((node) => node.name))).toBe(true);
    // Silence, unlike a refusal, sends the probers to others for indirect probes.
    expect(cluster.total("indirectProbesSent")).toBeGreaterThan(0);
  });

  it("detects a stopped (refusing) node without indirect probes", async () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 4, start: "converged" });
    await cluster.rounds(5);
    const indirectBefore = cluster.total("indirectProbesSent");
    cluster.stop("n42");
    const nonAlive = await cluster.runUntil(() => cluster.statusEverywhere("n42", "suspect", "dead"), 30);
    const dead = nonAlive + (await cluster.runUntil(() => cluster.statusEverywhere("n42", "dead"), 30));
    report("stopped node non-alive everywhere", nonAlive);
    report("stopped node dead everywhere", dead);
    expect(nonAlive).toBeLessThanOrEqual(clusterBound("stopNonAlive"));
    expect(dead).toBeLessThanOrEqual(clusterBound("stopDead"));
    // A refusal is an answer: nobody asked others to probe the stopped node.
    expect(cluster.total("indirectProbesSent")).toBe(indirectBefore);
    expect(eventsAboutRunning(cluster, "suspect")).toEqual([]);
  });

  it("refutes a false suspicion under 10% loss with a higher incarnation, and nobody declares it dead", async () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 5, start: "converged", loss: 0.1 });
    await cluster.rounds(5);
    // For one round every message to or from n23 is lost: its probers suspect it.
    cluster.drop = (from, to) => from === "n23" || to === "n23";
    await cluster.round();
    cluster.drop = null;
    const suspectedBy = cluster.running().filter((node) => node.statusOf("n23") === "suspect").length;
    report("nodes suspecting n23 after its silent round", suspectedBy, "nodes");
    expect(suspectedBy).toBeGreaterThan(0);
    const refuted = await cluster.runUntil(
      everyone(
        cluster,
        (node) =>
          node.name === "n23" ||
          (node.statusOf("n23") === "alive" && (node.memberView("n23")?.incarnation ?? 0) >= 1),
      ),
      30,
    );
    report("suspicion refuted everywhere, 10% loss", refuted);
    expect(cluster.node("n23").incarnation).toBeGreaterThanOrEqual(1);
    expect(cluster.node("n23").counters.refutations).toBeGreaterThanOrEqual(1);
    expect(refuted).toBeLessThanOrEqual(clusterBound("refute"));
    // n23's own probes went unanswered in its silent round, so it suspected its targets too:
    // count only suspicions raised from here on. Loss may raise some; none becomes a death.
    const from = cluster.events.length;
    await cluster.rounds(30);
    const others = new Set(
      cluster.events
        .slice(from)
        .filter(([, e]) => e.type === "suspect")
        .map(([, e]) => e.node),
    );
    report("members suspected over the next 30 rounds at 10% loss", others.size, "members");
    expect(eventsAboutRunning(cluster, "dead")).toEqual([]);
    expect(cluster.converged()).toBe(true);
  });

  it("refutes a suspicion forced through a news item, before anyone declares it dead", async () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 6, start: "converged", loss: 0.1 });
    await cluster.rounds(3);
    const victim = cluster.node("n61");
    // A (lying) n5 tells n80 that n61 is suspect at its current incarnation.
    const n80 = cluster.node("n80");
    n80.handlePush({
      t: "push",
      hot: true,
      v: 2,
      c: "test",
      f: "n5",
      g: 1,
      n: [["n61", victim.generation, victim.incarnation, SUSPECT, victim.self.maxVersion, "n5"]],
    });
    expect(n80.statusOf("n61")).toBe("suspect");
    const refuted = await cluster.runUntil(
      everyone(cluster, (node) => node.name === "n61" || node.memberView("n61")?.incarnation === 1),
      30,
    );
    report("forced suspicion refuted everywhere, 10% loss", refuted);
    expect(refuted).toBeLessThanOrEqual(clusterBound("refute"));
    await cluster.rounds(20);
    expect(cluster.statusEverywhere("n61", "alive")).toBe(true);
    expect(eventsAboutRunning(cluster, "dead")).toEqual([]);
  });

  it("spreads a write and a leave to everyone by hot push, within a round", async () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 7, start: "converged", loss: 0.1 });
    await cluster.rounds(20); // quiet: anti-entropy has backed off
    await cluster.write("n42", "load", "0.75");
    const write = await cluster.runUntil(
      everyone(cluster, (node) => node.memberView("n42")?.state.load === "0.75"),
      20,
    );
    report("write everywhere, 10% loss (0 = before the next round)", write);
    expect(write).toBeLessThanOrEqual(clusterBound("hotWrite"));
    await cluster.leave("n3");
    const left = await cluster.runUntil(() => cluster.statusEverywhere("n3", "left"), 20);
    report("leave everywhere, 10% loss", left);
    expect(left).toBeLessThanOrEqual(clusterBound("hotLeave"));
    // Gone for good after it stops: left, never suspected or dead.
    cluster.stop("n3");
    await cluster.rounds(15);
    expect(cluster.statusEverywhere("n3", "left")).toBe(true);
    expect(cluster.events.filter(([, e]) => e.node === "n3" && e.type !== "left")).toEqual([]);
  });

  it("keeps quiet exchanges to one small request and answer, below a byte bound per node per round", async () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 8, start: "converged" });
    await cluster.rounds(20);
    const bytes = cluster.total("bytesSent");
    const quiet = cluster.total("exchangesQuiet");
    const completed = cluster.total("exchangesCompleted");
    const rounds = 30;
    await cluster.rounds(rounds);
    const perNodeRound = Math.round((cluster.total("bytesSent") - bytes) / (SIZE * rounds));
    report("quiet bytes sent per node per round", perNodeRound, "bytes");
    expect(cluster.total("exchangesQuiet") - quiet).toBeGreaterThan(0);
    // Every exchange of the stretch ended at the fingerprint.
    expect(cluster.total("exchangesQuiet") - quiet).toBe(cluster.total("exchangesCompleted") - completed);
    expect(perNodeRound).toBeLessThanOrEqual(clusterBound("quietBytes"));
  });

  it("heals a partition into two halves, with the writes of both sides", async () => {
    const cluster = new MemoryCluster({ size: SIZE, seed: 9, start: "converged" });
    await cluster.rounds(3);
    cluster.side = (name) => (Number(name.slice(1)) < SIZE / 2 ? 0 : 1);
    await cluster.runUntil(
      () => cluster.node("n0").statusOf("n99") === "dead" && cluster.node("n99").statusOf("n0") === "dead",
      60,
    );
    await cluster.write("n1", "side", "a");
    await cluster.write("n98", "side", "b");
    await cluster.rounds(5);
    cluster.side = null;
    const rounds = await cluster.runUntil(
      () =>
        cluster.converged() &&
        cluster
          .running()
          .every((n) => n.memberView("n1")?.state.side === "a" && n.memberView("n98")?.state.side === "b"),
      80,
    );
    report("partition healed", rounds);
    expect(rounds).toBeLessThanOrEqual(clusterBound("heal"));
  });
});
