/**
 * SWIM probing: which members a wake probes (the shared ring schedule, or shuffled round-robin
 * orders by region when the node has one; skipped while local health is poor), plus the
 * suspects it was first told of (confirming probes), the pings and ping-reqs and their
 * answers, and what a probe's end means: an ack heals local health, a silent member is
 * declared suspect, and a silent suspect is an independent confirmation that is spread.
 */
import { confirmSuspicion, declare, receive, stillShortens } from "./claims.js";
import { envelope, pushHot } from "./dissemination.js";
import { type EngineContext, ownRegion, type ProbeList } from "./engine-context.js";
import type { ProbeOutcome, Rejection, RoundPlan } from "./engine-types.js";
import { REGION_KEY } from "./keys.js";
import type { MemberState } from "./node-state.js";
import { ALIVE_ONLY, pickPeers, REACHABLE } from "./peer-choice.js";
import { ALIVE, SUSPECT } from "./precedence.js";
import { randomInt } from "./random.js";
import type { AckMessage, NackMessage, NewsItem, PingMessage, PingReqMessage } from "./types.js";

/** The probes a wake has planned so far, and the probe orders that have none left to give it. */
interface PlannedProbes {
  names: Set<string>;
  exhausted: Set<ProbeList>;
}

/**
 * Plans the probes of `rounds` rounds into `plan`. A node at health score s probes every
 * (1 + s) rounds (Lifeguard): it accuses less while its own acks go missing. Without a region
 * the targets come from the shared ring schedule for wake period `period` (probe-ring.ts);
 * with one, from the shuffled round-robin orders of its region and the others.
 */
export function planProbes(ctx: EngineContext, rounds: number, plan: RoundPlan, period = 0): void {
  let count = 0;
  for (let round = 0; round < rounds; round++) {
    if (ctx.probeWait > 0) ctx.probeWait--;
    else if (ctx.config.detector === "swim") {
      ctx.probeWait = ctx.awareness.health;
      ctx.probeCredit += ctx.config.probesPerRound;
      count += Math.floor(ctx.probeCredit);
      ctx.probeCredit -= Math.floor(ctx.probeCredit);
    }
  }
  ctx.probeCredit = Math.min(ctx.probeCredit, 1);
  const confirming = planConfirmations(ctx, plan);
  if (count === 0) return;
  const own = ownRegion(ctx);
  if (own === undefined) {
    const { peers, state } = ctx;
    for (const slot of ctx.probeRing.targets(peers, state.table, ctx.wakePhase, count, period)) {
      const target = state.table.name(slot);
      if (confirming?.has(target)) continue;
      plan.probes.push({ target, ping: makePing(ctx, target) });
    }
    return;
  }
  const planned: PlannedProbes = { names: confirming ?? new Set(), exhausted: new Set() };
  for (; count > 0; count--) {
    const target = nextProbeTarget(ctx, own, planned);
    if (target === undefined) break;
    if (target === null) continue;
    planned.names.add(target);
    plan.probes.push({ target, ping: makePing(ctx, target) });
  }
}

/** At most this many suspects wait for a confirming probe at the next wake. */
export const CONFIRM_NEXT_LIMIT = 8;

/**
 * Notes the suspicions in `news` (pushed hot) that came straight from the member that raised
 * them, while nobody has confirmed them here yet: this node was among the first told, so it
 * probes the suspect at its next wake, outside the probe schedule. Its probe is an independent
 * confirmation, and `suspicionConfirmations` of them bring the suspicion timeout to its minimum
 * within about a round instead of waiting for the suspect's scheduled probers. Only the first
 * hop probes (about `hotFanout` nodes, not the whole mesh): a confirmation's own push finds a
 * confirmation already counted, so it starts no second wave of probes.
 */
