/**
 * Fuzzing the core's inbound paths (issue 10): arbitrary values and mutated valid messages of
 * every type go into every handler, directly and through the driver's `answer()`. A handler
 * never throws; when it rejects, it counts the rejection exactly once and changes nothing
 * (snapshot, digest, fingerprint, events and outbox are as before).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  answer,
  Gossiper,
  type GossipMessage,
  parseMessage,
  resolveConfig,
  seededRng,
  type Transport,
} from "../../src/core/index.js";
import { delta, MESSAGE_TYPES, validMessages } from "./support/messages.js";

/** A node that knows b and c, with keys of its own and theirs. */
function fixture(): Gossiper {
  const a = new Gossiper({
    cluster: "test",
    name: "a",
    generation: 1,
    config: resolveConfig({ maxMessageBytes: 262_144, maxDeltaBytes: 65_536, maxPiggybackBytes: 2048 }),
    seeds: ["b"],
    clock: () => 5000,
    rng: seededRng(9),
  });
  a.setKey("mine", "1");
  a.handlePush({
    ...validMessages().push,
    hot: false,
    delta: [delta(), delta({ n: "c", g: 2, i: 1, s: 1 })],
  });
  a.takeOutbox();
  a.drainEvents();
  return a;
}

/** A transport where every request goes unanswered and every send is kept. */
function silentTransport(): Transport & { sent: unknown[] } {
  const sent: unknown[] = [];
  return {
    sent,
    request: () => Promise.reject(new Error("timeout")),
    send: (_peer, message) => void sent.push(message),
  };
}

function stateOf(a: Gossiper): string {
  return JSON.stringify([a.snapshot(), a.digest(), a.fingerprint, a.incarnation, a.status, a.health]);
}

/** Every handler a peer's message can reach, by the message type it expects. */
const HANDLERS: Record<string, (a: Gossiper, raw: unknown) => unknown> = {
  ping: (a, raw) => a.handlePing(raw),
  pingreq: (a, raw) => a.handlePingReq(raw),
  ack: (a, raw) => a.handleProbeReply(raw, "b"),
  syn: (a, raw) => a.handleSyn(raw),
  synack: (a, raw) => a.handleSynAck(raw),
  digest: (a, raw) => a.handleDigest(raw),
  delta: (a, raw) => a.handleDelta(raw),
  push: (a, raw) => a.handlePush(raw),
};

function isRejection(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { ok?: unknown }).ok === false;
}

/** Values that break validators: wrong types, edges of numbers and strings, odd objects. */
const nasty = fc.oneof(
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withTypedArray: true,
    withSparseArray: true,
    withObjectString: true,
    withUnicodeString: true,
  }),
  fc.constantFrom(
    -1,
    0.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 53,
    -0,
    "",
    "x".repeat(300),
    null,
    undefined,
    [],
    {},
    [[]],
    true,
    "__proto__",
    { __proto__: { t: "ping" } },
  ),
);

type Path = Array<string | number>;

