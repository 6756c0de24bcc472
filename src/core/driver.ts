/**
 * Drives a Gossiper over an asynchronous transport: the one place where rounds, probes,
 * exchanges and answers to peers are sequenced, for the Durable Object, the simulator and the
 * test cluster alike (chitchat's process_message). A peer that fails, refuses or answers
 * garbage is a failed probe or exchange, never an error of the caller. One-way pushes wait in
 * the Gossiper's outbox and are flushed after each step, so forwarding never delays an answer.
 */
import type { ProbeOutcome } from "./engine-types.js";
import type { Gossiper } from "./gossiper.js";
import type { PingMessage, PushMessage, RequestMessage, SynMessage } from "./types.js";

export interface Transport {
  /**
   * Sends a request to `peer` and resolves with its raw answer (validated by the caller).
   * Rejects with PeerRefused when the peer refused (it is stopped), or with any other error
   * when it failed or did not answer within `timeoutMs` (the transport's default when omitted).
   */
  request(peer: string, message: RequestMessage, timeoutMs?: number): Promise<unknown>;
  /** Sends a one-way message; the transport swallows its failures. */
  send(peer: string, message: PushMessage): void;
  /**
   * `request` with a callback instead of a promise, offered by a shell that runs many nodes on
   * one thread (the simulator): it saves a promise and two turns of the microtask queue per
   * request. `settle` is called once, with true and the answer or with false and the error.
   */
  requestThen?(peer: string, message: RequestMessage, timeoutMs: number | undefined, settle: Settle): void;
}

/** How a request ends: answered (`ok`) with its raw answer, or failed with its error. */
export type Settle = (ok: boolean, value: unknown) => void;

/** Where a throw from a step of the protocol goes: the round's (or answer's) promise rejects. */
export type Fail = (error: unknown) => void;

/** What a node answers instead of a reply when it will not take part (stopped, never configured). */
export interface Refusal {
  t: "refused";
  reason: string;
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === "object" && value !== null && (value as { t?: unknown }).t === "refused";
}

/** A peer refused a request: it is there but will not take part. */
export class PeerRefused extends Error {
  constructor(peer: string, reason: string) {
    super(`peer ${peer} refused: ${reason}`);
    this.name = "PeerRefused";
  }
}

export interface RoundReport {
  probed: string[];
  probesFailed: number;
  peers: string[];
  succeeded: number;
  failed: number;
}

/** Waves of indirect probes (with a direct retry in each) before a silent member is suspected. */
export const INDIRECT_WAVES = 2;

/** Sends what waits in the outbox. */
export function flush(gossiper: Gossiper, transport: Transport): void {
  for (const { peer, message } of gossiper.takeOutbox()) {
    gossiper.countSent(message);
    transport.send(peer, message);
  }
}

/*
 * The protocol's steps are written once, with callbacks (the `...Then` functions): the
 * simulator runs them as they are, millions a virtual hour, and the promise API below wraps
 * them for the Durable Object and the Node shell. A throw inside a step after a request goes to
 * `fail`, as it would reject the promise of an async function.
 */

/** Sends a request through whichever form the transport offers; `then` runs once it settles. */
function request(
  transport: Transport,
  peer: string,
  message: RequestMessage,
  timeoutMs: number | undefined,
  fail: Fail,
  then: Settle,
): void {
  const settle: Settle = (ok, value) => {
    try {
      then(ok, value);
    } catch (error) {
      fail(error);
    }
  };
  if (transport.requestThen) transport.requestThen(peer, message, timeoutMs, settle);
  else
    transport.request(peer, message, timeoutMs).then(
      (answer) => settle(true, answer),
      (error) => settle(false, error),
    );
}

/** Calls `done` with the `count` results once each has come, in their order. */
function gather<T>(count: number, done: (results: T[]) => void): (index: number, result: T) => void {
  const results = new Array<T>(count);
  let left = count;
  if (count === 0) done(results);
  return (index, result) => {
    results[index] = result;
    if (--left === 0) done(results);
  };
}

/** Runs a whole round: judgement, probes and exchanges, concurrently. */
export function runRound(gossiper: Gossiper, transport: Transport, heartbeatFloor = 0): Promise<RoundReport> {
  return new Promise((resolve, reject) => runRoundThen(gossiper, transport, heartbeatFloor, resolve, reject));
}

