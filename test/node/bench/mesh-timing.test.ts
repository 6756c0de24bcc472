/**
 * The bench's pure timing and count checks: full membership from the nodes' event logs (when
 * each node's log first holds every other node alive, and the latest over nodes), and the
 * checks it asks of the cluster summary's briefs instead of full views.
 */
import { describe, expect, it } from "vitest";
import { fullMembershipCell } from "../../../bench/bench-result.js";
import { allAliveAt, fullMembershipFromLogs } from "../../../bench/mesh/read-event-logs.js";
import type { MeshFigures } from "../../../bench/mesh/run-mesh.js";
import { failureTimeline, timelineLine } from "../../../bench/mesh/trial-timeline.js";
import {
  type BriefCounts,
  fullMembershipByCounts,
  meanAlarmLateness,
  medianRoundsBetween,
  quietByBriefs,
  victimCountedEverywhere,
} from "../../../bench/mesh/views.js";
import type { SequencedEvent } from "../../../src/node/rpc-types.js";

let seq = 0;
function ev(type: SequencedEvent["type"], node: string, at: number): SequencedEvent {
  seq++;
  return { type, node, generation: 1, at, seq };
}

describe("allAliveAt", () => {
  it("is the moment the last other node joined", () => {
    const log = [
      ev("joined", "b", 1010),
      ev("joined", "c", 1030),
      ev("state", "c", 1030),
      ev("joined", "d", 1020),
    ];
    expect(allAliveAt(log, ["b", "c", "d"])).toBe(1020);
  });

  it("does not count a member discovered suspect, until it is alive", () => {
    const log = [
      ev("joined", "b", 1010),
      ev("joined", "c", 1020),
      ev("suspect", "c", 1020),
      ev("alive", "c", 1500),
    ];
    expect(allAliveAt(log, ["b", "c"])).toBe(1500);
  });

  it("starts over for a member suspected, dead or forgotten after joining", () => {
    const log = [
      ev("joined", "b", 1010),
      ev("suspect", "b", 1100),
      ev("joined", "c", 1200),
      ev("alive", "b", 1300),
    ];
    expect(allAliveAt(log, ["b", "c"])).toBe(1300);
    const forgotten = [ev("joined", "b", 1010), ev("forgotten", "b", 1100), ev("joined", "c", 1200)];
    expect(allAliveAt(forgotten, ["b", "c"])).toBeNull();
  });

  it("ignores the node itself and nodes not asked about", () => {
    const log = [ev("joined", "a", 1000), ev("joined", "x", 1005), ev("joined", "b", 1010)];
    expect(allAliveAt(log, ["b", "c"])).toBeNull();
    expect(allAliveAt(log, ["b"])).toBe(1010);
  });
});

describe("fullMembershipFromLogs", () => {
  const names = ["a", "b", "c"];

  it("is the latest over nodes of when each log first held every other node alive", () => {
    const logs = new Map([
      ["a", [ev("joined", "b", 1100), ev("joined", "c", 1400)]],
      ["b", [ev("joined", "a", 1050), ev("joined", "c", 1900)]],
      ["c", [ev("joined", "b", 1200), ev("joined", "a", 1300)]],
    ]);
    expect(fullMembershipFromLogs(logs, names, 1000, 1000)).toEqual({
      ms: 900,
      lastNode: "b",
      perNodeMs: { a: 400, b: 900, c: 300 },
    });
  });

  it("gives up, saying why, when a log never holds everyone or may have lost its oldest events", () => {
    const short = new Map([
      ["a", [ev("joined", "b", 1100), ev("joined", "c", 1400)]],
      ["b", [ev("joined", "a", 1050)]],
      ["c", [ev("joined", "b", 1200), ev("joined", "a", 1300)]],
    ]);
    expect(fullMembershipFromLogs(short, names, 1000, 1000)).toEqual({
      ms: null,
      reason: "b's log never shows every other node alive",
    });
    const full = new Map([
      ["a", [ev("joined", "b", 1100), ev("joined", "c", 1400)]],
      ["b", [ev("joined", "a", 1050), ev("joined", "c", 1900)]],
      ["c", [ev("joined", "b", 1200), ev("joined", "a", 1300), ev("state", "a", 1350)]],
    ]);
    const result = fullMembershipFromLogs(full, names, 1000, 3);
    expect(result.ms).toBeNull();
    expect(result).toMatchObject({ reason: expect.stringContaining("c's log is full (3 events)") });
    expect(fullMembershipFromLogs(new Map(), names, 1000, 1000)).toMatchObject({ ms: null });
  });
});