/** Plain arrays and objects, the only values a mutation descends into. */
function isPlain(value: unknown): value is Record<string | number, unknown> {
  if (Array.isArray(value)) return true;
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Replaces (or deletes, when `value` is the DELETE marker) the value at a path picked by `picks`. */
const DELETE = Symbol("delete");
function mutateAt(message: unknown, picks: number[], value: unknown): unknown {
  const copy = structuredClone(message) as Record<string, unknown>;
  let parent: Record<string | number, unknown> = copy;
  const path: Path = [];
  for (const pick of picks) {
    const keys = Object.keys(parent);
    if (keys.length === 0) break;
    const key = Array.isArray(parent) ? pick % parent.length : (keys[pick % keys.length] as string);
    path.push(key);
    const child = parent[key];
    if (!isPlain(child) || path.length === picks.length) break;
    parent = child as Record<string | number, unknown>;
  }
  const last = path.at(-1);
  if (last === undefined) return copy;
  if (value === DELETE) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = value;
  return copy;
}

const typeArb = fc.constantFrom(...MESSAGE_TYPES);
const mutatedArb = fc
  .tuple(
    typeArb,
    fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    fc.oneof(nasty, fc.constant(DELETE)),
    fc.integer({ min: 1, max: 3 }),
  )
  .map(([type, picks, value, times]) => {
    let message: unknown = validMessages()[type];
    for (let i = 0; i < times; i++) message = mutateAt(message, picks.slice(i), value);
    return message;
  });

/** Valid messages of one type delivered to the handler of another, or with the type swapped. */
const misroutedArb = fc
  .tuple(typeArb, typeArb, fc.oneof(nasty, fc.constant(undefined)))
  .map(([type, other, tag]) => ({ ...validMessages()[type], t: tag === undefined ? other : tag }));

const inputArb = fc.oneof(nasty, mutatedArb, misroutedArb);

/** Checks one delivery: no throw; a rejection is counted once and changes nothing. */
function checkDelivery(a: Gossiper, deliver: () => unknown, rejected: (result: unknown) => boolean): void {
  a.drainEvents();
  a.takeOutbox();
  const before = stateOf(a);
  const count = a.counters.rejectedMessages;
  let result: unknown;
  expect(() => {
    result = deliver();
  }).not.toThrow();
  if (rejected(result)) {
    expect(a.counters.rejectedMessages).toBe(count + 1);
    expect(stateOf(a)).toBe(before);
    expect(a.drainEvents()).toEqual([]);
    expect(a.takeOutbox()).toEqual([]);
  } else {
    expect(a.counters.rejectedMessages).toBe(count);
  }
}

// Thousands of messages per test: generous timeouts for a loaded 2-CPU box.
describe("fuzzing the core's inbound paths", { timeout: 60_000 }, () => {
  it("parseMessage never throws and always names a reason", () => {
    fc.assert(
      fc.property(inputArb, (raw) => {
        const result = parseMessage(raw, MESSAGE_TYPES);
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it.each(Object.keys(HANDLERS))(
    "%s handler: never throws; a rejection is counted and changes nothing",
    (type) => {
      const handle = HANDLERS[type] as (a: Gossiper, raw: unknown) => unknown;
      fc.assert(
        fc.property(inputArb, (raw) => {
          const a = fixture();
          checkDelivery(a, () => handle(a, raw), isRejection);
        }),
        { numRuns: 400 },
      );
    },
  );

  it("answer(): never rejects its promise; a refusal is counted and changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(inputArb, async (raw) => {
        const a = fixture();
        const transport = silentTransport();
        const before = stateOf(a);
        const count = a.counters.rejectedMessages;
        const reply = await answer(a, transport, raw);
        const refused =
          typeof reply === "object" && reply !== null && (reply as { t?: unknown }).t === "refused";
        if (refused) {
          expect((reply as { reason: string }).reason).toMatch(/^rejected: /);
          expect(a.counters.rejectedMessages).toBe(count + 1);
          expect(stateOf(a)).toBe(before);
          expect(transport.sent).toEqual([]);
        } else {
          expect(a.counters.rejectedMessages).toBe(count);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it("answer() takes every valid message type without a refusal", async () => {
    for (const type of MESSAGE_TYPES) {
      const a = fixture();
      const reply = await answer(a, silentTransport(), validMessages()[type]);
      const requestTypes: GossipMessage["t"][] = ["ping", "pingreq", "syn", "digest", "push"];
      if (requestTypes.includes(type)) expect(reply, type).not.toMatchObject({ t: "refused" });
      else expect(reply, type).toMatchObject({ t: "refused", reason: /unknown message type/ });
    }
  });

  it("a run of mutated messages into one node never breaks it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...Object.keys(HANDLERS)), inputArb), { maxLength: 40 }),
        (inputs) => {
          const a = fixture();
          for (const [type, raw] of inputs) {
            const handle = HANDLERS[type] as (a: Gossiper, raw: unknown) => unknown;
            checkDelivery(a, () => handle(a, raw), isRejection);
          }
          // Still a working node: it answers a valid ping.
          expect(a.handlePing(validMessages().ping)).toMatchObject({ t: "ack" });
        },
      ),
      { numRuns: 200 },
    );
  });
});
