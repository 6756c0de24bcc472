/**
 * Anti-entropy: a periodic exchange that repairs what dissemination missed. It opens with the
 * digest's fingerprint (and, under phi, the relayed heartbeats); equal fingerprints end it at
 * once, else bucket fingerprints narrow it to the digests of the differing buckets, then to the
 * deltas each side lacks. Exchanges that find nothing double the pause before the next
 * (Trickle); any change resets it.
 */
import { merge, noticeClaimsAboutSelf, receive } from "./claims.js";
import { type Body, envelope } from "./dissemination.js";
import type { EngineContext } from "./engine-context.js";
import type { Rejection } from "./engine-types.js";
import { WIDE_MARK } from "./fingerprint.js";
import { shuffled } from "./peer-choice.js";
import type {
  DeltaMessage,
  DigestMessage,
  HeartbeatEntry,
  PushMessage,
  SynAckMessage,
  SynMessage,
} from "./types.js";
import { backedOff } from "./wake.js";

/** Opens an exchange with `peer`: the fingerprint only (and heartbeats under phi). */
export function makeSyn(ctx: EngineContext, peer: string): SynMessage {
  ctx.counters.exchangesStarted++;
  const { hi, lo } = ctx.state.fingerprint.halves;
  const syn: Body<SynMessage> = { t: "syn", mode: ctx.config.mode, fp: lo + WIDE_MARK, fh: hi };
  if (ctx.config.detector === "phi") syn.hb = heartbeats(ctx);
  return envelope<SynMessage>(ctx, syn, peer);
}

/**
 * Answers a Syn: equal fingerprints end the exchange; else our bucket fingerprints. A Syn of the
 * old 32-bit width (no high half) always differs: widths never compare equal.
 */
export function handleSyn(ctx: EngineContext, raw: unknown): SynAckMessage | Rejection {
  const parsed = receive(ctx, raw, ["syn"]);
  if (!parsed.ok) return parsed;
  const syn = parsed.message;
  ctx.counters.exchangesAnswered++;
  if (syn.hb) takeHeartbeats(ctx, syn.hb);
  const answer: Body<SynAckMessage> = { t: "synack" };
  const { hi, lo } = ctx.state.fingerprint.halves;
  if (syn.fh === hi && syn.fp === lo + WIDE_MARK) {
    answer.eq = true;
    answer.fh = hi;
  } else Object.assign(answer, ctx.state.fingerprint.bucketValues());
  if (syn.hb) answer.hb = heartbeats(ctx);
  return envelope<SynAckMessage>(ctx, answer, syn.f);
}

/**
 * Takes a SynAck: null when the exchange is over, else the digest of the differing buckets. An
 * `eq` is trusted only with the high half it matched; buckets without high halves (the old
 * width) all differ.
 */
export function handleSynAck(ctx: EngineContext, raw: unknown): DigestMessage | null | Rejection {
  const parsed = receiveAnswer(ctx, raw, "synack");
  if (!parsed.ok) return parsed;
  const synAck = parsed.message;
  if (synAck.hb) takeHeartbeats(ctx, synAck.hb);
  const fingerprint = ctx.state.fingerprint;
  const equal = synAck.eq === true && synAck.fh === fingerprint.halves.hi;
  const buckets = equal ? [] : fingerprint.differing({ bk: synAck.bk ?? [], bh: synAck.bh });
  if (buckets.length === 0) {
    ctx.counters.exchangesCompleted++;
    ctx.counters.exchangesQuiet++;
    exchangeFound(ctx, false);
    return null;
  }
  const message = { t: "digest", mode: ctx.config.mode, b: buckets, d: ctx.state.digest(buckets) } as const;
  return envelope<DigestMessage>(ctx, message, synAck.f);
}

/** Answers a Digest: what we lack, and the deltas the initiator lacks (pull, push-pull). */
export function handleDigest(ctx: EngineContext, raw: unknown): DeltaMessage | Rejection {
  const parsed = receive(ctx, raw, ["digest"]);
  if (!parsed.ok) return parsed;
  const digest = parsed.message;
  noticeClaimsAboutSelf(ctx, digest.d);
  const pushes = digest.mode !== "pull";
  const pulls = digest.mode !== "push";
  // In pull mode the receiver still asks for the initiator's own record, or newcomers would
  // never be learned.
  const { need, offer } = ctx.state.compare(digest.d, digest.b, pushes ? undefined : digest.f);
  const delta = pulls ? ctx.state.deltas(shuffled(ctx, offer), ctx.config.maxDeltaBytes) : [];
  return envelope<DeltaMessage>(ctx, { t: "delta", need, delta }, digest.f);
}

/** Takes a Delta: merges it; returns the final push of what the peer lacks, if any. */
export function handleDelta(ctx: EngineContext, raw: unknown): PushMessage | null | Rejection {
  const parsed = receiveAnswer(ctx, raw, "delta");
  if (!parsed.ok) return parsed;
  const message = parsed.message;
  const changes = merge(ctx, message.delta, message.f);
  ctx.counters.exchangesCompleted++;
  const { state } = ctx;
  const delta =
    message.need.length > 0
      ? state.deltas(shuffled(ctx, state.servable(message.need)), ctx.config.maxDeltaBytes)
      : [];
  exchangeFound(ctx, changes > 0 || delta.length > 0);
  if (delta.length === 0) return null;
  return envelope<PushMessage>(ctx, { t: "push", delta }, message.f);
}

/** Takes a peer's answer within an exchange this node opened: a rejected one fails the exchange. */
function receiveAnswer<T extends "synack" | "delta">(ctx: EngineContext, raw: unknown, type: T) {
  const parsed = receive(ctx, raw, [type]);
  if (!parsed.ok) exchangeFailed(ctx);
  return parsed;
}

/**
 * An exchange failed (timeout, refusal, a bad answer): it found nothing, so the pause doubles
 * as after a quiet one. A survivor whose peers are gone returns to its longest wake rather
 * than retrying them every round.
 */
export function exchangeFailed(ctx: EngineContext): void {
  ctx.counters.exchangesFailed++;
  exchangeFound(ctx, false);
}

/** An exchange ended: found something (reset the pause) or nothing (double it). */
function exchangeFound(ctx: EngineContext, found: boolean): void {
  ctx.aePause = found ? 1 : backedOff(ctx.aePause, ctx.config.maxBackoffRounds);
}

/** Every heartbeat this node knows, for the phi detector's relay. */
function heartbeats(ctx: EngineContext): HeartbeatEntry[] {
  const out: HeartbeatEntry[] = [];
  for (const node of ctx.state.members()) out.push([node.name, node.generation, node.heartbeat]);
  return out;
}

/** Takes relayed heartbeats newer than ours: each is an arrival for the phi detector. */
function takeHeartbeats(ctx: EngineContext, entries: readonly HeartbeatEntry[]): void {
  const now = ctx.clock();
  for (const [name, generation, heartbeat] of entries) {
    if (name === ctx.name) continue;
    const node = ctx.state.get(name);
    if (!node || node.generation !== generation || heartbeat <= node.heartbeat) continue;
    node.heartbeat = heartbeat;
    ctx.records.heartbeat(name, now);
  }
}
