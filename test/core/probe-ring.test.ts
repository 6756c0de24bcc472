/**
 * The shared probe schedule: every node derives the same ring from the members' names, so the
 * nodes probing one member in a wake period stand evenly around the ring, which is evenly
 * around the wake period: a crashed member waits about 1 / probesPerRound rounds for its first
 * probe, never an exponential tail. And each node still probes every member in turn.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemberTable } from "../../src/core/member-table.js";
import {
  ALIVE_PEER,
  DEAD_PEER,
  NOT_PEER,
  type PeerKind,
  PeerSets,
  SUSPECT_PEER,
} from "../../src/core/peer-sets.js";
import { namePhase, ProbeRing } from "../../src/core/probe-ring.js";

/** One node's ring over `size` members named n0..: its table, peer sets and phase. */
function nodeOf(self: string, size: number) {
  const table = new MemberTable();
  const peers = new PeerSets();
  for (let i = 0; i < size; i++) {
    const name = `n${i}`;
    if (name !== self) peers.set(table.insert(name, 1), ALIVE_PEER);
  }
  return { table, peers, ring: new ProbeRing(), phase: namePhase(self) };
}

function targetsOf(node: ReturnType<typeof nodeOf>, count: number, period: number): string[] {
  return node.ring
    .targets(node.peers, node.table, node.phase, count, period)
    .map((slot) => node.table.name(slot));
}

describe("the probe ring", () => {
  it("spaces the probers of a member evenly over the wake period", () => {
    const size = 1000;
    const count = 24; // 1.5 probes a round, 16 rounds a wake
    const nodes = Array.from({ length: size }, (_, i) => nodeOf(`n${i}`, size));
    for (const period of [0, 7]) {
      const probersOf = new Map<string, number[]>();
      nodes.forEach((node, i) => {
        for (const target of targetsOf(node, count, period)) {
          const phases = probersOf.get(target) ?? [];
          phases.push(namePhase(`n${i}`));
          probersOf.set(target, phases);
        }
      });
      let worstGap = 0;
      for (const phases of probersOf.values()) {
        phases.sort((a, b) => a - b);
        for (let i = 0; i < phases.length; i++) {
          const next = i + 1 < phases.length ? (phases[i + 1] as number) : (phases[0] as number) + 1;
          worstGap = Math.max(worstGap, next - (phases[i] as number));
        }
      }
      expect(probersOf.size).toBe(size);
      // Evenly: 1/24 of the period between probers. On private shuffled orders the worst gap
      // among 1000 members would be about ln(1000 x 24) / 24, six times that.
      expect(worstGap * count).toBeLessThan(1.6);
    }
  });

  it("probes each member of the view once within size / count periods, never itself", () => {
    const size = 50;
    const count = 6;
    const node = nodeOf("n3", size);
    const seen = new Set<string>();
    for (let period = 0; period < Math.ceil((size - 1) / count); period++) {
      const targets = targetsOf(node, count, period);
      expect(new Set(targets).size).toBe(count);
      for (const target of targets) seen.add(target);
    }
    expect(seen.has("n3")).toBe(false);
    expect(seen.size).toBe(size - 1);
  });

  it("follows the view: a member gone is no longer probed, one come back is", () => {
    const node = nodeOf("n0", 8);
    expect(targetsOf(node, 20, 0).sort()).toEqual(["n1", "n2", "n3", "n4", "n5", "n6", "n7"]);
    node.peers.set(node.table.slotOf("n4") as number, 0);
    expect(targetsOf(node, 20, 0)).not.toContain("n4");
    node.peers.set(node.table.slotOf("n4") as number, ALIVE_PEER);
    expect(targetsOf(node, 20, 0)).toContain("n4");
  });

  it("a ring kept over any changes of the peer sets probes as a ring built anew", () => {
    // The ring keeps its order between refreshes and re-sorts only when a member it has not
    // ordered becomes reachable, or a slot is reused by another name.
    const KINDS: PeerKind[] = [ALIVE_PEER, SUSPECT_PEER, DEAD_PEER, NOT_PEER];
    const step = fc.record({
      member: fc.integer({ min: 0, max: 29 }),
      kind: fc.constantFrom(...KINDS),
      gone: fc.boolean(),
      period: fc.integer({ min: 0, max: 40 }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 80 }), (steps) => {
        const table = new MemberTable();
        const peers = new PeerSets();
        const kept = new ProbeRing();
        for (const { member, kind, gone, period } of steps) {
          const name = `m${member}`;
          let slot = table.slotOf(name);
          if (gone && slot !== undefined) {
            peers.set(slot, NOT_PEER);
            table.remove(slot);
          } else {
            if (slot === undefined) slot = table.insert(name, 1);
            peers.set(slot, kind);
          }
          const phase = namePhase("self");
          // As many probes as members: every member, in the ring's order from this node.
          const got = kept.targets(peers, table, phase, 30, period).map((s) => table.name(s));
          const fresh = new ProbeRing().targets(peers, table, phase, 30, period).map((s) => table.name(s));
          expect(got).toEqual(fresh);
        }
      }),
    );
  });
});
