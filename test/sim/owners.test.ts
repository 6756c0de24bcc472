/**
 * The `owners` scenario on views the protocol built (N=24, 2 trials): two converged nodes agree
 * on every key, a crash and a join each move at most 1.1/N of 100,000 keys (the joiner takes
 * about its share), shares follow weights within 5% at N=10, and a lookup's cost is reported.
 */
import { describe, expect, it } from "vitest";
import { resolveSimOptions } from "../../src/sim/options.js";
import { runSimulation } from "../../src/sim/run.js";

describe("owners scenario", { timeout: 120_000 }, () => {
  it("meets the issue's goals on a small cluster", async () => {
    const { figures: f } = await runSimulation(
      resolveSimOptions({ scenario: "owners", nodes: 24, trials: 2, seed: 3 }),
    );
    expect(f.agreementMin).toBe(1);
    expect(f.viewsAgreed).toBe(1);
    expect(f.removalMovedMax).toBeGreaterThan(0);
    expect(f.removalMovedMax).toBeLessThanOrEqual(1.1 / 24);
    expect(f.additionMovedMax).toBeGreaterThan(0);
    expect(f.additionMovedMax).toBeLessThanOrEqual(1.1 / 24);
    expect(f.joinerOwnsShare).toBeCloseTo(f.additionMoved as number, 10);
    expect(f.weightShareErrorMax).toBeLessThan(0.05);
    expect(f.lookupMicros).toBeGreaterThan(0);
    expect(f.lookupCpuMicros).toBeGreaterThan(0);
  });
});
