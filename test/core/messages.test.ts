/**
 * Validation of peer messages (v2): every type is accepted in its valid shape and rejected,
 * with a reason, in bad ones; unknown extra fields are tolerated (a newer peer during a
 * deploy); other protocol versions are rejected. Then the Gossiper: a rejected message is
 * counted and changes nothing.
 */
import { describe, expect, it } from "vitest";
import {
  answer,
  Gossiper,
  type GossipMessage,
  parseMessage,
  resolveConfig,
  seededRng,
} from "../../src/core/index.js";
import { delta, MESSAGE_TYPES, validMessages } from "./support/messages.js";

type Mutation = [label: string, type: GossipMessage["t"], change: Record<string, unknown>, reason: RegExp];

const bad: Mutation[] = [
  ["no cluster", "ping", { c: undefined }, /cluster/],
  ["an empty sender", "ping", { f: "" }, /from/],
  ["a sender name too long", "ack", { f: "x".repeat(201) }, /from/],
  ["a negative generation", "ack", { g: -1 }, /generation/],
  ["a fractional sequence", "ping", { s: 1.5 }, /sequence/],
  ["a string sequence", "nack", { s: "1" }, /sequence/],
  ["no target", "pingreq", { target: undefined }, /target/],
  ["news that is not a list", "ping", { n: {} }, /news must be an array/],
  ["a short news item", "ping", { n: [["x", 1, 0]] }, /news item/],
  ["a news status of 4", "ping", { n: [["x", 1, 0, 4, 0]] }, /news status/],
  ["a numeric reporter", "ping", { n: [["x", 1, 0, 1, 0, 5]] }, /news reporter/],
  ["an unknown mode", "syn", { mode: "sideways" }, /mode/],
  ["a negative fingerprint", "syn", { fp: -1 }, /fingerprint/],
  ["heartbeats of the wrong shape", "syn", { hb: [["b", 1]] }, /heartbeat entry/],
  ["eq not a boolean", "synack", { eq: "yes" }, /eq/],
  ["a bucket that is not a count", "synack", { bk: [1, -2] }, /bk entry/],
  ["no buckets", "digest", { b: undefined }, /buckets/],
  ["a digest entry of 4 fields", "digest", { d: [["b", 1, 0, 0]] }, /digest entry/],
  ["a digest status of 9", "digest", { d: [["b", 1, 0, 9, 0]] }, /digest status/],
  ["a NaN digest version", "digest", { d: [["b", 1, 0, 0, Number.NaN]] }, /maxVersion/],
  ["no need list", "delta", { need: undefined }, /need/],
  ["a need entry of 2 fields", "delta", { need: [["c", 2]] }, /need entry/],
  ["a delta that is not an object", "delta", { delta: [[1, 2]] }, /node delta/],
  ["a delta without incarnation", "delta", { delta: [delta({ i: undefined as never })] }, /incarnation/],
  ["a delta status of 5", "push", { delta: [delta({ s: 5 as never })] }, /delta status/],
  ["a delta reset that is a string", "push", { delta: [delta({ reset: "no" as never })] }, /reset/],
  [
    "delta versions that do not ascend",
    "push",
    {
      delta: [
        delta({
          kv: [
            ["k", "v", 2],
            ["j", "w", 1],
          ],
        }),
      ],
    },
    /ascend/,
  ],
  ["a key version not above from", "push", { delta: [delta({ from: 2, kv: [["k", "v", 2]] })] }, /ascend/],
  ["a last version above max", "push", { delta: [delta({ max: 1, kv: [["k", "v", 3]] })] }, /max/],
  ["a numeric value", "push", { delta: [delta({ kv: [["k", 5 as never, 1]] })] }, /value/],
  ["a key with a space", "push", { delta: [delta({ kv: [["bad key", "v", 1]] })] }, /key must/],
  ["hot not a boolean", "push", { hot: 1 }, /hot/],
];

function mutate(type: GossipMessage["t"], change: Record<string, unknown>): Record<string, unknown> {
  const message = { ...validMessages()[type], ...change };
  for (const [key, value] of Object.entries(change)) if (value === undefined) delete message[key];
  return message;
}

describe("parseMessage", () => {
  it.each(MESSAGE_TYPES)("accepts a valid %s", (type) => {
    const result = parseMessage(validMessages()[type], [type]);
    expect(result).toEqual({ ok: true, message: validMessages()[type] });
  });

  it.each(MESSAGE_TYPES)("tolerates unknown extra fields on a %s", (type) => {
    const message = { ...validMessages()[type], future: { anything: [1, 2] }, z: "extra" };
    expect(parseMessage(message, [type]).ok).toBe(true);
  });

  it.each(MESSAGE_TYPES)("rejects a %s of another protocol version", (type) => {
    for (const v of [1, 3, "2", undefined]) {
      const result = parseMessage({ ...validMessages()[type], v }, [type]);
      expect(result).toEqual({ ok: false, reason: `unsupported protocol version ${String(v)}` });
    }
  });

  it.each(MESSAGE_TYPES)("rejects a %s where another type is expected", (type) => {
    const other = MESSAGE_TYPES.filter((t) => t !== type);
    expect(parseMessage(validMessages()[type], other)).toMatchObject({ ok: false, reason: /expected a/ });
  });

  it.each(bad)("rejects a message with %s (%s)", (_label, type, change, reason) => {
    const result = parseMessage(mutate(type, change), [type]);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toMatch(reason);
  });

  it.each([
    ["a string", "hello"],
    ["null", null],
    ["an array", [validMessages().ping]],
    ["a number", 42],
  ])("rejects %s as a message", (_label, raw) => {
    expect(parseMessage(raw, MESSAGE_TYPES)).toEqual({ ok: false, reason: "message must be an object" });
  });

  it("accepts optional fields in their valid shapes", () => {
    const m = validMessages();
    expect(parseMessage({ ...m.synack, bk: undefined, eq: true }, ["synack"]).ok).toBe(true);
    expect(parseMessage({ ...m.syn, hb: [["b", 1, 40]] }, ["syn"]).ok).toBe(true);
    expect(parseMessage({ ...m.push, delta: undefined, hot: undefined }, ["push"]).ok).toBe(true);
    expect(parseMessage({ ...m.delta, need: [], delta: [] }, ["delta"]).ok).toBe(true);
  });
});

