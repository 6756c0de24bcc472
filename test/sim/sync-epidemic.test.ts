import { describe, expect, it } from "vitest";
import { seededRng } from "../../src/core/index.js";
import type { EpidemicOptions } from "../../src/sim/strategies/epidemic.js";
import { runSyncEpidemic } from "../../src/sim/strategies/sync-epidemic.js";

type SyncOptions = Parameters<typeof runSyncEpidemic>[0];

function options(over: Partial<EpidemicOptions> = {}): SyncOptions {
  return {
    kind: "rumor",
    nodes: 64,
    mode: "push",
    fanout: 1,
    interest: "feedback",
    stop: "counter",
    k: 2,
    loss: 0,
    maxRounds: 1000,
    rng: seededRng(7),
    ...over,
  };
}

const VARIANTS: Partial<EpidemicOptions>[] = [
  { kind: "rumor", mode: "push" },
  { kind: "rumor", mode: "pull" },
  { kind: "rumor", mode: "push-pull", interest: "blind", stop: "coin" },
  { kind: "anti-entropy", mode: "push" },
  { kind: "anti-entropy", mode: "pull" },
  { kind: "anti-entropy", mode: "push-pull", fanout: 2 },
  { kind: "flood" },
  { kind: "rumor", mode: "push", loss: 0.2 },
];

describe("synchronous cycles (--sync)", () => {
  it("gives the same epidemic for the same seed and another for another seed", () => {
    for (const variant of VARIANTS) {
      const a = runSyncEpidemic(options({ ...variant, rng: seededRng(7) }));
      const b = runSyncEpidemic(options({ ...variant, rng: seededRng(7) }));
      expect(b).toEqual(a);
    }
    const a = runSyncEpidemic(options({ rng: seededRng(7) }));
    const c = runSyncEpidemic(options({ rng: seededRng(8) }));
    expect(Array.from(c.informedAt)).not.toEqual(Array.from(a.informedAt));
  });

  it("never forwards an update in the cycle it arrived in", () => {
    for (const variant of VARIANTS) {
      for (let seed = 1; seed <= 5; seed++) {
        const sends: [number, number][] = [];
        const result = runSyncEpidemic(options({ ...variant, rng: seededRng(seed) }), (cycle, from) =>
          sends.push([cycle, from]),
        );
        expect(sends.length).toBeGreaterThan(0);
        const early = sends.filter(([cycle, from]) => {
          const at = result.informedAt[from] as number;
          return at < 0 || at >= cycle;
        });
        expect(early, `${JSON.stringify(variant)} seed ${seed}`).toEqual([]);
      }
    }
  });

  it("at most doubles the informed nodes per cycle under push with one partner", () => {
    // Asynchronous rounds let a node pass on what it heard in the same round; cycles do not.
    const result = runSyncEpidemic(options({ nodes: 1024, interest: "blind", k: 100, rng: seededRng(3) }));
    const byCycle = new Map<number, number>();
    for (const at of result.informedAt) if (at >= 0) byCycle.set(at, (byCycle.get(at) ?? 0) + 1);
    let informed = 0;
    for (let t = 0; t <= result.tLast; t++) {
      informed += byCycle.get(t) ?? 0;
      expect(informed).toBeLessThanOrEqual(2 ** t);
    }
    expect(byCycle.get(0)).toBe(1);
    expect(byCycle.get(1)).toBe(1);
  });

  it("floods everyone in the first cycle and reports times in whole cycles", () => {
    const result = runSyncEpidemic(options({ kind: "flood", nodes: 50 }));
    expect(result.residue).toBe(0);
    expect(result.tAve).toBe(1);
    expect(result.tLast).toBe(1);
    expect(result.traffic).toBeCloseTo(49, 5);
  });
});
