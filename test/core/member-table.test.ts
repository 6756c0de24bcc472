/**
 * The compact member store: a MemberTable finds, reuses and grows its rows correctly through
 * any mix of inserts and removals; PeerSets sample distinct members of the kinds asked for;
 * a DeadlineQueue hands names back in deadline order; a ClusterState's fingerprint stays exact
 * as writers' records move in and out of their rows.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClusterState } from "../../src/core/cluster-state.js";
import { DeadlineQueue } from "../../src/core/deadline-queue.js";
import { BUCKETS, bucketOf, countedHash, Fingerprint } from "../../src/core/fingerprint.js";
import { Interner, NodeState, seededRng } from "../../src/core/index.js";
import { MemberTable } from "../../src/core/member-table.js";
import { ALIVE_PEER, DEAD_PEER, PeerSets, SUSPECT_PEER } from "../../src/core/peer-sets.js";

describe("MemberTable", () => {
  it("agrees with a Map through any sequence of inserts and removals", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 60 })), { maxLength: 400 }),
        (ops) => {
          const table = new MemberTable();
          const model = new Map<string, number>();
          for (const [add, i] of ops) {
            const name = `m${i}`;
            const slot = table.slotOf(name);
            expect(slot !== undefined).toBe(model.has(name));
            if (add && slot === undefined) {
              const at = table.insert(name, i + 1);
              table.setMaxVersion(at, i * 10);
              model.set(name, i);
            } else if (!add && slot !== undefined) {
              table.remove(slot);
              model.delete(name);
            }
          }
          expect(table.size).toBe(model.size);
          for (const [name, i] of model) {
            const slot = table.slotOf(name) as number;
            expect(table.name(slot)).toBe(name);
            expect(table.generation(slot)).toBe(i + 1);
            expect(table.maxVersion(slot)).toBe(i * 10);
            expect(table.bucket(slot)).toBe(bucketOf(name));
          }
          const walked = [...table.slots()].map((slot) => table.name(slot)).sort();
          expect(walked).toEqual([...model.keys()].sort());
        },
      ),
    );
  });

  it("reuses a removed member's slot with every column and sparse field cleared", () => {
    const table = new MemberTable();
    const slot = table.insert("a", 3);
    table.setIncarnation(slot, 7);
    table.setStatus(slot, 2);
    table.setGcVersion(slot, 5);
    table.setHeartbeat(slot, 9);
    table.setAcks(slot, 4);
    table.setSince(slot, 100);
    table.setHash(slot, { hi: 1, lo: 42 });
    table.setStore(slot, { keys: new Map([["k", { value: "v", version: 1 }]]), tombstoneAt: new Map() });
    table.remove(slot);
    expect(table.slotOf("a")).toBeUndefined();
    const again = table.insert("b", 1);
    expect(again).toBe(slot);
    expect([
      table.incarnation(again),
      table.status(again),
      table.gcVersion(again),
      table.heartbeat(again),
      table.acks(again),
    ]).toEqual([0, 0, 0, 0, 0]);
    expect(Number.isNaN(table.since(again))).toBe(true);
    expect(table.hash(again)).toBeUndefined();
    expect(table.store(again)).toBeUndefined();
  });

  it("grows past its first capacity and keeps every row, and walks only the buckets asked for", () => {
    const table = new MemberTable();
    for (let i = 0; i < 5000; i++) table.setMaxVersion(table.insert(`n${i}`, 1), i);
    for (let i = 0; i < 5000; i += 2) table.remove(table.slotOf(`n${i}`) as number);
    for (let i = 1; i < 5000; i += 2) expect(table.maxVersion(table.slotOf(`n${i}`) as number)).toBe(i);
    const mask = new Uint8Array(BUCKETS);
    mask[3] = 1;
    const inBucket = table.slotsInBuckets(mask).map((slot) => table.name(slot));
    expect(inBucket.length).toBeGreaterThan(0);
    expect(inBucket.every((name) => bucketOf(name) === 3)).toBe(true);
    expect(inBucket.length).toBe([...table.slots()].filter((slot) => table.bucket(slot) === 3).length);
  });

  it("holds one copy of each name across tables that share an interner", () => {
    const names = new Interner();
    const a = new MemberTable(names);
    const b = new MemberTable(names);
    const first = ["n", "1"].join("");
    const second = ["n1"].join("");
    const sa = a.insert(first, 1);
    const sb = b.insert(second, 1);
    expect(a.name(sa)).toBe(b.name(sb));
    expect(names.size).toBe(1);
  });
});

describe("PeerSets", () => {
  it("samples distinct slots of the kinds asked for, never a skipped one, about uniformly", () => {
    const peers = new PeerSets();
    for (let slot = 0; slot < 1000; slot++) peers.set(slot, slot % 3 === 0 ? DEAD_PEER : ALIVE_PEER);
    peers.set(1, SUSPECT_PEER);
    peers.set(4, SUSPECT_PEER);
    peers.set(7, 0); // no longer a peer
    const rng = seededRng(3);
    const counts = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const picked = peers.sample(rng, [ALIVE_PEER, SUSPECT_PEER], 3, (slot) => slot === 10);
      expect(new Set(picked).size).toBe(3);
      for (const slot of picked) {
        expect(slot % 3 === 0 || slot === 7 || slot === 10).toBe(false);
        counts.set(slot, (counts.get(slot) ?? 0) + 1);
      }
    }
    // 664 candidates, 6000 picks: about 9 each; nearly all drawn, none far too often.
    expect(counts.size).toBeGreaterThan(600);
    expect(Math.max(...counts.values())).toBeLessThan(30);
    expect(peers.size(ALIVE_PEER) + peers.size(SUSPECT_PEER)).toBe(665);
  });

  it("falls back to a list when nearly every peer is wanted", () => {
    const peers = new PeerSets();
    for (let slot = 0; slot < 5; slot++) peers.set(slot, ALIVE_PEER);
    expect(peers.sample(seededRng(1), [ALIVE_PEER], 10).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(peers.sample(seededRng(1), [DEAD_PEER], 2)).toEqual([]);
  });
});

describe("DeadlineQueue", () => {
  it("hands names back in deadline order, earlier deadlines inserted in place", () => {
    const queue = new DeadlineQueue();
    queue.push("a", 10);
    queue.push("b", 30);
    queue.push("c", 20);
    queue.push("d", 30);
    expect(queue.due(5)).toEqual([]);
    expect(queue.due(20)).toEqual(["a", "c"]);
    queue.push("e", 25);
    expect(queue.due(100)).toEqual(["e", "b", "d"]);
    expect(queue.size).toBe(0);
  });
});

describe("ClusterState writers", () => {
  it("keeps the fingerprint exact when a hosted member is taken in and released", () => {
    const state = new ClusterState(new NodeState("self", 1));
    state.mergeClaim("a", { generation: 1, incarnation: 0, status: 0 });
    const recomputed = () => {
      const total = new Fingerprint();
      for (const entry of state.digest()) total.replace(entry[0], undefined, countedHash(entry));
      return total.value;
    };
    state.own("agent");
    const agent = new NodeState("agent", 2);
    agent.set("k", "v");
    state.add(agent);
    expect(state.fingerprint.value).toBe(recomputed());
    state.disown("agent");
    expect(state.get("agent")?.get("k")).toBe("v");
    expect(state.fingerprint.value).toBe(recomputed());
    const copy = state.viewFor(new NodeState("a", 1));
    expect(copy.fingerprint.value).toBe(state.fingerprint.value);
  });
});