function node(config = {}) {
  return new Gossiper({
    cluster: "test",
    name: "a",
    generation: 1,
    config: resolveConfig(config),
    seeds: [],
    clock: () => 1000,
    rng: seededRng(1),
  });
}

describe("a Gossiper receiving a bad message", () => {
  it.each(bad)("rejects one with %s, counts it and changes nothing", (_label, type, change) => {
    const a = node();
    a.setKey("x", "1");
    const before = JSON.stringify(a.snapshot());
    const handle: Record<string, (raw: unknown) => unknown> = {
      ping: (raw) => a.handlePing(raw),
      pingreq: (raw) => a.handlePingReq(raw),
      ack: (raw) => a.handleProbeReply(raw, "b"),
      nack: (raw) => a.handleProbeReply(raw, "b"),
      syn: (raw) => a.handleSyn(raw),
      synack: (raw) => a.handleSynAck(raw),
      digest: (raw) => a.handleDigest(raw),
      delta: (raw) => a.handleDelta(raw),
      push: (raw) => a.handlePush(raw),
    };
    expect((handle[type] as (raw: unknown) => unknown)(mutate(type, change))).toMatchObject({ ok: false });
    expect(a.counters.rejectedMessages).toBe(1);
    expect(a.counters.messagesReceived).toBe(0);
    expect(JSON.stringify(a.snapshot())).toBe(before);
  });

  it("rejects a message for another cluster", () => {
    const a = node();
    expect(a.handlePing({ ...validMessages().ping, c: "other" })).toEqual({
      ok: false,
      reason: "message for cluster other",
    });
    expect(a.counters.rejectedMessages).toBe(1);
    expect(a.view()).toHaveLength(1);
  });

  it("rejects an oversized message unread", () => {
    const a = node({ maxMessageBytes: 200_000, maxDeltaBytes: 256, maxPiggybackBytes: 64 });
    const d = Array.from({ length: 10_000 }, (_, i) => [`node-${i}`, 1, 0, 0, 0]);
    expect(a.handleDigest({ ...validMessages().digest, d })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/exceeds/),
    });
    expect(a.counters.rejectedMessages).toBe(1);
    expect(a.view()).toHaveLength(1);
  });

  it("rejects a message that cannot be serialised", () => {
    const a = node();
    const cyclic: Record<string, unknown> = { ...validMessages().syn };
    cyclic.self = cyclic;
    expect(a.handleSyn(cyclic)).toMatchObject({ ok: false });
    expect(a.counters.rejectedMessages).toBe(1);
  });

  it("rejects a push carrying one bad delta without merging the good one before it", () => {
    const a = node();
    const push = {
      ...validMessages().push,
      delta: [delta(), delta({ n: "z", kv: [["bad key", "v", 1]] })],
    };
    expect(a.handlePush(push)).toMatchObject({ ok: false });
    expect(a.view().map((m) => m.node)).toEqual(["a"]);
  });

  it.each([
    ["an object without a prototype", Object.create(null)],
    ["a list holding one", [Object.create(null)]],
    ["a number", 5],
    ["an unknown name", "gossip"],
  ])("refuses through answer() a message whose type is %s, and counts it", async (_label, t) => {
    const a = node();
    const transport = { request: () => Promise.reject(new Error("no")), send: () => {} };
    const reply = await answer(a, transport, { ...validMessages().ping, t });
    expect(reply).toMatchObject({ t: "refused", reason: /^rejected: unknown message type / });
    expect(a.counters.rejectedMessages).toBe(1);
  });

  it("takes every valid message without a rejection", () => {
    const a = node();
    const m = validMessages();
    expect(a.handlePing(m.ping)).toMatchObject({ t: "ack", s: 7 });
    expect(a.handlePingReq(m.pingreq)).toMatchObject({ t: "pingreq", target: "c" });
    expect(a.handleProbeReply(m.ack, "b")).toBe(true);
    expect(a.handleProbeReply(m.nack, "b")).toBe(false);
    expect(a.handleSyn(m.syn)).toMatchObject({ t: "synack" });
    expect(a.handleDigest(m.digest)).toMatchObject({ t: "delta" });
    expect(a.handlePush(m.push)).toBe(true);
    expect(a.counters.rejectedMessages).toBe(0);
    expect(a.memberView("b")?.state).toEqual({ load: "0.5" });
  });
});