describe("a failure's timeline from the logs", () => {
  const suspect = (node: string, at: number, by: string): SequencedEvent => ({
    ...ev("suspect", node, at),
    by,
  });
  const logs = new Map<string, SequencedEvent[]>([
    // n1 raised it at 1400; n2 heard of it at 1450 and declared it dead first, at 3700.
    ["n1", [suspect("v", 900, "n1"), suspect("v", 1400, "n1"), ev("dead", "v", 3800)]],
    ["n2", [suspect("v", 1450, "n1"), ev("dead", "v", 3700)]],
    ["n3", [suspect("v", 1600, "n2"), ev("dead", "v", 3900)]],
  ]);

  it("says when the first node suspected the victim and who, the median and last, the first and last dead", () => {
    const t = failureTimeline(logs, ["n1", "n2", "n3"], "v", "hung", 1000);
    expect(t).toMatchObject({
      firstSuspectMs: 400,
      firstSuspectBy: "n1",
      medianNonAliveMs: 450,
      lastNonAliveMs: 600,
      firstDeadMs: 2700,
      firstDeadAt: "n2",
      lastDeadMs: 2900,
      ownSuspicions: 1,
      missing: 0,
    });
    expect(timelineLine(t)).toContain("hung v: first suspect 0.40 s (by n1)");
  });

  it("has no last time while some observer never logged it", () => {
    const t = failureTimeline(logs, ["n1", "n2", "n3", "n4"], "v", "stopped", 1000);
    expect(t.missing).toBe(1);
    expect(t.lastNonAliveMs).toBeNull();
    expect(t.lastDeadMs).toBeNull();
    expect(t.firstSuspectMs).toBe(400);
  });
});

