/**
 * Properties of merging state (fast-check): merging full-state deltas is idempotent,
 * commutative and associative; versions and heartbeats never go backwards; any capped prefix
 * leaves a valid state that later converges; a newer generation always wins.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClusterState, type NodeDelta, NodeState } from "../../src/core/index.js";

type Op =
  | { op: "set"; key: string; value: string }
  | { op: "del"; key: string }
  | { op: "beat" }
  | { op: "restart" };

const keyArb = fc.constantFrom("a", "b", "c", "d", "e", "f");
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("set" as const),
      key: keyArb,
      value: fc.string({ maxLength: 12 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("del" as const), key: keyArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("beat" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("restart" as const) }) },
);
const ownersArb = fc.array(fc.array(opArb, { minLength: 1, maxLength: 25 }), { minLength: 1, maxLength: 3 });

/** Runs each owner's history and takes `capture` of the owner after every operation. */
function replay<T>(histories: Op[][], capture: (node: NodeState) => T): T[] {
  const out: T[] = [];
  histories.forEach((ops, index) => {
    let node = new NodeState(`o${index}`, 1);
    for (const op of ops) {
      if (op.op === "set") node.set(op.key, op.value);
      else if (op.op === "del") node.delete(op.key, 0);
      else if (op.op === "beat") node.beat();
      else node = new NodeState(node.name, node.generation + 1);
      out.push(capture(node));
    }
  });
  return out;
}

/** A full-state delta of each owner after every operation. */
function historyDeltas(histories: Op[][]): NodeDelta[] {
  return replay(
    histories,
    (node) => (node.deltaFor(0, 0, Number.POSITIVE_INFINITY) as { delta: NodeDelta }).delta,
  );
}

/** Canonical form of what a receiver knows of everyone but itself. */
function canonical(state: ClusterState): string {
  const nodes = [...state.nodes.values()]
    .filter((node) => node !== state.self)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((node) => ({
      name: node.name,
      generation: node.generation,
      heartbeat: node.heartbeat,
      maxVersion: node.maxVersion,
      keys: [...node.keys].sort(([a], [b]) => a.localeCompare(b)),
    }));
  return JSON.stringify(nodes);
}

function merged(deltas: readonly NodeDelta[]): ClusterState {
  const state = new ClusterState(new NodeState("receiver", 1));
  state.apply(structuredClone(deltas), 0);
  return state;
}

describe("merging full-state deltas", () => {
  it("is idempotent", () => {
    fc.assert(
      fc.property(ownersArb, (histories) => {
        const deltas = historyDeltas(histories);
        expect(canonical(merged([...deltas, ...deltas]))).toBe(canonical(merged(deltas)));
      }),
    );
  });

  it("is commutative: any order gives the same state", () => {
    fc.assert(
      fc.property(
        ownersArb.chain((histories) => {
          const deltas = historyDeltas(histories);
          return fc.tuple(fc.constant(deltas), fc.shuffledSubarray(deltas, { minLength: deltas.length }));
        }),
        ([deltas, shuffled]) => {
          expect(canonical(merged(shuffled))).toBe(canonical(merged(deltas)));
        },
      ),
    );
  });

  it("is associative: merging merged states equals merging everything", () => {
    fc.assert(
      fc.property(ownersArb, fc.nat(), fc.nat(), (histories, cutA, cutB) => {
        const deltas = historyDeltas(histories);
        const i = cutA % (deltas.length + 1);
        const j = i + (cutB % (deltas.length - i + 1));
        const [x, y, z] = [deltas.slice(0, i), deltas.slice(i, j), deltas.slice(j)];
        // (x . y) . z versus x . (y . z), each inner merge exported again as full-state deltas.
        const left = merged([...exportAll(merged([...x, ...y])), ...z]);
        const right = merged([...x, ...exportAll(merged([...y, ...z]))]);
        expect(canonical(left)).toBe(canonical(right));
        expect(canonical(left)).toBe(canonical(merged(deltas)));
      }),
    );
  });

  it("lets the newest generation win, whatever the order", () => {
    fc.assert(
      fc.property(ownersArb, fc.nat(), (histories, seed) => {
        const deltas = historyDeltas(histories);
        const rotated = [...deltas.slice(seed % deltas.length), ...deltas.slice(0, seed % deltas.length)];
        const state = merged(rotated);
        for (const delta of deltas) {
          expect(state.get(delta.n)?.generation).toBeGreaterThanOrEqual(delta.g);
        }
        // The final state of each owner equals its last full-state delta.
        const last = new Map(deltas.map((delta) => [delta.n, delta]));
        for (const [name, delta] of last) {
          const node = state.get(name) as NodeState;
          expect(node.generation).toBe(delta.g);
          expect(node.maxVersion).toBe(delta.max);
          expect([...node.keys].map(([k, v]) => [k, v.value, v.version]).sort()).toEqual(
            delta.kv.map(([k, v, version]) => [k, v, version]).sort(),
          );
        }
      }),
    );
  });
});