/** `runRound` with callbacks: `done` with the report, or `fail` when a step threw. */
export function runRoundThen(
  gossiper: Gossiper,
  transport: Transport,
  heartbeatFloor: number,
  done: (report: RoundReport) => void,
  fail: Fail,
): void {
  const plan = gossiper.beginRound(heartbeatFloor);
  flush(gossiper, transport);
  let outcomes: ProbeOutcome[] | undefined;
  let results: boolean[] | undefined;
  const finish = () => {
    if (outcomes === undefined || results === undefined) return;
    flush(gossiper, transport);
    const succeeded = results.filter(Boolean).length;
    done({
      probed: plan.probes.map((p) => p.target),
      probesFailed: outcomes.filter((o) => o !== "ack").length,
      peers: plan.exchanges.map((e) => e.peer),
      succeeded,
      failed: results.length - succeeded,
    });
  };
  const probed = gather<ProbeOutcome>(plan.probes.length, (all) => {
    outcomes = all;
    finish();
  });
  const exchanged = gather<boolean>(plan.exchanges.length, (all) => {
    results = all;
    finish();
  });
  plan.probes.forEach(({ target, ping }, i) => {
    probeThen(gossiper, transport, target, ping, fail, (outcome) => probed(i, outcome));
  });
  plan.exchanges.forEach(({ peer, syn }, i) => {
    exchangeThen(gossiper, transport, peer, syn, fail, (ok) => exchanged(i, ok));
  });
}

/**
 * Probes one member (SWIM): a direct ping; on silence, waves of ping-reqs through other members
 * together with a direct retry; a refusal ends it at once. The outcome goes to the Gossiper,
 * which suspects the member when it failed.
 */
export function probe(
  gossiper: Gossiper,
  transport: Transport,
  target: string,
  ping: PingMessage = gossiper.makePing(target),
): Promise<ProbeOutcome> {
  return new Promise((resolve, reject) => probeThen(gossiper, transport, target, ping, reject, resolve));
}

/** `probe` with callbacks. */
export function probeThen(
  gossiper: Gossiper,
  transport: Transport,
  target: string,
  ping: PingMessage,
  fail: Fail,
  done: (outcome: ProbeOutcome) => void,
): void {
  const timeout = gossiper.probeTimeout();
  let wave = 0;
  let missedNacks = 0;
  let expectedNacks = 0;
  const conclude = (outcome: ProbeOutcome) => {
    gossiper.probeResult(target, outcome, missedNacks, expectedNacks);
    flush(gossiper, transport);
    done(outcome);
  };
  const next = (outcome: ProbeOutcome) => {
    if (wave >= INDIRECT_WAVES || outcome !== "silent") return conclude(outcome);
    wave++;
    const helpers = gossiper.probeHelpers(target);
    expectedNacks = helpers.length;
    const answered = gather<IndirectAnswer>(helpers.length + 1, ([again, ...answers]) => {
      missedNacks = answers.filter((a) => a === "missed").length;
      const reached = again !== "silent" || answers.includes("ack");
      next(reached ? (again === "refused" ? "refused" : "ack") : outcome);
    });
    helpers.forEach((helper, i) => {
      request(transport, helper, gossiper.makePingReq(helper, target), 2 * timeout, fail, (ok, answer) => {
        let result: IndirectAnswer = "missed";
        if (ok) {
          try {
            const acked = gossiper.handleProbeReply(answer, target);
            result = acked === true ? "ack" : acked === false ? "nack" : "missed";
          } catch {}
        }
        answered(i + 1, result);
      });
    });
    direct(gossiper, transport, target, gossiper.makePing(target), 2 * timeout, fail, (again) =>
      answered(0, again),
    );
  };
  direct(gossiper, transport, target, ping, timeout, fail, next);
}

/** What one helper of an indirect probe answered, or the retry's own outcome (first). */
type IndirectAnswer = ProbeOutcome | "nack" | "missed";

function direct(
  gossiper: Gossiper,
  transport: Transport,
  target: string,
  ping: PingMessage,
  timeoutMs: number,
  fail: Fail,
  done: (outcome: ProbeOutcome) => void,
): void {
  request(transport, target, ping, timeoutMs, fail, (ok, answer) => {
    let outcome: ProbeOutcome = "silent";
    if (ok) {
      try {
        if (gossiper.handleProbeReply(answer, target) === true) outcome = "ack";
      } catch {}
    } else if (answer instanceof PeerRefused) outcome = "refused";
    done(outcome);
  });
}

