/**
 * Properties of merging (fast-check).
 * - Liveness claims (generation, incarnation, status) form a join: merging in any order gives
 *   one result, through `mergeClaims` and through `ClusterState.mergeClaim` over a whole
 *   history. A refutation beats the suspicion it answers; a stale suspicion never overrides a
 *   newer incarnation; dead never turns back without a newer incarnation or generation.
 *   Each of these laws is also run against deliberately broken merges, and must fail there:
 *   a law that no broken merge can fail would prove nothing.
 * - Keys and versions: merging full-state deltas is idempotent, commutative and associative;
 *   nothing moves backwards or leaves a gap; a capped delta is a valid prefix that converges;
 *   the newest generation wins. Checked by hand against broken merges in node-state.ts: a
 *   key taken whenever its version differs (not only when newer) fails commutativity, newest
 *   generation and monotonicity; maxVersion taken from any delta fails the same three; a delta
 *   applied across a gap (`from` above what is held) fails the no-gap check.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClusterState } from "../../src/core/cluster-state.js";
import {
  ALIVE,
  type Claim,
  compareClaims,
  DEAD,
  LEFT,
  type MemberState,
  mergeClaims,
  type NodeDelta,
  NodeState,
  type StatusCode,
  SUSPECT,
} from "../../src/core/index.js";

// ---------------------------------------------------------------- liveness claims

/** A merge under test: the real one, or a broken one that the laws must catch. */
interface Merge {
  name: string;
  merge(a: Claim, b: Claim): Claim;
}

const REAL: Merge = { name: "mergeClaims", merge: mergeClaims };

/** Broken merges, and the laws each one must fail. */
const BROKEN: Array<{ merge: Merge; fails: string[] }> = [
  {
    // The last claim heard wins: order matters.
    merge: { name: "last wins", merge: (_a, b) => b },
    fails: ["commutative", "order-free on histories", "refutation", "stale suspicion", "dead stays dead"],
  },
  {
    // Status first, then incarnation (suspect(0) beats alive(5)): a total order, so still a
    // join, but a stale suspicion wins and a refutation cannot answer it.
    merge: {
      name: "status first",
      merge: (a, b) => {
        const key = (c: Claim) => [c.generation, c.status, c.incarnation];
        const [x, y] = [key(a), key(b)];
        for (let i = 0; i < 3; i++) {
          if ((x[i] as number) !== (y[i] as number)) return (x[i] as number) > (y[i] as number) ? a : b;
        }
        return a;
      },
    },
    fails: ["refutation", "stale suspicion"],
  },
  {
    // Alive outranks suspect and dead within an incarnation: a total order too, but a death
    // is undone by an alive claim of the same incarnation.
    merge: {
      name: "alive first within an incarnation",
      merge: (a, b) => {
        const rank = (c: Claim) => (c.status === ALIVE ? 3 : c.status);
        if (a.generation !== b.generation) return a.generation > b.generation ? a : b;
        if (a.incarnation !== b.incarnation) return a.incarnation > b.incarnation ? a : b;
        return rank(a) >= rank(b) ? a : b;
      },
    },
    fails: ["dead stays dead"],
  },
  {
    // Field-wise maximum: a lattice join, but of claims nobody made (alive(5) and suspect(3)
    // give suspect(5), a suspicion of an incarnation that refuted it).
    merge: {
      name: "field-wise max",
      merge: (a, b) => ({
        generation: Math.max(a.generation, b.generation),
        incarnation: Math.max(a.incarnation, b.incarnation),
        status: Math.max(a.status, b.status) as StatusCode,
      }),
    },
    fails: ["refutation"],
  },
  {
    // Ties keep the first: incarnation only, status ignored.
    merge: {
      name: "status ignored",
      merge: (a, b) => {
        if (a.generation !== b.generation) return a.generation > b.generation ? a : b;
        return b.incarnation > a.incarnation ? b : a;
      },
    },
    fails: ["commutative", "order-free on histories"],
  },
];

const statusArb = fc.constantFrom<StatusCode>(ALIVE, SUSPECT, DEAD, LEFT);
const claimArb: fc.Arbitrary<Claim> = fc.record({
  generation: fc.integer({ min: 1, max: 3 }),
  incarnation: fc.integer({ min: 0, max: 4 }),
  status: statusArb,
});

function same(a: Claim, b: Claim): boolean {
  return a.generation === b.generation && a.incarnation === b.incarnation && a.status === b.status;
}

function fold(merge: Merge, claims: readonly Claim[]): Claim {
  return claims.reduce((acc, claim) => merge.merge(acc, claim));
}

/** The laws, each a property of a merge. */
/** Any property, for a table of them (fc.check and fc.assert take any argument types). */
type Law = (m: Merge) => fc.IRawProperty<unknown[], false>;

