/**
 * Weighted rendezvous hashing as a router sees it: two nodes with the same view name the same
 * owners whatever order their views list members in; removing a member moves only the keys it
 * owned (about 1/N of them) and adding one moves only the keys it takes; each member's share
 * follows its weight; a region's members come first; only alive members of the asked kind own
 * keys; and n is bounded.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fmix64,
  fnv1a64,
  type MemberStatus,
  type MemberView,
  memberWeight,
  OWNERS_MAX_N,
  OwnerTable,
  ownersOf,
  unitInterval,
} from "../../src/core/index.js";

function member(
  node: string,
  extra: { status?: MemberStatus; weight?: string; region?: string; kind?: "node" | "agent" } = {},
): MemberView {
  const view: MemberView = {
    node,
    generation: 1,
    incarnation: 0,
    heartbeat: 0,
    status: extra.status ?? "alive",
    phi: 0,
    maxVersion: 0,
    state: extra.weight === undefined ? {} : { weight: extra.weight },
  };
  if (extra.region !== undefined) view.region = extra.region;
  if (extra.kind !== undefined) view.kind = extra.kind;
  return view;
}

function nodes(count: number, prefix = "n"): MemberView[] {
  return Array.from({ length: count }, (_, i) => member(`${prefix}${i}`));
}

const KEYS = Array.from({ length: 20_000 }, (_, i) => `key-${i}`);

function firstOwners(view: readonly MemberView[], keys: readonly string[]): string[] {
  const table = new OwnerTable(view);
  return keys.map((key) => table.lookup(key, { n: 1 })[0]?.node ?? "");
}

describe("owners: agreement", () => {
  it("is a function of the view's content, not the order it lists members in", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { minLength: 1, maxLength: 30 }),
        fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: OWNERS_MAX_N }),
        fc.integer(),
        (names, keys, n, seed) => {
          const view = names.map((name, i) => member(name, { weight: String((i % 3) + 1) }));
          const shuffled = [...view].sort(
            (a, b) => ((hashOf(a.node) ^ seed) >>> 0) - ((hashOf(b.node) ^ seed) >>> 0),
          );
          const a = new OwnerTable(view);
          const b = new OwnerTable(shuffled);
          for (const key of keys) expect(b.lookup(key, { n })).toEqual(a.lookup(key, { n }));
        },
      ),
    );
  });

  it("answers n distinct owners in preference order, the first being the n=1 answer", () => {
    const view = nodes(12);
    const table = new OwnerTable(view);
    for (const key of KEYS.slice(0, 500)) {
      const three = table.lookup(key, { n: 3 }).map((o) => o.node);
      expect(new Set(three).size).toBe(3);
      expect(three[0]).toBe(table.lookup(key, { n: 1 })[0]?.node);
      // The second owner is who owns the key once the first is gone.
      const without = new OwnerTable(view.filter((m) => m.node !== three[0]));
      expect(without.lookup(key, { n: 2 }).map((o) => o.node)).toEqual(three.slice(1));
    }
  });
});

/** The definition, naively: score every member, sort everything (region first, score, name). */
function reference(view: readonly MemberView[], key: string, n: number, region?: string): string[] {
  const k = fmix64(fnv1a64(key).hi, fnv1a64(key).lo);
  return view
    .filter((m) => m.status === "alive" && (m.kind ?? "node") === "node")
    .map((m) => {
      const h = fnv1a64(m.node);
      const mh = fmix64(h.hi, h.lo);
      const mixed = fmix64((k.hi ^ mh.hi) >>> 0, (k.lo ^ mh.lo) >>> 0);
      const score = -memberWeight(m.state) / Math.log(unitInterval(mixed.hi, mixed.lo));
      return { node: m.node, group: region !== undefined && m.region === region ? 0 : 1, score };
    })
    .sort((a, b) => a.group - b.group || b.score - a.score || (a.node < b.node ? -1 : 1))
    .slice(0, n)
    .map((o) => o.node);
}

describe("owners: the definition", () => {
  it("the top-n selection (with its early skip) answers what a full sort by score does", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 1, maxLength: 60 }),
        fc.array(fc.constantFrom("1", "2", "0.25", "7.5", "100", "x"), { minLength: 60, maxLength: 60 }),
        fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: OWNERS_MAX_N }),
        fc.option(fc.constantFrom("weur", "enam"), { nil: undefined }),
        (names, weights, keys, n, region) => {
          const view = names.map((name, i) =>
            member(name, { weight: weights[i] as string, region: i % 2 === 0 ? "weur" : "enam" }),
          );
          const table = new OwnerTable(view);
          for (const key of keys) {
            const options = region === undefined ? { n } : { n, region };
            expect(table.lookup(key, options).map((o) => o.node)).toEqual(reference(view, key, n, region));
          }
        },
      ),
    );
  });
});

