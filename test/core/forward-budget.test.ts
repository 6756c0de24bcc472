/**
 * Hot forwards are budgeted: FORWARD_BURST at once, refilled one a round. A partition past the
 * dead grace ends with every member refuting its death at once, and forwarding every
 * refutation hot made each node send about N x hotFanout pushes within a few rounds (11,000
 * each at N = 1000, in the lifetime scenario). Past the budget the news is not dropped: it
 * stays queued for piggybacks, and anti-entropy carries it too.
 */
import { describe, expect, it } from "vitest";
import { hotFanoutFor } from "../../src/core/config.js";
import { FORWARD_BURST, handlePush, takeOutbox } from "../../src/core/dissemination.js";
import { ALIVE } from "../../src/core/precedence.js";
import { engine, from, names } from "./support/engine.js";

describe("hot forwards", () => {
  it("stop at FORWARD_BURST at once, refill one a round, and keep the rest queued", () => {
    const peers = names(60);
    const { ctx, advance } = engine({ peers });
    takeOutbox(ctx);
    const refute = (i: number) =>
      handlePush(ctx, from(peers[59] as string, { t: "push", hot: true, n: [[peers[i], 1, 1, ALIVE, 0]] }));
    // 40 members refute at once, each heard hot and fresh.
    for (let i = 0; i < 40; i++) expect(refute(i)).toBe(true);
    expect(ctx.counters.forwardsSent).toBe(FORWARD_BURST);
    const fanout = hotFanoutFor(ctx.config, ctx.state.size);
    expect(takeOutbox(ctx)).toHaveLength(FORWARD_BURST * fanout);
    // Every refutation was taken and waits to ride piggybacks.
    for (let i = 0; i < 40; i++) expect(ctx.state.get(peers[i] as string)?.incarnation).toBe(1);
    expect(ctx.broadcasts.size).toBeGreaterThanOrEqual(40);
    // A round later one more goes hot.
    advance(ctx.config.intervalMs);
    refute(40);
    refute(41);
    expect(ctx.counters.forwardsSent).toBe(FORWARD_BURST + 1);
  });
});