const LAWS: Record<string, Law> = {
  commutative: (m) => fc.property(claimArb, claimArb, (a, b) => same(m.merge(a, b), m.merge(b, a))),
  associative: (m) =>
    fc.property(claimArb, claimArb, claimArb, (a, b, c) =>
      same(m.merge(m.merge(a, b), c), m.merge(a, m.merge(b, c))),
    ),
  idempotent: (m) => fc.property(claimArb, (a) => same(m.merge(a, a), a)),
  /** Any order, and any repetition, of a history gives one result. */
  "order-free on histories": (m) =>
    fc.property(
      fc
        .array(claimArb, { minLength: 1, maxLength: 12 })
        .chain((claims) =>
          fc.tuple(fc.constant(claims), fc.shuffledSubarray(claims, { minLength: claims.length })),
        ),
      ([claims, shuffled]) =>
        same(fold(m, claims), fold(m, shuffled)) && same(fold(m, claims), fold(m, [...claims, ...shuffled])),
    ),
  /** alive(g, i+1) beats suspect(g, i), whichever comes first. */
  refutation: (m) =>
    fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 4 }), (g, i) => {
      const suspect = { generation: g, incarnation: i, status: SUSPECT };
      const refute = { generation: g, incarnation: i + 1, status: ALIVE };
      return same(m.merge(suspect, refute), refute) && same(m.merge(refute, suspect), refute);
    }),
  /** suspect(g, i) never overrides alive(g, j) for j > i. */
  "stale suspicion": (m) =>
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 1, max: 4 }),
      (g, i, newer) => {
        const alive = { generation: g, incarnation: i + newer, status: ALIVE };
        const stale = { generation: g, incarnation: i, status: SUSPECT };
        return same(m.merge(alive, stale), alive) && same(m.merge(stale, alive), alive);
      },
    ),
  /** From dead(g, i), no claim of generation <= g and incarnation <= i makes it alive or suspect. */
  "dead stays dead": (m) =>
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 4 }),
      fc.array(claimArb, { maxLength: 8 }),
      (g, i, others) => {
        let state: Claim = { generation: g, incarnation: i, status: DEAD };
        for (const claim of others) {
          const older = claim.generation < g || (claim.generation === g && claim.incarnation <= i);
          if (!older) continue;
          state = m.merge(state, claim);
          if (state.status === ALIVE || state.status === SUSPECT) return false;
        }
        return true;
      },
    ),
};

describe("liveness claims", () => {
  it.each(Object.keys(LAWS))("mergeClaims keeps the law: %s", (law) => {
    fc.assert((LAWS[law] as Law)(REAL));
  });

  it("compareClaims is a total order consistent with mergeClaims", () => {
    fc.assert(
      fc.property(claimArb, claimArb, claimArb, (a, b, c) => {
        expect(Math.sign(compareClaims(a, b)) + Math.sign(compareClaims(b, a))).toBe(0);
        expect(compareClaims(a, b) === 0).toBe(same(a, b));
        if (compareClaims(a, b) > 0 && compareClaims(b, c) > 0)
          expect(compareClaims(a, c)).toBeGreaterThan(0);
        expect(same(mergeClaims(a, b), compareClaims(a, b) >= 0 ? a : b)).toBe(true);
      }),
    );
  });

  it.each(BROKEN.flatMap(({ merge, fails }) => fails.map((law) => [merge.name, law, merge] as const)))(
    "the laws catch a broken merge (%s breaks: %s)",
    (_name, law, merge) => {
      const result = fc.check((LAWS[law] as Law)(merge), { numRuns: 500 });
      expect(result.failed).toBe(true);
    },
  );

  it("ClusterState.mergeClaim gives one result for a whole history in any order", () => {
    const named = fc.tuple(fc.constantFrom("a", "b", "c"), claimArb);
    fc.assert(
      fc.property(
        fc
          .array(named, { minLength: 1, maxLength: 20 })
          .chain((history) =>
            fc.tuple(fc.constant(history), fc.shuffledSubarray(history, { minLength: history.length })),
          ),
        ([history, shuffled]) => {
          const replay = (claims: ReadonlyArray<readonly [string, Claim]>) => {
            const state = new ClusterState(new NodeState("self", 1));
            for (const [name, claim] of claims) state.mergeClaim(name, { ...claim });
            return state;
          };
          const one = replay(history);
          const other = replay([...shuffled, ...history.slice(0, 3)]);
          for (const name of new Set(history.map(([n]) => n))) {
            const expected = fold(
              REAL,
              history.filter(([n]) => n === name).map(([, c]) => c),
            );
            for (const state of [one, other]) {
              const node = state.get(name) as NodeState;
              expect(same(node, expected)).toBe(true);
            }
          }
          expect(one.fingerprint.value).toBe(other.fingerprint.value);
        },
      ),
    );
  });

  it("ClusterState.mergeClaim reports a change exactly when the claim is newer", () => {
    fc.assert(
      fc.property(fc.array(claimArb, { minLength: 1, maxLength: 12 }), (claims) => {
        const state = new ClusterState(new NodeState("self", 1));
        let current: Claim | undefined;
        for (const claim of claims) {
          const change = state.mergeClaim("m", { ...claim });
          const newer = current === undefined || compareClaims(claim, current) > 0;
          expect(change !== null).toBe(newer);
          if (newer) current = claim;
        }
        // Claims about the node itself are never merged (only it raises its incarnation).
        expect(state.mergeClaim("self", { generation: 9, incarnation: 9, status: DEAD })).toBeNull();
      }),
    );
  });
});