describe("count checks on the summary's briefs", () => {
  const brief = (node: string, alive: number, extra: Partial<BriefCounts> = {}): BriefCounts => ({
    node,
    live: true,
    members: { alive },
    memberCount: alive,
    rounds: 10,
    wakeRounds: 8,
    ...extra,
  });

  it("full membership: every node live, counting every node alive", () => {
    const names = ["n0", "n1", "n2"];
    expect(fullMembershipByCounts([brief("n0", 3), brief("n1", 3), brief("n2", 3)], names)).toBe(true);
    expect(fullMembershipByCounts([brief("n0", 3), brief("n1", 2), brief("n2", 3)], names)).toBe(false);
    expect(fullMembershipByCounts([brief("n0", 3), brief("n1", 3)], names)).toBe(false);
    const suspecting = brief("n2", 2, { members: { alive: 2, suspect: 1 }, memberCount: 3 });
    expect(fullMembershipByCounts([brief("n0", 3), brief("n1", 3), suspecting], names)).toBe(false);
    const stopped = brief("n2", 3, { live: false });
    expect(fullMembershipByCounts([brief("n0", 3), brief("n1", 3), stopped], names)).toBe(false);
  });

  it("quiet: every node asked about waits its longest wake; others are not asked", () => {
    const busy = brief("n1", 3, { wakeRounds: 1 });
    expect(quietByBriefs([brief("n0", 3), busy], ["n0", "n1"], 8)).toBe(false);
    expect(quietByBriefs([brief("n0", 3), busy], ["n0"], 8)).toBe(true);
    expect(quietByBriefs([brief("n0", 3, { wakeRounds: null })], ["n0"], 8)).toBe(false);
    expect(quietByBriefs([brief("n0", 3)], ["n0", "n1"], 8)).toBe(false);
    expect(quietByBriefs([brief("n0", 3, { wakeRounds: 1 })], ["n0"], 1)).toBe(true);
  });

  it("a victim counted out: one fewer alive at every node, then one more dead (or forgotten)", () => {
    const names = ["n0", "n1"];
    const before = [brief("n0", 3), brief("n1", 3)];
    const suspectAt = (node: string) => brief(node, 2, { members: { alive: 2, suspect: 1 }, memberCount: 3 });
    const deadAt = (node: string) => brief(node, 2, { members: { alive: 2, dead: 1 }, memberCount: 3 });
    expect(victimCountedEverywhere(before, [suspectAt("n0"), brief("n1", 3)], names, "nonAlive")).toBe(false);
    expect(victimCountedEverywhere(before, [suspectAt("n0"), suspectAt("n1")], names, "nonAlive")).toBe(true);
    expect(victimCountedEverywhere(before, [suspectAt("n0"), suspectAt("n1")], names, "dead")).toBe(false);
    const forgotten = brief("n1", 2, { memberCount: 2 });
    expect(victimCountedEverywhere(before, [deadAt("n0"), forgotten], names, "dead")).toBe(true);
    // A node not read before, or not live now, never counts as having seen it.
    expect(victimCountedEverywhere([brief("n0", 3)], [deadAt("n0"), deadAt("n1")], names, "dead")).toBe(
      false,
    );
    const stopped = brief("n1", 2, { live: false, members: { alive: 2, dead: 1 } });
    expect(victimCountedEverywhere(before, [deadAt("n0"), stopped], names, "dead")).toBe(false);
  });

  it("alarm lateness: the mean over the alarms run between readings, restarted counters left out", () => {
    const at = (node: string, alarmsRun: number, alarmLateMs: number) => ({
      node,
      counters: { alarmsRun, alarmLateMs },
    });
    const before = [at("n0", 10, 100), at("n1", 10, 100), at("n2", 50, 5000)];
    // n0: 2 alarms 300 ms late in all; n1: 2 alarms 100 ms; n2 restarted (woke from hibernation).
    const after = [at("n0", 12, 400), at("n1", 12, 200), at("n2", 1, 10)];
    expect(meanAlarmLateness(before, after)).toBe(100);
    expect(meanAlarmLateness(before, before)).toBeNull();
    expect(meanAlarmLateness([{ node: "n0" }], after)).toBeNull();
  });

  it("median rounds run between two readings", () => {
    const before = new Map([
      ["a", 10],
      ["b", 20],
      ["c", 30],
    ]);
    const after = new Map([
      ["a", 12],
      ["b", 25],
      ["c", 40],
    ]);
    expect(medianRoundsBetween(before, after)).toBe(5);
    expect(medianRoundsBetween(new Map(), after)).toBe(25);
  });
});

describe("the figures table's full membership cell", () => {
  const base = { fullMembership: { ms: 9_800, rounds: 12 } } as MeshFigures;

  it("says when the time came from the logs, with the polled time beside it", () => {
    expect(
      fullMembershipCell({
        ...base,
        fullMembershipMeasuredBy: "events",
        fullMembershipPolled: { ms: 31_000, rounds: 12 },
      }),
    ).toBe("9.80 s (12 rounds) from event logs; polled 31.00 s");
    expect(fullMembershipCell({ ...base, fullMembershipMeasuredBy: "polls" })).toBe(
      "9.80 s (12 rounds) polled (event logs fell short)",
    );
    expect(fullMembershipCell(base)).toBe("9.80 s (12 rounds)");
  });
});