export function confirmAtNextWake(ctx: EngineContext, news: readonly NewsItem[], from: string): void {
  if (ctx.config.detector !== "swim") return;
  for (const [name, generation, incarnation, status, , reporter] of news) {
    if (status !== SUSPECT || reporter !== from || ctx.confirmNext.size >= CONFIRM_NEXT_LIMIT) continue;
    const node = ctx.state.get(name);
    if (node?.status !== SUSPECT || node.generation !== generation || node.incarnation !== incarnation)
      continue;
    if (ctx.records.suspicion(name)?.confirmations === 0) ctx.confirmNext.add(name);
  }
}

/**
 * Plans the confirming probes noted since the last wake (skipped in poor local health); returns
 * their targets, or undefined when none was noted (most wakes: no set made).
 */
function planConfirmations(ctx: EngineContext, plan: RoundPlan): Set<string> | undefined {
  if (ctx.confirmNext.size === 0) return undefined;
  const planned = new Set<string>();
  if (ctx.awareness.health === 0) {
    for (const name of ctx.confirmNext) {
      const slot = ctx.state.slotOf(name);
      if (slot === undefined || !ctx.peers.reachable(slot) || ctx.state.at(slot).status !== SUSPECT) continue;
      planned.add(name);
      plan.probes.push({ target: name, ping: makePing(ctx, name) });
    }
  }
  ctx.confirmNext.clear();
  return planned;
}

/** A ping for `target`, carrying news (news about the target first). */
export function makePing(ctx: EngineContext, target: string): PingMessage {
  ctx.counters.probesSent++;
  return envelope<PingMessage>(ctx, { t: "ping", s: ++ctx.sequence }, target);
}

/** A ping-req asking `helper` to probe `target`. */
export function makePingReq(ctx: EngineContext, helper: string, target: string): PingReqMessage {
  ctx.counters.indirectProbesSent++;
  return envelope<PingReqMessage>(ctx, { t: "pingreq", s: ++ctx.sequence, target }, helper);
}

/** Up to `indirectChecks` members to ask to probe `target`: alive, not the target. */
export function probeHelpers(ctx: EngineContext, target: string): string[] {
  return pickPeers(ctx, ALIVE_ONLY, ctx.config.indirectChecks, (name) => name === target);
}

/**
 * How a probe of `target` ended. As memberlist does, local health suffers from a silent probe
 * by the helpers that neither acked nor nacked (`missedNacks` of `expectedNacks`: our own
 * messages may be the ones lost), or by 1 when no helper was asked; a refusal proves nothing
 * against us.
 */
export function probeResult(
  ctx: EngineContext,
  target: string,
  outcome: ProbeOutcome,
  missedNacks: number,
  expectedNacks: number,
): void {
  if (outcome === "ack") {
    ctx.awareness.apply(-1);
    return;
  }
  ctx.counters.probesFailed++;
  if (outcome === "silent") ctx.awareness.apply(expectedNacks > 0 ? missedNacks : 1);
  const node = ctx.state.get(target);
  if (!node || node.status !== ALIVE) {
    // An independent confirmation: spread it while it still shortens the timeout.
    if (node?.status === SUSPECT && confirmSuspicion(ctx, target, ctx.name)) {
      const item = ctx.state.newsOf(target, ctx.name) as NewsItem;
      ctx.broadcasts.enqueue(item);
      if (stillShortens(ctx, target)) pushHot(ctx, [item], [], undefined);
    }
    return;
  }
  ctx.counters.suspicionsRaised++;
  declare(ctx, target, SUSPECT);
}

/** Answers a ping. */
export function handlePing(ctx: EngineContext, raw: unknown): AckMessage | Rejection {
  const parsed = receive(ctx, raw, ["ping"]);
  if (!parsed.ok) return parsed;
  ctx.counters.pingsAnswered++;
  return envelope<AckMessage>(ctx, { t: "ack", s: parsed.message.s }, parsed.message.f);
}

