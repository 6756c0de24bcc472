/**
 * The digest fingerprint is kept up to date incrementally; it must always equal one computed
 * afresh over every entry, and comparing bucket fingerprints must find exactly the buckets of
 * the entries that differ.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClusterState } from "../../src/core/cluster-state.js";
import { BUCKETS, bucketOf, entryHash, fnv1a } from "../../src/core/fingerprint.js";
import { NodeState, type StatusCode, type VersionedValue } from "../../src/core/index.js";

/** The fingerprint and bucket fingerprints of a digest, computed from scratch. */
function recomputed(state: ClusterState): { value: number; buckets: number[] } {
  const buckets = new Array<number>(BUCKETS).fill(0);
  let value = 0;
  for (const entry of state.digest()) {
    const hash = entryHash(entry);
    const bucket = bucketOf(entry[0]);
    buckets[bucket] = ((buckets[bucket] as number) ^ hash) >>> 0;
    value = (value ^ hash) >>> 0;
  }
  return { value, buckets };
}

type Change =
  | { kind: "claim"; name: string; generation: number; incarnation: number; status: StatusCode }
  | { kind: "write"; name: string; key: string }
  | { kind: "own"; key: string }
  | { kind: "bury"; name: string }
  | { kind: "gc"; name: string };

// Few names and long runs, so that changes pile up on the same members.
const nameArb = fc.constantFrom("m0", "m1", "m2", "m3", "m4");
const changeArb: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    kind: fc.constant("claim" as const),
    name: nameArb,
    generation: fc.integer({ min: 1, max: 3 }),
    incarnation: fc.integer({ min: 0, max: 3 }),
    status: fc.constantFrom<StatusCode>(0, 1, 2, 3),
  }),
  fc.record({ kind: fc.constant("write" as const), name: nameArb, key: fc.constantFrom("a", "b", "c") }),
  fc.record({ kind: fc.constant("own" as const), key: fc.constantFrom("a", "b") }),
  fc.record({ kind: fc.constant("bury" as const), name: nameArb }),
  fc.record({ kind: fc.constant("gc" as const), name: nameArb }),
);

/** Applies one change the way the Gossiper does: through ClusterState, then `refresh`. */
function apply(state: ClusterState, change: Change): void {
  switch (change.kind) {
    case "claim":
      state.mergeClaim(change.name, change);
      break;
    case "write": {
      const node = state.get(change.name);
      if (!node) break;
      const version = node.maxVersion + 1;
      state.apply(
        [
          {
            n: node.name,
            g: node.generation,
            i: node.incarnation,
            s: node.status,
            from: node.maxVersion,
            reset: false,
            max: version,
            gc: node.gcVersion,
            kv: [[change.key, "v", version]],
          },
        ],
        0,
      );
      break;
    }
    case "own":
      state.self.set(change.key, "x");
      state.refresh(state.self);
      break;
    case "bury":
      state.bury(change.name, 0);
      break;
    case "gc": {
      const node = state.get(change.name);
      if (!node) break;
      const keys = node.keys as Map<string, VersionedValue>;
      for (const key of keys.keys()) keys.set(key, { value: null, version: node.maxVersion });
      node.collectTombstones(0, 0);
      node.gcVersion = node.maxVersion;
      state.refresh(node);
      break;
    }
  }
}

describe("fnv1a", () => {
  it("matches the reference FNV-1a 32-bit values", () => {
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
    expect(fnv1a("foobar")).toBe(0xbf9cf968);
  });
});

describe("entryHash", () => {
  it("equals FNV-1a over the entry's text, integers hashed digit by digit", () => {
    const text = (e: [string, number, number, StatusCode, number, number]) =>
      fnv1a(`${e[1]}|${e[2]}|${e[3]}|${e[4]}|${e[5]}`, fnv1a(e[0]));
    for (const e of [
      ["n1", 1, 0, 0, 0, 0],
      ["node-42", 1_764_000_000_123, 17, 3, 123_456_789, 98],
      ["x", 2 ** 53 - 1, 10, 1, 1.5, -2],
    ] as Array<[string, number, number, StatusCode, number, number]>) {
      expect(entryHash(e)).toBe(text(e));
    }
  });
});

describe("Fingerprint", () => {
  it("kept incrementally, equals one recomputed over the digest after any changes", () => {
    fc.assert(
      fc.property(fc.array(changeArb, { minLength: 10, maxLength: 60 }), (changes) => {
        const state = new ClusterState(new NodeState("self", 1));
        for (const change of changes) {
          apply(state, change);
          const fresh = recomputed(state);
          expect(state.fingerprint.value).toBe(fresh.value);
          expect(state.fingerprint.bucketValues()).toEqual(fresh.buckets);
        }
      }),
    );
  });

  it("is the same for the same digest, whatever the order it was built in", () => {
    fc.assert(
      fc.property(
        fc
          .array(
            changeArb.filter((c) => c.kind === "claim"),
            { maxLength: 30 },
          )
          .chain((changes) =>
            fc.tuple(fc.constant(changes), fc.shuffledSubarray(changes, { minLength: changes.length })),
          ),
        ([changes, shuffled]) => {
          const a = new ClusterState(new NodeState("self", 1));
          const b = new ClusterState(new NodeState("self", 1));
          for (const change of changes) apply(a, change);
          for (const change of shuffled) apply(b, change);
          expect(a.fingerprint.value).toBe(b.fingerprint.value);
        },
      ),
    );
  });

  it("finds exactly the buckets of the entries that differ", () => {
    fc.assert(
      fc.property(
        fc.array(changeArb, { maxLength: 40 }),
        fc.array(changeArb, { maxLength: 5 }),
        (common, extra) => {
          const a = new ClusterState(new NodeState("self", 1));
          const b = new ClusterState(new NodeState("self", 1));
          for (const change of common) {
            apply(a, change);
            apply(b, change);
          }
          for (const change of extra) apply(b, change);
          const digestA = new Map(a.digest().map((entry) => [entry[0], JSON.stringify(entry)]));
          const digestB = new Map(b.digest().map((entry) => [entry[0], JSON.stringify(entry)]));
          const expected = new Set<number>();
          for (const name of new Set([...digestA.keys(), ...digestB.keys()])) {
            if (digestA.get(name) !== digestB.get(name)) expected.add(bucketOf(name));
          }
          const found = a.fingerprint.differing(b.fingerprint.bucketValues());
          expect(found).toEqual([...expected].sort((x, y) => x - y));
          expect(a.fingerprint.value === b.fingerprint.value).toBe(expected.size === 0);
          // The digest of those buckets holds every differing entry.
          const named = new Set(b.digest(found).map((entry) => entry[0]));
          for (const name of digestB.keys())
            if (digestA.get(name) !== digestB.get(name)) expect(named.has(name)).toBe(true);
        },
      ),
    );
  });
});
