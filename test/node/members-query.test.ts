/**
 * The members query as a pure function: filters, key projection, paging that visits every
 * member once whatever the page size, the defaults for fields the core does not know yet,
 * and cursors it did not make refused.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MemberStatus, MemberView } from "../../src/core/index.js";
import { decodeCursor, encodeCursor, membersPage } from "../../src/node/members-query.js";

const META = { cluster: "c", from: "a", at: 1 };

function member(node: string, status: MemberStatus, state: Record<string, string> = {}): MemberView {
  return { node, generation: 7, incarnation: 0, heartbeat: 99, status, phi: 1.5, maxVersion: 3, state };
}

const VIEW = [
  member("a", "alive", { load: "1", zone: "x" }),
  member("b", "suspect"),
  member("c", "dead", { load: "3" }),
  member("d", "alive"),
];

describe("membersPage", () => {
  it("projects lean records with defaults for kind and incarnation", () => {
    const page = membersPage(VIEW, {}, META);
    expect(page.members[0]).toEqual({
      node: "a",
      kind: "node",
      incarnation: 0,
      status: "alive",
      generation: 7,
    });
    expect(page.next).toBeNull();
  });

  it("keeps fields the core reports (region, home, kind, incarnation)", () => {
    const agent = { ...member("z", "alive"), kind: "agent", incarnation: 4, home: "a", region: "weur" };
    const page = membersPage([agent as MemberView], { kind: "agent", region: "weur" }, META);
    expect(page.members).toEqual([
      { node: "z", kind: "agent", incarnation: 4, home: "a", region: "weur", status: "alive", generation: 7 },
    ]);
  });

  it("filters by status and projects only asked keys", () => {
    const page = membersPage(VIEW, { status: ["alive", "dead"], keys: ["load"] }, META);
    expect(page.members.map((m) => [m.node, m.state])).toEqual([
      ["a", { load: "1" }],
      ["c", { load: "3" }],
      ["d", {}],
    ]);
    expect(membersPage(VIEW, { keys: ["*"] }, META).members[0]?.state).toEqual({ load: "1", zone: "x" });
  });

  it("pages through every matching member exactly once for any limit", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,6}$/), { maxLength: 40 }),
        fc.integer({ min: 1, max: 12 }),
        (names, limit) => {
          const view = [...names].sort().map((n, i) => member(n, i % 3 === 0 ? "dead" : "alive"));
          const expected = view.filter((m) => m.status === "alive").map((m) => m.node);
          const seen: string[] = [];
          let cursor: string | undefined;
          for (let i = 0; i <= names.length + 1; i++) {
            const page = membersPage(view, { status: ["alive"], limit, cursor }, META);
            expect(page.members.length).toBeLessThanOrEqual(limit);
            seen.push(...page.members.map((m) => m.node));
            if (page.next === null) break;
            cursor = page.next;
          }
          expect(seen).toEqual(expected);
        },
      ),
    );
  });

  it("refuses cursors it did not make", () => {
    expect(decodeCursor(encodeCursor("n-12"))).toBe("n-12");
    for (const bad of ["", "nope", "!!!", btoa("m2:x"), btoa("m1:")]) {
      expect(() => decodeCursor(bad)).toThrow(RangeError);
    }
  });
});
