/**
 * A node told it is dead (or suspect) refutes, and the refutation goes to the member that told
 * it as well as to its own peers. After a partition past the dead grace each side has buried
 * the other: the teller is on the far side, where none of the node's peers is, and spreads the
 * refutation there; without it the far side learned of it only by chance contacts.
 */
import { describe, expect, it } from "vitest";
import { handlePush, takeOutbox } from "../../src/core/dissemination.js";
import { DEAD } from "../../src/core/precedence.js";
import { engine, from, names } from "./support/engine.js";

describe("a refutation", () => {
  it("goes to the member that told this node it was dead, beside its peers", () => {
    const { ctx } = engine({ name: "a", peers: names(20) });
    takeOutbox(ctx);
    handlePush(ctx, from("far-1", { t: "push", n: [["a", 1, 0, DEAD, 0]] }));
    expect(ctx.state.self.incarnation).toBe(1);
    const out = takeOutbox(ctx);
    const toTeller = out.filter((o) => o.peer === "far-1");
    expect(toTeller).toHaveLength(1);
    expect(toTeller[0]?.message.n?.[0]).toEqual(["a", 1, 1, 0, 0]);
    expect(out.length).toBeGreaterThan(1);
  });
});
