/**
 * A node's brief kept as it goes (src/node/node-brief.ts): after any sequence of membership
 * changes, each noted, the tally's counts and fingerprint equal those computed from the full
 * view, whatever the order of members.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MemberStatus } from "../../src/core/index.js";
import { viewHash } from "../../src/core/index.js";
import { BriefTally, type TallyEntry } from "../../src/node/node-brief.js";

const STATUSES: MemberStatus[] = ["joining", "alive", "suspect", "dead", "left"];
const change = fc.record({
  node: fc.constantFrom("n0", "n1", "n2", "a1", "a2", "zz"),
  gone: fc.boolean(),
  generation: fc.integer({ min: 1, max: 3 }),
  maxVersion: fc.integer({ min: 0, max: 5 }),
  status: fc.constantFrom(...STATUSES),
  briefAfter: fc.boolean(),
});

describe("BriefTally", () => {
  it("keeps the counts and fingerprint the full view has", () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 60 }), (changes) => {
        const view = new Map<string, TallyEntry>([
          ["n0", { node: "n0", generation: 1, maxVersion: 0, status: "joining" }],
        ]);
        const source = { names: () => view.keys(), entry: (name: string) => view.get(name) };
        const tally = new BriefTally();
        const check = () => {
          const got = tally.read(source, "n0");
          const members = [...view.values()];
          const counts: Partial<Record<MemberStatus, number>> = {};
          for (const m of members) counts[m.status] = (counts[m.status] ?? 0) + 1;
          expect(got.viewHash).toBe(viewHash([...members].reverse()));
          expect(got.memberCount).toBe(members.length);
          expect(got.members).toEqual(counts);
        };
        check();
        for (const c of changes) {
          if (c.gone && c.node !== "n0") view.delete(c.node);
          else
            view.set(c.node, {
              node: c.node,
              generation: c.generation,
              maxVersion: c.maxVersion,
              status: c.status,
            });
          // the self entry ("n0") changes without a note: the tally re-reads it every time
          if (c.node !== "n0") tally.note(c.node);
          if (c.briefAfter) check();
        }
        check();
      }),
    );
  });

  it("differs when a member's generation, max version or status differs", () => {
    const base: TallyEntry = { node: "n1", generation: 1, maxVersion: 2, status: "alive" };
    const hash = viewHash([base]);
    expect(viewHash([{ ...base, generation: 2 }])).not.toBe(hash);
    expect(viewHash([{ ...base, maxVersion: 3 }])).not.toBe(hash);
    expect(viewHash([{ ...base, status: "suspect" }])).not.toBe(hash);
    expect(hash).toMatch(/^[0-9a-f]{14}$/);
  });

  it("counts no member that left, as the exchange's fingerprint does", () => {
    const base: TallyEntry = { node: "n1", generation: 1, maxVersion: 2, status: "alive" };
    const gone: TallyEntry = { node: "n4", generation: 1, maxVersion: 0, status: "left" };
    expect(viewHash([base, gone])).toBe(viewHash([base]));
    expect(viewHash([base, { ...gone, status: "dead" }])).not.toBe(viewHash([base]));
  });
});
