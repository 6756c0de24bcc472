/**
 * An agent's generation is chosen from its home's clock at registration, and goes on the wire
 * in every message that names the agent. The wire takes whole milliseconds only, so a home
 * whose clock reads fractions (the simulator's virtual clock, a shell on performance.now())
 * must still choose a whole number: otherwise every peer rejects every message naming the
 * agent, and with them the writes that ride along (the `lifetime` scenario lost acknowledged
 * writes this way: anti-entropy answers carrying the agent were refused, so a few nodes never
 * caught up with writes their tree pushes had missed).
 */
import { describe, expect, it } from "vitest";
import { planHeartbeat } from "../../src/core/index.js";
import { pair } from "./support/pair.js";

describe("an agent registered at a fractional clock reading", () => {
  it("gets a whole-number generation", () => {
    const plan = planHeartbeat({ name: "agent-1", home: "n0", now: 1_000_000.375, tiebreak: 7 });
    expect(Number.isInteger(plan.next.generation)).toBe(true);
    expect(plan.next.generation).toBe(1_000_007);
  });

  it("is taken by a peer, with the write that rides along", () => {
    const { n0: home, n1: peer, exchange, advance } = pair(1_000_000.625);
    exchange(home, peer);
    home.takeOutbox();
    advance(0.5);
    home.hostHeartbeat("agent-1", 10_000, { load: "1" }, () => {});
    home.setKey("k", "v");
    home.takeOutbox();
    exchange(home, peer);
    expect(peer.counters.rejectedMessages).toBe(0);
    expect(peer.statusOf("agent-1")).toBe("alive");
    expect(peer.stateOf("n0")?.get("k")).toBe("v");
  });
});
