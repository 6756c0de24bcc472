/**
 * The bench's cost model against hand-computed bills, so the dollars in the README can be
 * checked with a pencil.
 */
import { describe, expect, it } from "vitest";
import { costAtInterval, costTable, monthlyUsage, SECONDS_PER_MONTH } from "../../../bench/cost-model.js";

// 3 requests (1 alarm + 2 calls received), 1 row (the setAlarm), 10 ms active per round.
const perRound = { requests: 3, rowsWritten: 1, activeSeconds: 0.01 };

describe("cost model", () => {
  it("counts a 30-day month of rounds", () => {
    expect(SECONDS_PER_MONTH).toBe(2_592_000);
    const usage = monthlyUsage(perRound, 1000);
    expect(usage.rounds).toBe(2_592_000);
    expect(usage.requests).toBe(7_776_000);
    expect(usage.rowsWritten).toBe(2_592_000);
    expect(usage.gbSeconds).toBeCloseTo(3_240, 6); // 0.01 s x 2,592,000 x 0.125 GB
  });

  it("prices one node at a 1 s interval, allowance ignored", () => {
    const { marginal } = costAtInterval(perRound, 1000);
    expect(marginal.requests).toBeCloseTo(1.1664, 6); // 7.776 M x $0.15
    expect(marginal.rowsWritten).toBeCloseTo(2.592, 6); // 2.592 M x $1.00
    expect(marginal.duration).toBeCloseTo(0.0405, 6); // 3,240 GB-s x $12.50 / M
    expect(marginal.total).toBeCloseTo(3.7989, 6);
  });

  it("subtracts the allowances once for a 100-node mesh and divides by the nodes", () => {
    const { mesh, meshNodes } = costAtInterval(perRound, 1000, 100);
    expect(meshNodes).toBe(100);
    expect(mesh.requests).toBeCloseTo(1.1649, 6); // (777.6 M - 1 M) x $0.15 / 100
    expect(mesh.rowsWritten).toBeCloseTo(2.092, 6); // (259.2 M - 50 M) x $1.00 / 100
    expect(mesh.duration).toBe(0); // 324,000 GB-s is inside the 400,000 included
    expect(mesh.total).toBeCloseTo(3.2569, 6);
  });

  it("prices the 30 s interval where most of a 100-node mesh is free", () => {
    const cost = costAtInterval(perRound, 30_000, 100);
    expect(cost.usage.rounds).toBe(86_400);
    expect(cost.marginal.total).toBeCloseTo(0.03888 + 0.0864 + 0.00135, 6);
    expect(cost.mesh.requests).toBeCloseTo(0.03738, 6); // (25.92 M - 1 M) x $0.15 / 100
    expect(cost.mesh.rowsWritten).toBe(0);
    expect(cost.mesh.total).toBeCloseTo(0.03738, 6);
  });

  it("tabulates 1 s, 5 s and 30 s, cheaper as the interval grows", () => {
    const table = costTable(perRound);
    expect(table.map((row) => row.intervalMs)).toEqual([1000, 5000, 30_000]);
    expect(table[1]?.marginal.total).toBeCloseTo(3.7989 / 5, 6);
    const [oneSecond, , thirtySeconds] = table.map((row) => row.marginal.total);
    expect(oneSecond).toBeGreaterThan(thirtySeconds ?? Number.POSITIVE_INFINITY);
  });

  it("refuses a non-positive interval or mesh size", () => {
    expect(() => monthlyUsage(perRound, 0)).toThrow(RangeError);
    expect(() => costAtInterval(perRound, 1000, 0)).toThrow(RangeError);
  });
});
