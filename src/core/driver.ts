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
}

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

/** Runs a whole round: judgement, probes and exchanges, concurrently. */
export async function runRound(
  gossiper: Gossiper,
  transport: Transport,
  heartbeatFloor = 0,
): Promise<RoundReport> {
  const plan = gossiper.beginRound(heartbeatFloor);
  flush(gossiper, transport);
  const [outcomes, results] = await Promise.all([
    Promise.all(plan.probes.map(({ target, ping }) => probe(gossiper, transport, target, ping))),
    Promise.all(plan.exchanges.map(({ peer, syn }) => exchange(gossiper, transport, peer, syn))),
  ]);
  flush(gossiper, transport);
  const succeeded = results.filter(Boolean).length;
  return {
    probed: plan.probes.map((p) => p.target),
    probesFailed: outcomes.filter((o) => o !== "ack").length,
    peers: plan.exchanges.map((e) => e.peer),
    succeeded,
    failed: results.length - succeeded,
  };
}

/**
 * Probes one member (SWIM): a direct ping; on silence, waves of ping-reqs through other members
 * together with a direct retry; a refusal ends it at once. The outcome goes to the Gossiper,
 * which suspects the member when it failed.
 */
export async function probe(
  gossiper: Gossiper,
  transport: Transport,
  target: string,
  ping: PingMessage = gossiper.makePing(target),
): Promise<ProbeOutcome> {
  const timeout = gossiper.probeTimeout();
  let outcome = await direct(gossiper, transport, target, ping, timeout);
  let missedNacks = 0;
  let expectedNacks = 0;
  for (let wave = 0; wave < INDIRECT_WAVES && outcome === "silent"; wave++) {
    const helpers = gossiper.probeHelpers(target);
    expectedNacks = helpers.length;
    const indirect = helpers.map(async (helper) => {
      try {
        const answer = await transport.request(helper, gossiper.makePingReq(helper, target), 2 * timeout);
        const ok = gossiper.handleProbeReply(answer, target);
        return ok === true ? "ack" : ok === false ? "nack" : "missed";
      } catch {
        return "missed";
      }
    });
    const retry = direct(gossiper, transport, target, gossiper.makePing(target), 2 * timeout);
    const [again, ...answers] = await Promise.all([retry, ...indirect]);
    if (again !== "silent" || answers.includes("ack")) outcome = again === "refused" ? "refused" : "ack";
    missedNacks = answers.filter((a) => a === "missed").length;
  }
  gossiper.probeResult(target, outcome, missedNacks, expectedNacks);
  flush(gossiper, transport);
  return outcome;
}

async function direct(
  gossiper: Gossiper,
  transport: Transport,
  target: string,
  ping: PingMessage,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  try {
    const answer = await transport.request(target, ping, timeoutMs);
    return gossiper.handleProbeReply(answer, target) === true ? "ack" : "silent";
  } catch (error) {
    return error instanceof PeerRefused ? "refused" : "silent";
  }
}

/**
 * Runs one anti-entropy exchange: Syn (fingerprint) -> SynAck (equal, or bucket fingerprints)
 * -> Digest (entries of the differing buckets) -> Delta (needs and deltas) -> Push (the
 * deltas the peer lacks, one-way). Resolves true when it completed.
 */
export async function exchange(
  gossiper: Gossiper,
  transport: Transport,
  peer: string,
  syn: SynMessage = gossiper.makeSyn(peer),
): Promise<boolean> {
  try {
    const digest = gossiper.handleSynAck(await transport.request(peer, syn));
    if (digest === null) return true;
    if ("ok" in digest) return false;
    const push = gossiper.handleDelta(await transport.request(peer, digest));
    if (push !== null && "ok" in push) return false;
    if (push) transport.send(peer, push);
    return true;
  } catch {
    gossiper.exchangeFailed();
    return false;
  } finally {
    flush(gossiper, transport);
  }
}

/**
 * Answers any request from a peer: a reply for ping, ping-req, syn and digest; nothing for a
 * push. A ping-req probes its target first (waiting at most one probe timeout). A message that
 * fails validation is answered with a refusal naming why, and counted.
 */
export async function answer(gossiper: Gossiper, transport: Transport, raw: unknown): Promise<unknown> {
  return answerNow(gossiper, transport, raw);
}

/**
 * `answer`, with the reply returned as it is when nothing has to be waited for (every request
 * but a ping-req): a shell that runs many nodes (the simulator) hands it on within the same
 * step instead of a promise turn later.
 */
export function answerNow(gossiper: Gossiper, transport: Transport, raw: unknown): unknown {
  const type = typeof raw === "object" && raw !== null ? (raw as { t?: unknown }).t : undefined;
  let reply: unknown;
  switch (type) {
    case "ping":
      reply = gossiper.handlePing(raw);
      break;
    case "pingreq":
      return answerPingReq(gossiper, transport, raw);
    case "syn":
      reply = gossiper.handleSyn(raw);
      break;
    case "digest":
      reply = gossiper.handleDigest(raw);
      break;
    case "push": {
      const pushed = gossiper.handlePush(raw);
      reply = pushed === true ? undefined : pushed;
      break;
    }
    default:
      reply = gossiper.rejectUnknown(raw);
  }
  return sent(gossiper, transport, reply);
}

/** A ping-req: probes its target (at most one probe timeout), then answers ack or nack. */
async function answerPingReq(gossiper: Gossiper, transport: Transport, raw: unknown): Promise<unknown> {
  const request = gossiper.handlePingReq(raw);
  if ("ok" in request) return sent(gossiper, transport, request);
  const answered =
    (await direct(
      gossiper,
      transport,
      request.target,
      gossiper.makePing(request.target),
      gossiper.probeTimeout(),
    )) === "ack";
  return sent(gossiper, transport, gossiper.probeAnswer(request, answered));
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
