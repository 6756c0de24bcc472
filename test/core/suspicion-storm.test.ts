/**
 * A suspicion's reporters are spread only while they shorten its timeout. Past
 * `suspicionConfirmations` independent reporters the timeout is at its floor, and forwarding
 * every further one cost each node a hot push per reporter: when a partition cut 100 of 1,000
 * nodes off, 900 reporters of each of the 100 suspects, a storm the lifetime scenario spent
 * most of its time in.
 */
import { describe, expect, it } from "vitest";
import { handlePush, takeOutbox } from "../../src/core/dissemination.js";
import { SUSPECT } from "../../src/core/precedence.js";
import { engine, from, names } from "./support/engine.js";

describe("reporters of a suspicion heard hot", () => {
  it("are forwarded while they shorten the timeout, not past suspicionConfirmations", () => {
    const peers = names(40);
    const { ctx } = engine({ peers });
    const k = ctx.config.suspicionConfirmations;
    takeOutbox(ctx);
    // The suspicion itself (a change), then 20 more reporters, each heard once.
    for (let i = 0; i <= 20; i++) {
      const reporter = peers[i + 1] as string;
      handlePush(ctx, from(reporter, { t: "push", hot: true, n: [["p0", 1, 0, SUSPECT, 0, reporter]] }));
    }
    expect(ctx.records.suspicion("p0")?.confirmations).toBe(20);
    // The suspicion, then k confirmations.
    expect(ctx.counters.forwardsSent).toBe(1 + k);
  });
});