describe("owners: stability", () => {
  it("removing one of N moves only the keys it owned, about 1/N of them", () => {
    for (const size of [5, 10, 40]) {
      const view = nodes(size);
      const before = firstOwners(view, KEYS);
      const gone = `n${Math.floor(size / 2)}`;
      const after = firstOwners(
        view.filter((m) => m.node !== gone),
        KEYS,
      );
      let moved = 0;
      KEYS.forEach((_, i) => {
        if (before[i] !== after[i]) {
          moved++;
          expect(before[i]).toBe(gone);
        }
      });
      expect(moved / KEYS.length).toBeLessThanOrEqual(1.1 / size);
    }
  });

  it("adding one member moves only the keys it takes, about 1/(N+1) of them", () => {
    for (const size of [5, 10, 40]) {
      const view = nodes(size);
      const before = firstOwners(view, KEYS);
      const after = firstOwners([...view, member("newcomer")], KEYS);
      let moved = 0;
      KEYS.forEach((_, i) => {
        if (before[i] !== after[i]) {
          moved++;
          expect(after[i]).toBe("newcomer");
        }
      });
      expect(moved / KEYS.length).toBeLessThanOrEqual(1.1 / size);
    }
  });

  it("a member that is not alive owns nothing, and the others keep their keys", () => {
    const view = nodes(8);
    const before = firstOwners(view, KEYS.slice(0, 2000));
    const suspect = view.map((m) => (m.node === "n3" ? { ...m, status: "suspect" as const } : m));
    const after = firstOwners(suspect, KEYS.slice(0, 2000));
    after.forEach((owner, i) => {
      expect(owner).not.toBe("n3");
      if (before[i] !== "n3") expect(owner).toBe(before[i]);
    });
  });
});

describe("owners: weights", () => {
  it("each member's share is within 5% of weight / sum (N=10, 100,000 keys)", () => {
    const weights = [1, 1, 2, 2, 3, 0.5, 4, 1, 1.5, 2];
    const view = weights.map((w, i) => member(`w${i}`, { weight: String(w) }));
    const table = new OwnerTable(view);
    const wins = new Map<string, number>();
    const total = 100_000;
    for (let i = 0; i < total; i++) {
      const owner = table.lookup(`k${i}`, { n: 1 })[0]?.node as string;
      wins.set(owner, (wins.get(owner) ?? 0) + 1);
    }
    const sum = weights.reduce((a, b) => a + b, 0);
    weights.forEach((w, i) => {
      const share = (wins.get(`w${i}`) ?? 0) / total;
      expect(Math.abs(share - w / sum) / (w / sum)).toBeLessThan(0.05);
    });
  });

  it("takes the weight key when it is a positive finite number, else 1", () => {
    expect(memberWeight({ weight: "2.5" })).toBe(2.5);
    expect(memberWeight({ weight: "1e2" })).toBe(100);
    expect(memberWeight({})).toBe(1);
    expect(memberWeight(undefined)).toBe(1);
    for (const bad of ["0", "-1", "abc", "", "Infinity", "1e999", "0x10", " 2", "NaN"])
      expect(memberWeight({ weight: bad }), bad).toBe(1);
  });
});

describe("owners: region, kind and bounds", () => {
  it("puts the region's members first, each group in score order", () => {
    const view = Array.from({ length: 12 }, (_, i) =>
      member(`r${i}`, { region: i % 3 === 0 ? "weur" : "enam" }),
    );
    const table = new OwnerTable(view);
    for (const key of KEYS.slice(0, 300)) {
      const owners = table.lookup(key, { n: 6, region: "weur" });
      expect(owners.slice(0, 4).every((o) => o.region === "weur")).toBe(true);
      expect(owners.slice(4).every((o) => o.region === "enam")).toBe(true);
      // Within a group the order is the plain ranking's.
      const plain = table.lookup(key, { n: 12 }).map((o) => o.node);
      const weur = plain.filter((name) => owners.slice(0, 4).some((o) => o.node === name));
      expect(owners.slice(0, 4).map((o) => o.node)).toEqual(weur);
    }
  });

  it("owns by kind: nodes by default, agents or any on request; only alive members", () => {
    const view = [
      member("a1", { kind: "agent" }),
      member("n1"),
      member("n2", { status: "dead" }),
      member("a2", { kind: "agent", status: "left" }),
    ];
    expect(ownersOf(view, "k", { n: 4 }).map((o) => o.node)).toEqual(["n1"]);
    expect(ownersOf(view, "k", { n: 4, kind: "agent" }).map((o) => o.node)).toEqual(["a1"]);
    expect(
      ownersOf(view, "k", { n: 4, kind: "any" })
        .map((o) => o.node)
        .sort(),
    ).toEqual(["a1", "n1"]);
    expect(ownersOf([], "k")).toEqual([]);
  });

  it("answers each owner's record, and n is clamped to 1..OWNERS_MAX_N and the candidates", () => {
    const view = [member("x", { weight: "3", region: "apac" }), ...nodes(30)];
    const record = ownersOf(view, "k", { n: 31 }).find((o) => o.node === "x");
    expect(record).toEqual({ node: "x", kind: "node", region: "apac", weight: 3 });
    expect(ownersOf(view, "k", { n: 100 })).toHaveLength(OWNERS_MAX_N);
    expect(ownersOf(view, "k", { n: 0 })).toHaveLength(1);
    expect(ownersOf(view, "k", { n: Number.NaN })).toHaveLength(3);
    expect(ownersOf(nodes(2), "k", { n: 5 })).toHaveLength(2);
  });
});

function hashOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
