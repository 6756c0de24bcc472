/**
 * Hosted members (agents) in the core: a home writes an agent's claim and keys like its own,
 * judges it by phi over direct heartbeats, and another node takes it over with a higher claim
 * that the old home then never fights. A few Gossipers on a virtual clock, messages delivered
 * synchronously.
 */
import { describe, expect, it } from "vitest";
import {
  Gossiper,
  type HostedSnapshot,
  type PingMessage,
  resolveConfig,
  seededRng,
} from "../../src/core/index.js";

const INTERVAL = 100;

class Mesh {
  now = 1_000_000;
  readonly nodes = new Map<string, Gossiper>();
  readonly down = new Set<string>();
  readonly saved = new Map<string, HostedSnapshot>();

  constructor(size: number, seed = 1) {
    const names = Array.from({ length: size }, (_, i) => `n${i}`);
    for (const [i, name] of names.entries()) {
      this.nodes.set(
        name,
        new Gossiper({
          cluster: "c",
          name,
          generation: 1,
          config: resolveConfig({ intervalMs: INTERVAL }),
          seeds: ["n0"],
          clock: () => this.now,
          rng: seededRng(seed * 100 + i),
        }),
      );
    }
  }

  node(name: string): Gossiper {
    return this.nodes.get(name) as Gossiper;
  }

  up(): Gossiper[] {
    return [...this.nodes.values()].filter((node) => !this.down.has(node.name));
  }

  private deliver(from: Gossiper): void {
    for (const { peer, message } of from.takeOutbox()) {
      const to = this.nodes.get(peer);
      if (!to || this.down.has(peer)) continue;
      to.handlePush(message);
      this.deliver(to);
    }
  }

  private exchange(a: Gossiper, b: Gossiper): void {
    const synAck = b.handleSyn(a.makeSyn(b.name));
    const digest = a.handleSynAck(synAck);
    if (digest && !("ok" in digest)) {
      const push = a.handleDelta(b.handleDigest(digest));
      if (push && !("ok" in push)) b.handlePush(push);
    }
    this.deliver(a);
    this.deliver(b);
  }

  /** One round at every running node, then `ms` of virtual time. */
  round(ms = INTERVAL): void {
    for (const node of this.up()) {
      const plan = node.beginRound();
      this.deliver(node);
      for (const { target, ping } of plan.probes) {
        const peer = this.nodes.get(target);
        if (!peer) throw new Error(`probed ${target}, which is no node`);
        if (this.down.has(target)) node.probeResult(target, "silent");
        else {
          node.handleProbeReply(peer.handlePing(ping as PingMessage), target);
          node.probeResult(target, "ack");
        }
        this.deliver(node);
      }
      for (const { peer } of plan.exchanges) {
        const other = this.nodes.get(peer);
        if (!other) throw new Error(`exchanged with ${peer}, which is no node`);
        if (this.down.has(peer)) node.exchangeFailed();
        else this.exchange(node, other);
      }
    }
    this.now += ms;
  }

  rounds(count: number, ms = INTERVAL): void {
    for (let i = 0; i < count; i++) this.round(ms);
  }

  heartbeat(home: string, agent: string, state?: Record<string, string>, intervalMs = 100) {
    const result = this.node(home).hostHeartbeat(agent, intervalMs, state, (row) => {
      this.saved.set(`${home}/${agent}`, row);
    });
    return result;
  }

  /** Flushes a node's outbox (pushes the core queued outside a round). */
  flush(name: string): void {
    this.deliver(this.node(name));
  }

  statusEverywhere(agent: string): Array<string | undefined> {
    return this.up().map((node) => node.statusOf(agent));
  }
}

function converged(mesh: Mesh, size: number): void {
  for (let i = 0; i < 30; i++) {
    if (mesh.up().every((node) => node.view().filter((m) => m.status === "alive").length === size)) return;
    mesh.round();
  }
  throw new Error("no convergence");
}