/**
 * Runs one anti-entropy exchange: Syn (fingerprint) -> SynAck (equal, or bucket fingerprints)
 * -> Digest (entries of the differing buckets) -> Delta (needs and deltas) -> Push (the
 * deltas the peer lacks, one-way). Resolves true when it completed.
 */
export function exchange(
  gossiper: Gossiper,
  transport: Transport,
  peer: string,
  syn: SynMessage = gossiper.makeSyn(peer),
): Promise<boolean> {
  return new Promise((resolve, reject) => exchangeThen(gossiper, transport, peer, syn, reject, resolve));
}

/** `exchange` with callbacks. */
export function exchangeThen(
  gossiper: Gossiper,
  transport: Transport,
  peer: string,
  syn: SynMessage,
  fail: Fail,
  done: (completed: boolean) => void,
): void {
  // A silent or refusing peer, or an answer a step threw on, is a failed exchange (counted);
  // an answer the Gossiper turned down ends it too, uncounted. Never an error of the round.
  const end = (completed: boolean, failed = false) => {
    if (failed) gossiper.exchangeFailed();
    flush(gossiper, transport);
    done(completed);
  };
  request(transport, peer, syn, undefined, fail, (ok, synAck) => {
    if (!ok) return end(false, true);
    let digest: ReturnType<Gossiper["handleSynAck"]>;
    try {
      digest = gossiper.handleSynAck(synAck);
    } catch {
      return end(false, true);
    }
    if (digest === null) return end(true);
    if ("ok" in digest) return end(false);
    request(transport, peer, digest, undefined, fail, (ok, delta) => {
      if (!ok) return end(false, true);
      let push: ReturnType<Gossiper["handleDelta"]>;
      try {
        push = gossiper.handleDelta(delta);
      } catch {
        return end(false, true);
      }
      if (push !== null && "ok" in push) return end(false);
      if (push) transport.send(peer, push);
      end(true);
    });
  });
}

/**
 * Answers any request from a peer: a reply for ping, ping-req, syn and digest; nothing for a
 * push. A ping-req probes its target first (waiting at most one probe timeout). A message that
 * fails validation is answered with a refusal naming why, and counted.
 */
export function answer(gossiper: Gossiper, transport: Transport, raw: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => answerThen(gossiper, transport, raw, resolve, reject));
}

/**
 * `answer` with callbacks: `reply` is called at once, within this call, for every request but a
 * ping-req, which is answered after its own probe.
 */
export function answerThen(
  gossiper: Gossiper,
  transport: Transport,
  raw: unknown,
  reply: (answer: unknown) => void,
  fail: Fail,
): void {
  const type = typeof raw === "object" && raw !== null ? (raw as { t?: unknown }).t : undefined;
  let answer: unknown;
  switch (type) {
    case "ping":
      answer = gossiper.handlePing(raw);
      break;
    case "pingreq":
      answerPingReq(gossiper, transport, raw, reply, fail);
      return;
    case "syn":
      answer = gossiper.handleSyn(raw);
      break;
    case "digest":
      answer = gossiper.handleDigest(raw);
      break;
    case "push": {
      const pushed = gossiper.handlePush(raw);
      answer = pushed === true ? undefined : pushed;
      break;
    }
    default:
      answer = gossiper.rejectUnknown(raw);
  }
  reply(sent(gossiper, transport, answer));
}

/** A ping-req: probes its target (at most one probe timeout), then answers ack or nack. */
function answerPingReq(
  gossiper: Gossiper,
  transport: Transport,
  raw: unknown,
  reply: (answer: unknown) => void,
  fail: Fail,
): void {
  const asked = gossiper.handlePingReq(raw);
  if ("ok" in asked) {
    reply(sent(gossiper, transport, asked));
    return;
  }
  const ping = gossiper.makePing(asked.target);
  direct(gossiper, transport, asked.target, ping, gossiper.probeTimeout(), fail, (outcome) =>
    reply(sent(gossiper, transport, gossiper.probeAnswer(asked, outcome === "ack"))),
  );
}

/** Flushes the outbox and turns a rejection into the refusal that answers it. */
function sent(gossiper: Gossiper, transport: Transport, reply: unknown): unknown {
  flush(gossiper, transport);
  if (isRejection(reply)) return { t: "refused", reason: `rejected: ${reply.reason}` } satisfies Refusal;
  return reply;
}

function isRejection(value: unknown): value is { ok: false; reason: string } {
  return typeof value === "object" && value !== null && (value as { ok?: unknown }).ok === false;
}