function exportAll(state: ClusterState): NodeDelta[] {
  return [...state.nodes.values()]
    .filter((node) => node !== state.self)
    .map((node) => (node.deltaFor(0, 0, Number.POSITIVE_INFINITY) as { delta: NodeDelta }).delta);
}

describe("monotonicity", () => {
  it("never moves generation, heartbeat, versions or key versions backwards", () => {
    fc.assert(
      fc.property(
        ownersArb,
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 100, max: 2000 }))),
        (histories, picks) => {
          // Incremental deltas from arbitrary `from` points and byte caps, in arbitrary order.
          const snapshots = historyStates(histories);
          const receiver = new ClusterState(new NodeState("receiver", 1));
          for (const [which, from, budget] of picks) {
            const source = snapshots[which % snapshots.length] as NodeState;
            const built = source.deltaFor(from % (source.maxVersion + 1), 0, budget);
            if (!built) continue;
            const before = receiver.get(source.name);
            const prior = before && {
              generation: before.generation,
              heartbeat: before.heartbeat,
              maxVersion: before.maxVersion,
              keys: new Map([...before.keys].map(([k, v]) => [k, v.version])),
            };
            receiver.apply([structuredClone(built.delta)], 0);
            const after = receiver.get(source.name) as NodeState;
            if (!prior) continue;
            expect(after.generation).toBeGreaterThanOrEqual(prior.generation);
            if (after.generation === prior.generation) {
              expect(after.heartbeat).toBeGreaterThanOrEqual(prior.heartbeat);
              expect(after.maxVersion).toBeGreaterThanOrEqual(prior.maxVersion);
              for (const [key, version] of prior.keys) {
                expect(after.keys.get(key)?.version ?? -1).toBeGreaterThanOrEqual(version);
              }
            }
          }
        },
      ),
    );
  });
});

/** Copies of each owner's state after every operation. */
function historyStates(histories: Op[][]): NodeState[] {
  return replay(histories, (node) => NodeState.fromSnapshot(node.snapshot(), 0));
}

describe("capped deltas", () => {
  it("leave a valid prefix that converges with later exchanges", () => {
    fc.assert(
      fc.property(
        fc.array(
          opArb.filter((op) => op.op !== "restart"),
          { minLength: 1, maxLength: 40 },
        ),
        fc.nat(),
        fc.integer({ min: 96 + 2 + 30, max: 400 }),
        (ops, startAt, budget) => {
          const owner = new NodeState("o", 1);
          const states: NodeState[] = [];
          for (const op of ops) {
            if (op.op === "set") owner.set(op.key, op.value.padEnd(8, "x"));
            else if (op.op === "del") owner.delete(op.key, 0);
            else owner.beat();
            states.push(NodeState.fromSnapshot(owner.snapshot(), 0));
          }
          const receiver = new ClusterState(new NodeState("r", 1));
          const earlier = states[startAt % states.length] as NodeState;
          receiver.apply(
            [(earlier.deltaFor(0, 0, Number.POSITIVE_INFINITY) as { delta: NodeDelta }).delta],
            0,
          );
          for (let step = 0; step <= ops.length + 2; step++) {
            const local = receiver.get("o") as NodeState;
            // Validity: every key the owner holds at a version the receiver claims is present.
            for (const [key, entry] of owner.keys) {
              if (entry.version <= local.maxVersion) expect(local.keys.get(key)).toEqual(entry);
            }
            if (local.maxVersion === owner.maxVersion) break;
            const built = owner.deltaFor(local.maxVersion, local.gcVersion, budget);
            expect(built).not.toBeNull();
            receiver.apply([structuredClone((built as { delta: NodeDelta }).delta)], 0);
          }
          const final = receiver.get("o") as NodeState;
          expect(final.maxVersion).toBe(owner.maxVersion);
          expect(final.liveState()).toEqual(owner.liveState());
        },
      ),
    );
  });
});