describe("hosted members (agents)", () => {
  it("registers an agent whose claim and keys spread like the home's own, marked as an agent", () => {
    const mesh = new Mesh(5);
    converged(mesh, 5);
    const first = mesh.heartbeat("n1", "edge-1", { endpoint: "https://a.example" });
    expect(first).toMatchObject({ outcome: "registered", incarnation: 0, status: "alive" });
    expect(mesh.saved.get("n1/edge-1")?.state.name).toBe("edge-1");
    mesh.flush("n1");
    for (let i = 0; i < 6; i++) {
      mesh.heartbeat("n1", "edge-1");
      mesh.round();
    }
    for (const node of mesh.up()) {
      const view = node.memberView("edge-1");
      expect(view).toMatchObject({ kind: "agent", home: "n1", status: "alive" });
      expect(view?.state).toEqual({ endpoint: "https://a.example" });
      // Reserved keys never show, and nobody ever treats the agent as a peer.
      expect(node.isPeer("edge-1")).toBe(false);
    }
    // A state update is a write of the home, versioned, and spreads.
    mesh.heartbeat("n1", "edge-1", { endpoint: "https://b.example", load: "3" });
    for (let i = 0; i < 6; i++) {
      mesh.heartbeat("n1", "edge-1");
      mesh.round();
    }
    for (const node of mesh.up())
      expect(node.memberView("edge-1")?.state).toEqual({ endpoint: "https://b.example", load: "3" });
    // Digests agree everywhere: the agent's entries behave like any member's.
    const fingerprints = new Set(mesh.up().map((node) => node.fingerprint));
    expect(fingerprints.size).toBe(1);
  });

  it("suspects a silent agent by phi at its home, then declares it dead; a heartbeat revives it", () => {
    const mesh = new Mesh(5);
    converged(mesh, 5);
    for (let i = 0; i < 10; i++) {
      mesh.heartbeat("n2", "gs-1");
      mesh.round();
    }
    expect(mesh.statusEverywhere("gs-1").every((s) => s === "alive")).toBe(true);
    const silentAt = mesh.now;
    let nonAliveEverywhere = -1;
    for (let i = 0; i < 60; i++) {
      mesh.round();
      if (mesh.statusEverywhere("gs-1").every((s) => s !== "alive")) {
        nonAliveEverywhere = mesh.now - silentAt;
        break;
      }
    }
    console.log(
      `[core-hosted] silent agent (100 ms heartbeats) non-alive everywhere after ${nonAliveEverywhere} ms`,
    );
    expect(nonAliveEverywhere).toBeGreaterThan(0);
    expect(nonAliveEverywhere).toBeLessThanOrEqual(600);
    mesh.rounds(20);
    expect(mesh.statusEverywhere("gs-1").every((s) => s === "dead")).toBe(true);
    const revived = mesh.heartbeat("n2", "gs-1");
    expect(revived.outcome).toBe("revived");
    expect(revived.incarnation).toBe(1);
    mesh.flush("n2");
    mesh.rounds(3);
    expect(mesh.statusEverywhere("gs-1").every((s) => s === "alive")).toBe(true);
  });

  it("lets another node take an agent over with a higher claim; the old home drops it and never fights", () => {
    const mesh = new Mesh(5);
    converged(mesh, 5);
    mesh.heartbeat("n1", "edge-2", { endpoint: "x" });
    for (let i = 0; i < 5; i++) {
      mesh.heartbeat("n1", "edge-2");
      mesh.round();
    }
    const before = mesh.node("n3").memberView("edge-2");
    mesh.down.add("n1");
    const taken = mesh.heartbeat("n3", "edge-2");
    expect(taken.outcome).toBe("takeover");
    expect(taken.generation).toBeGreaterThan(before?.generation ?? 0);
    expect(taken.incarnation).toBeGreaterThan(before?.incarnation ?? 0);
    mesh.flush("n3");
    for (let i = 0; i < 8; i++) {
      mesh.heartbeat("n3", "edge-2");
      mesh.round();
    }
    // The old home comes back (a wake-up with its saved row): it sees the higher claim and lets go.
    mesh.down.delete("n1");
    for (let i = 0; i < 10; i++) {
      mesh.heartbeat("n3", "edge-2");
      mesh.round();
    }
    expect(mesh.node("n1").isHosted("edge-2")).toBe(false);
    expect(mesh.node("n1").takeHostedChanges().drop).toContain("edge-2");
    for (const node of mesh.up()) {
      expect(node.memberView("edge-2")).toMatchObject({
        home: "n3",
        status: "alive",
        state: { endpoint: "x" },
      });
      expect(node.memberView("edge-2")?.generation).toBe(taken.generation);
    }
  });

  it("suspects an agent whose home restarted without it, and one whose home died", () => {
    const mesh = new Mesh(4);
    converged(mesh, 4);
    mesh.heartbeat("n1", "orphan");
    mesh.heartbeat("n2", "stray");
    mesh.flush("n1");
    mesh.flush("n2");
    mesh.rounds(4);
    // n1 restarts: a new generation that hosts nothing, then learns of its old agent by gossip.
    const old = mesh.node("n1");
    mesh.nodes.set(
      "n1",
      new Gossiper({
        cluster: "c",
        name: "n1",
        generation: 2,
        config: old.config,
        seeds: ["n0"],
        clock: () => mesh.now,
        rng: seededRng(77),
      }),
    );
    // n2 dies.
    mesh.down.add("n2");
    mesh.rounds(40);
    for (const node of mesh.up()) {
      expect(node.statusOf("orphan"), `${node.name} on orphan`).not.toBe("alive");
      expect(node.statusOf("stray"), `${node.name} on stray`).not.toBe("alive");
    }
  });

  it("announces a graceful leave everywhere, from the home or from another node", () => {
    const mesh = new Mesh(4);
    converged(mesh, 4);
    mesh.heartbeat("n1", "a");
    mesh.heartbeat("n2", "b");
    mesh.rounds(5);
    expect(mesh.node("n1").leaveHosted("a", () => {})).toMatchObject({ status: "left" });
    // n3 does not host b, yet may announce its leave (its home might be gone).
    expect(mesh.node("n3").leaveHosted("b", () => {})).toMatchObject({ status: "left" });
    expect(mesh.node("n3").leaveHosted("nobody", () => {})).toBeNull();
    mesh.flush("n1");
    mesh.flush("n3");
    mesh.rounds(5);
    for (const node of mesh.up()) {
      expect(node.statusOf("a")).toBe("left");
      expect(node.statusOf("b")).toBe("left");
    }
    expect(mesh.node("n2").isHosted("b")).toBe(false);
  });

  it("refuses an agent named like a node, and checks keys", () => {
    const mesh = new Mesh(3);
    converged(mesh, 3);
    expect(() => mesh.heartbeat("n1", "n2")).toThrow(RangeError);
    expect(() => mesh.heartbeat("n1", "n1")).toThrow(RangeError);
    expect(() => mesh.heartbeat("n1", "ok", { "~kind": "node" })).toThrow(RangeError);
    expect(mesh.node("n1").isHosted("ok")).toBe(false);
  });

  it("survives a wake-up: the snapshot keeps hosted agents, keys, incarnations and last heartbeats", () => {
    const mesh = new Mesh(3);
    converged(mesh, 3);
    mesh.heartbeat("n1", "w", { endpoint: "e" });
    mesh.round();
    mesh.heartbeat("n1", "w");
    const home = mesh.node("n1");
    const snapshot = home.snapshot();
    expect(snapshot.hosted).toHaveLength(1);
    const restored = Gossiper.restore(JSON.parse(JSON.stringify(snapshot)), {
      cluster: "c",
      config: home.config,
      clock: () => mesh.now,
      rng: seededRng(9),
    });
    expect(restored.isHosted("w")).toBe(true);
    expect(restored.memberView("w")).toMatchObject({ kind: "agent", home: "n1", state: { endpoint: "e" } });
    expect(restored.hostedSnapshot("w")?.lastHeartbeat).toBe(home.hostedSnapshot("w")?.lastHeartbeat);
    expect(restored.fingerprint).toBe(home.fingerprint);
  });
});
