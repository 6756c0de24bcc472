import { describe, expect, it } from "vitest";
import {
  Gossiper,
  type GossiperSnapshot,
  type NodeStateSnapshot,
  REGION_KEY,
  resolveConfig,
  seededRng,
} from "../../src/core/index.js";
import { regionalSample } from "../../src/core/regions.js";

const REGIONS = ["weur", "enam", "apac", "oc"];

/** Node i of n, in region i mod regions.length (none when `regions` is empty). */
function record(i: number, regions: readonly string[]): NodeStateSnapshot {
  const region = regions.length > 0 ? regions[i % regions.length] : undefined;
  return {
    name: `n${i}`,
    generation: 1,
    incarnation: 0,
    status: 0,
    heartbeat: 0,
    maxVersion: region ? 1 : 0,
    gcVersion: 0,
    keys: region ? [[REGION_KEY, region, 1]] : [],
  };
}

/** Node n0 of a converged cluster of `n`, knowing every other as alive. */
function node(n: number, options: { regions?: readonly string[]; p?: number; seed?: number } = {}) {
  const regions = options.regions ?? REGIONS;
  const records = Array.from({ length: n }, (_, i) => record(i, regions));
  const others = records.slice(1);
  const snapshot: GossiperSnapshot = {
    cluster: "c",
    self: records[0] as NodeStateSnapshot,
    others,
    members: others.map((o) => [o.name, "alive", 0]),
    graveyard: [],
    selfStatus: "alive",
  };
  // Anti-entropy never backs off here (no exchange completes), so every round plans exchanges.
  const base = { intervalMs: 1000, roundsPerWake: 1, maxBackoffRounds: 1 };
  const config = resolveConfig(
    options.p === undefined ? base : { ...base, crossRegionProbability: options.p },
  );
  return Gossiper.restore(snapshot, {
    cluster: "c",
    config,
    clock: () => now,
    rng: seededRng(options.seed ?? 7),
  });
}

/** The nodes' shared clock: a wake is one interval after the last (probes are paid by time). */
let now = 0;

/** One wake, an interval after the last. */
function wake(g: Gossiper) {
  now += 1000;
  return g.beginRound();
}

/** Share of the names chosen over `rounds` rounds that lie outside n0's region. */
function crossShare(g: Gossiper, rounds: number, pick: "probes" | "exchanges") {
  let cross = 0;
  let total = 0;
  for (let r = 0; r < rounds; r++) {
    const plan = wake(g);
    const names = pick === "probes" ? plan.probes.map((p) => p.target) : plan.exchanges.map((e) => e.peer);
    for (const name of names) {
      total++;
      if (g.regionOf(name) !== g.region) cross++;
    }
  }
  return { share: cross / total, total };
}

describe("regions: a member's region travels with its state", () => {
  it("views report the region and hide the reserved key; users cannot write it", () => {
    const g = node(8);
    expect(g.region).toBe("weur");
    expect(g.memberView("n1")?.region).toBe("enam");
    expect(g.memberView("n0")?.region).toBe("weur");
    expect(g.memberView("n1")?.state).toEqual({});
    expect(() => g.setKey(REGION_KEY, "apac")).toThrow(RangeError);
  });

  it("setRegion writes the reserved key once, as an owner write", () => {
    const g = node(4, { regions: [] });
    expect(g.region).toBeUndefined();
    expect(g.memberView("n1")).not.toHaveProperty("region");
    g.setRegion("weur");
    const version = g.self.maxVersion;
    g.setRegion("weur");
    expect(g.self.maxVersion).toBe(version);
    expect(g.region).toBe("weur");
  });
});

describe("regions: peer and probe choice", () => {
  it("exchange peers prefer the node's region, with about crossRegionProbability across", () => {
    const { share, total } = crossShare(node(40, { p: 0.15 }), 2000, "exchanges");
    expect(total).toBe(4000);
    expect(share).toBeGreaterThan(0.11);
    expect(share).toBeLessThan(0.19);
  });

  it("the probability is respected at 0 and at 1", () => {
    expect(crossShare(node(40, { p: 0 }), 300, "exchanges").share).toBe(0);
    expect(crossShare(node(40, { p: 1 }), 300, "exchanges").share).toBe(1);
  });

  it("probe targets prefer the region too, and every member is still probed", () => {
    const g = node(40, { p: 0.15 });
    const { share } = crossShare(g, 2000, "probes");
    expect(share).toBeGreaterThan(0.11);
    expect(share).toBeLessThan(0.19);
    const probed = new Set<string>();
    for (let r = 0; r < 400; r++) for (const p of wake(g).probes) probed.add(p.target);
    expect(probed.size).toBe(39);
  });

  it("without a region (or when no member shares it) choice is uniform, as before", () => {
    // n0 has no region while the others do: each of the 3 in 4 members of other regions is
    // picked as often as its share.
    const regionless = node(40, { p: 0 });
    regionless.self.delete(REGION_KEY, 0);
    expect(regionless.region).toBeUndefined();
    let weur = 0;
    let total = 0;
    for (let r = 0; r < 1000; r++) {
      for (const { peer } of wake(regionless).exchanges) {
        total++;
        if (regionless.regionOf(peer) === "weur") weur++;
      }
    }
    expect(weur / total).toBeGreaterThan(9 / 39 - 0.04);
    expect(weur / total).toBeLessThan(9 / 39 + 0.04);
    // A region no other member shares: every partner is from elsewhere.
    const alone = node(40, { p: 0 });
    alone.setRegion("sam");
    expect(crossShare(alone, 200, "exchanges").share).toBe(1);
    expect(crossShare(alone, 200, "probes").share).toBe(1);
  });

  it("regionalSample fills from the other side when one runs out", () => {
    const regionOf = (name: string) => (name.startsWith("a") ? "weur" : "enam");
    const rng = seededRng(3);
    const names = ["a1", "b1", "b2", "b3", "b4"];
    for (let i = 0; i < 50; i++) {
      const chosen = regionalSample(rng, names, 3, { own: "weur", regionOf, crossProbability: 0 });
      expect(chosen).toHaveLength(3);
      expect(chosen).toContain("a1");
      expect(new Set(chosen).size).toBe(3);
    }
    expect(regionalSample(rng, names, 9, { own: "weur", regionOf, crossProbability: 0.5 })).toHaveLength(5);
  });

  it("news still crosses: every hot push has at least one target in another region", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const g = node(64, { p: 0, seed });
      g.setKey("load", String(seed));
      const peers = g.takeOutbox().map((o) => o.peer);
      expect(peers.length).toBeGreaterThan(1);
      expect(peers.some((peer) => g.regionOf(peer) !== "weur")).toBe(true);
      expect(peers.filter((peer) => g.regionOf(peer) !== "weur")).toHaveLength(1);
    }
  });

  it("members whose region is not known yet count as other regions", () => {
    const g = node(40, { p: 0 });
    const names = g.memberNames().filter((name) => name !== "n0");
    const unknown = regionalSample(seededRng(1), names, 3, {
      own: "weur",
      regionOf: () => undefined,
      crossProbability: 0,
    });
    expect(unknown).toHaveLength(3);
  });
});