// ---------------------------------------------------------------- keys and versions

type Op =
  | { op: "set"; key: string; value: string }
  | { op: "del"; key: string }
  | { op: "refute" }
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
  { weight: 1, arbitrary: fc.record({ op: fc.constant("refute" as const) }) },
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
      else if (op.op === "refute") node.incarnation++;
      else node = new NodeState(node.name, node.generation + 1);
      out.push(capture(node));
    }
  });
  return out;
}

function fullDelta(node: MemberState): NodeDelta {
  return (node.deltaFor(0, 0, Number.POSITIVE_INFINITY) as { delta: NodeDelta }).delta;
}

/** A full-state delta of each owner after every operation. */
function historyDeltas(histories: Op[][]): NodeDelta[] {
  return replay(histories, fullDelta);
}

/** Canonical form of what a receiver knows of everyone but itself. */
function canonical(state: ClusterState): string {
  const nodes = [...state.members()]
    .filter((node) => node !== state.self)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((node) => ({
      name: node.name,
      generation: node.generation,
      incarnation: node.incarnation,
      status: node.status,
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

function exportAll(state: ClusterState): NodeDelta[] {
  return [...state.members()].filter((node) => node !== state.self).map(fullDelta);
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
          const a = merged(shuffled);
          const b = merged(deltas);
          expect(canonical(a)).toBe(canonical(b));
          expect(a.fingerprint.value).toBe(b.fingerprint.value);
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
          expect(node.incarnation).toBe(delta.i);
          expect(node.maxVersion).toBe(delta.max);
          expect([...node.keys].map(([k, v]) => [k, v.value, v.version]).sort()).toEqual(
            delta.kv.map(([k, v, version]) => [k, v, version]).sort(),
          );
        }
      }),
    );
  });
});

/** Copies of each owner's state after every operation. */
function historyStates(histories: Op[][]): NodeState[] {
  return replay(histories, (node) => NodeState.fromSnapshot(node.snapshot(), 0));
}

describe("monotonicity", () => {
  it("never moves generation, incarnation, versions or key versions backwards, nor leaves a gap", () => {
    fc.assert(
      fc.property(
        ownersArb,
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 100, max: 2000 }))),
        (histories, picks) => {
          // Incremental deltas from arbitrary `from` points and byte caps, in arbitrary order.
          const snapshots = historyStates(histories);
          const finalOf = new Map(snapshots.map((node) => [`${node.name}:${node.generation}`, node]));
          const receiver = new ClusterState(new NodeState("receiver", 1));
          for (const [which, from, budget] of picks) {
            const source = snapshots[which % snapshots.length] as NodeState;
            const built = source.deltaFor(from % (source.maxVersion + 1), 0, budget);
            if (!built) continue;
            const before = receiver.get(source.name);
            const prior = before && {
              generation: before.generation,
              incarnation: before.incarnation,
              maxVersion: before.maxVersion,
              keys: new Map([...before.keys].map(([k, v]) => [k, v.version])),
            };
            receiver.apply([structuredClone(built.delta)], 0);
            const after = receiver.get(source.name) as NodeState;
            // Valid (no gap): every key of the owner's final state at or below the version the
            // receiver claims is held, at that version.
            const final = finalOf.get(`${after.name}:${after.generation}`) as NodeState;
            for (const [key, entry] of final.keys) {
              if (entry.version <= after.maxVersion) expect(after.keys.get(key)).toEqual(entry);
            }
            if (!prior) continue;
            expect(after.generation).toBeGreaterThanOrEqual(prior.generation);
            if (after.generation === prior.generation) {
              expect(after.incarnation).toBeGreaterThanOrEqual(prior.incarnation);
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
            else owner.incarnation++;
            states.push(NodeState.fromSnapshot(owner.snapshot(), 0));
          }
          const receiver = new ClusterState(new NodeState("r", 1));
          receiver.apply([fullDelta(states[startAt % states.length] as NodeState)], 0);
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
