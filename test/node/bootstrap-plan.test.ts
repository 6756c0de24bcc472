/**
 * Which nodes one bootstrap call starts: pages of BOOTSTRAP_PAGE (derived from the subrequest
 * budget) from any `from`, a `next` that ends exactly at n{size-1}, `complete` only for one
 * call that starts everything, and seeds and regions that do not depend on the page.
 */
import { describe, expect, it } from "vitest";
import { BOOTSTRAP_PAGE, planBootstrap } from "../../src/api/bootstrap-plan.js";
import { NODES_PER_INVOCATION, SUBREQUEST_BUDGET } from "../../src/node/subrequests.js";

describe("planBootstrap", () => {
  it("pages within the subrequest budget", () => {
    expect(BOOTSTRAP_PAGE).toBe(NODES_PER_INVOCATION);
    expect(BOOTSTRAP_PAGE).toBeLessThan(SUBREQUEST_BUDGET);
  });

  it("starts a cluster that fits one page in one complete call", () => {
    for (const size of [1, 2, BOOTSTRAP_PAGE]) {
      const plan = planBootstrap({ size });
      expect(plan.nodes).toHaveLength(size);
      expect(plan).toMatchObject({ next: null, complete: true });
    }
    expect(planBootstrap({ size: 1 }).seeds).toEqual(["n0"]);
  });

  it("covers a larger cluster exactly once, page after page, from any start", () => {
    const size = 2 * BOOTSTRAP_PAGE + 3;
    for (const start of [0, 17]) {
      const seen: string[] = [];
      let from: number | null = start;
      while (from !== null) {
        const plan = planBootstrap({ size, from });
        expect(plan.nodes.length).toBeLessThanOrEqual(BOOTSTRAP_PAGE);
        expect(plan.nodes[0]).toBe(`n${from}`);
        expect(plan.complete).toBe(false);
        seen.push(...plan.nodes);
        from = plan.next;
      }
      expect(seen).toEqual(Array.from({ length: size - start }, (_, i) => `n${start + i}`));
    }
  });

  it("gives every page the same seeds and each node its region by its own index", () => {
    const size = BOOTSTRAP_PAGE + 5;
    const regions = ["weur", "enam", "apac"] as const;
    const first = planBootstrap({ size, regions: [...regions] });
    const second = planBootstrap({ size, regions: [...regions], from: BOOTSTRAP_PAGE });
    expect(second.seeds).toEqual(first.seeds);
    expect(first.seeds).toEqual(["n0", "n1"]);
    expect(planBootstrap({ size, seeds: ["n7"], from: BOOTSTRAP_PAGE }).seeds).toEqual(["n7"]);
    for (const plan of [first, second]) {
      for (const [node, region] of plan.regions ?? []) {
        expect(region).toBe(regions[Number(node.slice(1)) % regions.length]);
      }
    }
    expect(second.regions?.size).toBe(5);
    expect(planBootstrap({ size }).regions).toBeNull();
  });
});