/** Takes the answer to a ping or ping-req; true when it is an ack. */
export function handleProbeReply(ctx: EngineContext, raw: unknown, target: string): boolean | Rejection {
  const parsed = receive(ctx, raw, ["ack", "nack"]);
  if (!parsed.ok) return parsed;
  if (parsed.message.t !== "ack") return false;
  if (parsed.message.f === target) ctx.records.addAck(target);
  return true;
}

/** Checks a ping-req; the driver then probes its target and answers with `probeAnswer`. */
export function handlePingReq(ctx: EngineContext, raw: unknown): PingReqMessage | Rejection {
  const parsed = receive(ctx, raw, ["pingreq"]);
  if (!parsed.ok) return parsed;
  return parsed.message;
}

/** The answer to a ping-req: ack when its target answered, nack otherwise. */
export function probeAnswer(
  ctx: EngineContext,
  request: PingReqMessage,
  answered: boolean,
): AckMessage | NackMessage {
  return answered
    ? envelope<AckMessage>(ctx, { t: "ack", s: request.s }, request.f)
    : envelope<NackMessage>(ctx, { t: "nack", s: request.s }, request.f);
}

/**
 * The next member to probe in this wake: from the probe order of its own region or, now and
 * then, of the others (`crossRegionProbability`), passing over members `planned` already. With
 * a region every member is still probed about as often cluster-wide: each region's members
 * probe it more, the rest less. A wake covering many rounds may run past the end of an order;
 * the members the new order puts first may be planned, and are passed over rather than ending
 * the wake's probes early. Null when every member of the chosen order is planned (this probe is
 * skipped, so a small region is not made up for with others'); undefined when there is no one
 * to probe.
 */
function nextProbeTarget(ctx: EngineContext, own: string, planned: PlannedProbes): string | null | undefined {
  const local = (node: MemberState) => node.get(REGION_KEY) === own;
  const remote = (node: MemberState) => node.get(REGION_KEY) !== own;
  const [first, second] =
    ctx.rng() < ctx.config.crossRegionProbability
      ? ([
          [ctx.remoteProbeList, remote],
          [ctx.probeList, local],
        ] as const)
      : ([
          [ctx.probeList, local],
          [ctx.remoteProbeList, remote],
        ] as const);
  const target = nextFrom(ctx, first[0], planned, first[1]);
  return target === undefined ? nextFrom(ctx, second[0], planned, second[1]) : target;
}

/**
 * The next live member of `list` not planned, reshuffled from the members that pass
 * `include` (all reachable members when none is given) when spent: undefined when none
 * passes, null when all that pass are planned (and from then on in this wake, so a spent
 * order is shuffled once per wake at most).
 * The order holds table slots (4 bytes each, outside the heap); a slot freed and reused by
 * another member since the shuffle yields that member if it still qualifies.
 */
function nextFrom(
  ctx: EngineContext,
  list: ProbeList,
  planned: PlannedProbes,
  include?: (node: MemberState) => boolean,
): string | null | undefined {
  if (planned.exhausted.has(list)) return null;
  const { state, peers, rng } = ctx;
  const table = state.table;
  for (let tries = 0; tries < 2; tries++) {
    while (list.index < list.order.length) {
      const slot = list.order[list.index++] as number;
      if (!peers.reachable(slot)) continue;
      if (include && !include(state.at(slot))) continue;
      const name = table.name(slot);
      if (!planned.names.has(name)) return name;
    }
    if (tries === 1) break;
    const order = peers.slotsOf(REACHABLE);
    for (let i = 0; i < order.length - 1; i++) {
      const j = i + randomInt(rng, order.length - i);
      const swap = order[i] as number;
      order[i] = order[j] as number;
      order[j] = swap;
    }
    let kept = order.length;
    if (include) {
      kept = 0;
      for (const slot of order) if (include(state.at(slot))) order[kept++] = slot;
    }
    list.order = order.subarray(0, kept);
    list.index = 0;
    if (kept === 0) return undefined;
  }
  planned.exhausted.add(list);
  return null;
}
