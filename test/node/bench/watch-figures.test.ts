/**
 * The watch bench's arithmetic (bench/watch/figures.ts) on hand-made numbers: nearest-rank
 * percentiles, the requests idle subscribers cost once the bench's own reads are taken out
 * (and a node whose counters went back left out), and dollars per subscriber-month, where the
 * polling relay's two requests a second come to the issue's $0.78.
 */
import { describe, expect, it } from "vitest";
import { idleRequests, percentile, perSubscriberMonth } from "../../../bench/watch/figures.js";

const counters = (rpc: number, peer: number, accepted = 0, messages = 0) => ({
  rpcCallsAnswered: rpc,
  peerCallsAnswered: peer,
  watchersAccepted: accepted,
  watchMessagesReceived: messages,
});

describe("watch bench figures", () => {
  it("percentiles by nearest rank", () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile([], 50)).toBeNull();
  });

  it("counts what nodes answered between two reads, less the later read itself", () => {
    // Node 0: only the later read (peers' gossip aside); node 1: the read plus a connect and 40 messages.
    const idle = idleRequests(
      [counters(10, 4), counters(20, 5)],
      [counters(31, 24), counters(42, 25, 1, 40)],
    );
    expect(idle).toMatchObject({ apiCalls: 1, watchMessages: 40, connects: 1, resetNodes: 0 });
    expect(idle.billed).toBe(3);
    // A node woken up since (its counters restarted) is left out, not counted negative.
    expect(idleRequests([counters(100, 50)], [counters(3, 0)])).toMatchObject({ apiCalls: 0, resetNodes: 1 });
  });

  it("prices a subscriber-month; the polling relay comes to about $0.78", () => {
    expect(perSubscriberMonth(2, null).dollars).toBeCloseTo(0.7776, 3);
    const idleSse = perSubscriberMonth(0, 5 * 60_000);
    expect(idleSse.doRequests).toBe(8640);
    expect(idleSse.dollars).toBeCloseTo((8640 * (0.15 + 0.3)) / 1e6, 9);
    expect(perSubscriberMonth(0, null).doRequests).toBe(1);
    // A ping every 20 s, billed 20:1 if at all: 6480 requests a month, and the one connect.
    expect(perSubscriberMonth(0, null, 20_000).doRequests).toBe(6481);
  });
});
