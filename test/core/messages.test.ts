/** A malformed or oversized message from a peer is rejected and counted, and changes nothing. */
import { describe, expect, it } from "vitest";
import { Gossiper, parseSynAck, resolveConfig, seededRng } from "../../src/core/index.js";

function node(name = "a", config = {}) {
  return new Gossiper({
    cluster: "c",
    name,
    generation: 1,
    config: resolveConfig(config),
    seeds: [],
    clock: () => 1000,
    rng: seededRng(1),
  });
}

const goodSyn = {
  t: "syn",
  v: 1,
  cluster: "c",
  from: "b",
  gen: 1,
  mode: "push-pull",
  digest: [["b", 1, 3, 0]],
};

const malformed: Array<[string, unknown]> = [
  ["not an object", "hello"],
  ["null", null],
  ["an array", [goodSyn]],
  ["wrong type tag", { ...goodSyn, t: "ack" }],
  ["unknown protocol version", { ...goodSyn, v: 99 }],
  ["missing digest", { ...goodSyn, digest: undefined }],
  ["digest not an array", { ...goodSyn, digest: {} }],
  ["negative heartbeat", { ...goodSyn, digest: [["b", 1, -3, 0]] }],
  ["fractional version", { ...goodSyn, digest: [["b", 1, 3, 0.5]] }],
  ["empty node name", { ...goodSyn, digest: [["", 1, 3, 0]] }],
  ["short digest entry", { ...goodSyn, digest: [["b", 1]] }],
  ["unknown mode", { ...goodSyn, mode: "gossip-harder" }],
  ["NaN generation", { ...goodSyn, gen: Number.NaN }],
  ["another cluster", { ...goodSyn, cluster: "other" }],
];

describe("inbound validation", () => {
  it.each(malformed)("rejects a syn that is %s, counts it and changes nothing", (_label, raw) => {
    const a = node();
    a.setKey("x", "1");
    const before = JSON.stringify(a.snapshot());
    const answer = a.handleSyn(raw);
    expect(answer).toMatchObject({ ok: false });
    expect(a.counters.rejectedMessages).toBe(1);
    expect(a.counters.exchangesAnswered).toBe(0);
    expect(JSON.stringify(a.snapshot())).toBe(before);
  });

  it("accepts a well-formed syn and tolerates unknown extra fields", () => {
    const a = node();
    const answer = a.handleSyn({ ...goodSyn, futureField: { anything: true } });
    expect(answer).toMatchObject({ t: "synack", need: [["b", 1, 0]] });
    expect(a.counters.rejectedMessages).toBe(0);
  });

  it("rejects deltas whose versions do not ascend, or exceed their max", () => {
    const base = { t: "synack", v: 1, cluster: "c", from: "b", gen: 1, need: [] };
    const delta = { n: "b", g: 1, h: 1, from: 0, reset: false, max: 2, gc: 0 };
    expect(
      parseSynAck({
        ...base,
        delta: [
          {
            ...delta,
            kv: [
              ["k", "v", 2],
              ["j", "w", 1],
            ],
          },
        ],
      }).ok,
    ).toBe(false);
    expect(parseSynAck({ ...base, delta: [{ ...delta, kv: [["k", "v", 3]] }] }).ok).toBe(false);
    expect(parseSynAck({ ...base, delta: [{ ...delta, from: 2, kv: [["k", "v", 2]] }] }).ok).toBe(false);
    expect(parseSynAck({ ...base, delta: [{ ...delta, kv: [["k", 5, 1]] }] }).ok).toBe(false);
    expect(
      parseSynAck({
        ...base,
        delta: [
          {
            ...delta,
            kv: [
              ["k", "v", 1],
              ["j", null, 2],
            ],
          },
        ],
      }).ok,
    ).toBe(true);
  });

  it("rejects a synack carrying a bad delta without merging any of it", () => {
    const a = node();
    const synAck = {
      t: "synack",
      v: 1,
      cluster: "c",
      from: "b",
      gen: 1,
      need: [],
      delta: [
        { n: "b", g: 1, h: 5, from: 0, reset: false, max: 1, gc: 0, kv: [["ok", "v", 1]] },
        { n: "z", g: 1, h: 5, from: 0, reset: false, max: 1, gc: 0, kv: [["bad key", 7, 1]] },
      ],
    };
    expect(a.handleSynAck(synAck)).toMatchObject({ ok: false });
    expect(a.view().map((m) => m.node)).toEqual(["a"]);
    expect(a.counters.rejectedMessages).toBe(1);
  });

  it("rejects an oversized message unread", () => {
    const a = node("a", { maxMessageBytes: 1024 });
    const digest = Array.from({ length: 100 }, (_, i) => [`node-${i}`, 1, 1, 0]);
    expect(a.handleSyn({ ...goodSyn, digest })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/exceeds/),
    });
    expect(a.counters.rejectedMessages).toBe(1);
    expect(a.view()).toHaveLength(1);
  });

  it("rejects messages that cannot be serialised", () => {
    const a = node();
    const cyclic: Record<string, unknown> = { ...goodSyn };
    cyclic.self = cyclic;
    expect(a.handleSyn(cyclic)).toMatchObject({ ok: false });
    expect(a.counters.rejectedMessages).toBe(1);
  });
});
