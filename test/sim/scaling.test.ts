/**
 * The scaling scenario at small sizes: one row per size with every figure, headline ratios,
 * the rows in the JSON report and the sizes in its config; a quiet mesh's bytes per
 * node-round do not grow with N.
 */
import { describe, expect, it } from "vitest";
import { parseSizes, resolveSimOptions } from "../../src/sim/options.js";
import { runSimulation } from "../../src/sim/run.js";
import { formatResult, jsonReport } from "../../src/sim/sim-report.js";

describe("scaling", { timeout: 60_000 }, () => {
  it("measures each size of a quiet mesh and reports the rows and ratios", async () => {
    const options = resolveSimOptions({ scenario: "scaling", sizes: "20,40", warmupRounds: 12 });
    const result = await runSimulation(options);
    const rows = result.scaling ?? [];
    expect(rows.map((row) => row.nodes)).toEqual([20, 40]);
    for (const row of rows) {
      expect(row.bytesPerNodeRound).toBeGreaterThan(0);
      expect(row.messagesPerNodeRound).toBeGreaterThan(0);
      expect(row.coreMsPerNodeRound).toBeGreaterThan(0);
      expect(row.heapBytesPerMember).toBeGreaterThan(0);
      expect(row.loneCoreMsPerRound).toBeGreaterThan(0);
      expect(row.falseSuspicions).toBe(0);
    }
    // Quiet: probes and fingerprint-only exchanges, the same per node at 20 and at 40.
    expect(result.figures.bytesRatio).toBeGreaterThan(0.8);
    expect(result.figures.bytesRatio).toBeLessThan(1.25);
    expect(result.figures.coreMsRatio).toBeGreaterThan(0);
    expect(result.figures.loneCoreMsRatio).toBeGreaterThan(0);
    const report = JSON.parse(jsonReport(options, result));
    expect(report.config.sizes).toBe("20,40");
    expect(report.figures.scaling).toHaveLength(2);
    expect(report.figures.bytesRatio).toBeCloseTo(result.figures.bytesRatio as number);
    expect(formatResult(options, result)).toMatch(/nodes\s+bytes\/node-round.*lone node ms\/round/);
  });

  it("takes a list of sizes and refuses anything else", () => {
    expect(parseSizes("100, 1000,10000")).toEqual([100, 1000, 10000]);
    expect(() => resolveSimOptions({ scenario: "scaling", sizes: "20,x" })).toThrow(/--sizes/);
    expect(() => resolveSimOptions({ scenario: "scaling", sizes: "1" })).toThrow(/sizes/);
    expect(resolveSimOptions({ scenario: "scaling" }).sizes).toEqual([100, 1000, 10000]);
  });
});
