/**
 * What a node believes of each member, and how it changes (memberlist's state.go): an inbound
 * message is checked before anything of it is used; its news and deltas are merged; a claim
 * against this node is refuted; the node's own suspicions and deaths are declared and spread;
 * each change is indexed for the next round, raised as events, and dead or left members are
 * forgotten after their grace.
 */
import { noticeClaimAboutHosted, release } from "./agent-hosting.js";
import type { NodeChange } from "./cluster-state.js";
import { goesHot, PUSH_CATCH_UP_VERSIONS, pushHot, pushTo } from "./dissemination.js";
import { type EngineContext, emit, emitStatus } from "./engine-context.js";
import type { Rejection } from "./engine-types.js";
import { HOME_KEY, homeOf, isAgentState } from "./hosted.js";
import { type ParseResult, parseMessage } from "./messages.js";
import type { MemberState } from "./node-state.js";
import { ALIVE_PEER, DEAD_PEER, NOT_PEER, type PeerKind, SUSPECT_PEER } from "./peer-sets.js";
import { graftDue, noticeHaves, PLUMTREE_LIMITS, pushWrite } from "./plumtree.js";
import { ALIVE, DEAD, LEFT, SUSPECT } from "./precedence.js";
import { Suspicion } from "./suspicion.js";
import type { DigestEntry, GossipMessage, NewsItem, NodeDelta } from "./types.js";

/** Peer kinds by status code (left members are no peers). */
const PEER_KIND: readonly PeerKind[] = [ALIVE_PEER, SUSPECT_PEER, DEAD_PEER, NOT_PEER];

/**
 * Checks an inbound message (size, shape, cluster) and merges the news it carries; a bad one
 * is rejected and counted, and nothing of it is merged.
 */
export function receive<T extends GossipMessage["t"]>(
  ctx: EngineContext,
  raw: unknown,
  expect: readonly T[],
  context: { hot?: boolean } = {},
): ParseResult<Extract<GossipMessage, { t: T }>> | Rejection {
  const size = ctx.sizeOf(raw as GossipMessage);
  const parsed =
    size > ctx.config.maxMessageBytes
      ? ({ ok: false, reason: `message of ${size} bytes exceeds ${ctx.config.maxMessageBytes}` } as const)
      : parseMessage(raw, expect, ctx.limits);
  if (!parsed.ok) return reject(ctx, parsed.reason);
  if (parsed.message.c !== ctx.cluster) return reject(ctx, `message for cluster ${parsed.message.c}`);
  ctx.counters.messagesReceived++;
  ctx.counters.bytesReceived += size;
  // We heard from a peer: a joining node is now alive.
  if (ctx.selfStatus === "joining") ctx.selfStatus = "alive";
  // Only a hot push fills it, and handlePush takes it: most messages find it empty already.
  if (ctx.freshNews.length > 0) ctx.freshNews = [];
  const message: GossipMessage = parsed.message;
  if (message.n)
    absorbNews(
      ctx,
      message.n,
      context.hot === true,
      message.f,
      message.t === "push" ? message.delta : undefined,
    );
  tellIfBuried(ctx, message.f, message.g);
  if (message.ih) noticeHaves(ctx, message.ih, message.f);
  graftDue(ctx);
  return parsed;
}

/**
 * A member this node buried (dead, then forgotten) speaks again at its buried generation: its
 * claims at or below the grave are dropped here, and it does not know why. It is told it was
 * declared dead (at the grave's incarnation), refutes with a higher incarnation, and that claim
 * is above every grave: it is alive again everywhere within a few rounds, not shunned until
 * the grave expires. A claim above the grave was merged with the news (and dug the grave up).
 */
function tellIfBuried(ctx: EngineContext, sender: string, generation: number): void {
  const grave = ctx.state.graveyard.get(sender);
  if (!grave || grave.left || grave.generation !== generation) return;
  ctx.counters.buriedTold++;
  pushTo(ctx, sender, [[sender, generation, grave.incarnation, DEAD, 0]]);
}

/**
 * An agent this node buried is held alive elsewhere, at or below the grave: its delta is
 * dropped here, and no one speaks for it but its home, which never hears of the grave. After a
 * partition past the dead grace, each side had buried the agents hosted on the other, and they
 * stayed missing there (and every exchange across differed) until the graves expired. The
 * home the delta names is told the agent was declared dead, as tellIfBuried tells a node; it
 * refutes above the grave. A suspicion is what it is told: a node that no longer hosts the
 * agent takes that as any suspicion, which its home refutes, not as a death.
 */
function tellHomeIfBuried(ctx: EngineContext, delta: NodeDelta): void {
  if (delta.s !== ALIVE && delta.s !== SUSPECT) return;
  const grave = ctx.state.graveyard.get(delta.n);
  if (!grave || grave.left || grave.peer || grave.generation !== delta.g || delta.i > grave.incarnation)
    return;
  const home = delta.kv.find(([key]) => key === HOME_KEY)?.[1];
  if (typeof home !== "string" || home === ctx.name || home === delta.n) return;
  ctx.counters.buriedTold++;
  pushTo(ctx, home, [[delta.n, delta.g, grave.incarnation, SUSPECT, 0, ctx.name]]);
}

/** Counts a rejected message. */
export function reject(ctx: EngineContext, reason: string): Rejection {
  ctx.counters.rejectedMessages++;
  return { ok: false, reason };
}

/** Rejects a message of no known request type (and counts it). */
export function rejectUnknown(ctx: EngineContext, raw: unknown): Rejection {
  // The tag is untrusted: String() of an object without a prototype throws, so only a string
  // tag is quoted (and cut short); anything else is named by its type.
  const tag = typeof raw === "object" && raw !== null ? (raw as { t?: unknown }).t : raw;
  const type = typeof tag === "string" && typeof raw === "object" ? tag.slice(0, 64) : typeof tag;
  return reject(ctx, `unknown message type ${type}`);
}

/**
 * Merges piggybacked or pushed news. News of writes not held here starts the anti-entropy pause
 * over, unless the message carries them (`carried`, a push's deltas): merge decides then.
 */
function absorbNews(
  ctx: EngineContext,
  items: readonly NewsItem[],
  hot: boolean,
  sender: string,
  carried: readonly NodeDelta[] | undefined,
): void {
  const { state } = ctx;
  const now = ctx.clock();
  for (const item of items) {
    const [name, generation, incarnation, status, maxVersion, reporter] = item;
    if (name === ctx.name) {
      noticeClaimAboutSelf(ctx, generation, incarnation, status, sender);
      continue;
    }
    if (ctx.hosted.has(name) && noticeClaimAboutHosted(ctx, name, generation, incarnation, status)) continue;
    const change = state.mergeClaim(name, { generation, incarnation, status });
    if (change) {
      if ((change.discovered || change.restarted) && maxVersion > 0) ctx.kindUnknown.add(name);
      observe(ctx, change, now, reporter);
      ctx.broadcasts.enqueue(item);
      if (hot && goesHot(ctx, change, item)) ctx.freshNews.push(item);
      stateChanged(ctx);
    } else if (status === SUSPECT && reporter !== undefined) {
      const node = state.get(name);
      if (
        node &&
        node.status === SUSPECT &&
        node.incarnation === incarnation &&
        node.generation === generation
      ) {
        // A new reporter is spread only while it still shortens the timeout (as probing.ts does
        // for this node's own): past `suspicionConfirmations` it changes nothing, and spreading
        // every one cost each node a hot push per reporter (a partition: N x N of them).
        if (confirmSuspicion(ctx, name, reporter) && stillShortens(ctx, name)) {
          ctx.broadcasts.enqueue(item);
          if (hot) ctx.freshNews.push(item);
        }
      }
    }
    const node = state.peek(name);
    if (node && node.generation === generation && maxVersion > node.maxVersion && !carries(carried, item))
      stateChanged(ctx);
  }
}

/** Whether `deltas` hold the writes `item` tells of (its member, generation, up to its max version). */
function carries(deltas: readonly NodeDelta[] | undefined, item: NewsItem): boolean {
  return deltas?.some((d) => d.n === item[0] && d.g === item[1] && d.max >= item[4]) === true;
}

/** A peer's claims about this node or its agents (from a digest): refute anything newer than ours. */
export function noticeClaimsAboutSelf(ctx: EngineContext, entries: readonly DigestEntry[]): void {
  for (const [name, generation, incarnation, status] of entries) {
    if (name === ctx.name) noticeClaimAboutSelf(ctx, generation, incarnation, status);
    else if (ctx.hosted.has(name)) noticeClaimAboutHosted(ctx, name, generation, incarnation, status);
  }
}

/** Someone claims this node is suspect or dead at our incarnation or later: refute it. */
function noticeClaimAboutSelf(
  ctx: EngineContext,
  generation: number,
  incarnation: number,
  status: number,
  teller?: string,
): void {
  const self = ctx.state.self;
  if (generation !== self.generation || self.status === LEFT) return;
  if (status === ALIVE && incarnation > self.incarnation) {
    // Our own earlier incarnation, known to peers but lost here (a wake-up): catch up.
    self.incarnation = incarnation;
    ctx.state.refresh(self);
    return;
  }
  if (status !== SUSPECT && status !== DEAD) return;
  if (incarnation < self.incarnation) return;
  self.incarnation = incarnation + 1;
  ctx.counters.refutations++;
  ctx.awareness.apply(1);
  ownChange(ctx, false);
  // The refutation goes to the member that told us, too: after a partition past the dead grace
  // it is on the side that buried us, where none of our peers is, and it spreads it there.
  pushHot(ctx, ownNews(ctx), [], undefined, teller !== undefined && teller !== ctx.name ? teller : undefined);
}

/** Adds a reporter to a suspicion; true when it was a new, independent one. */
export function confirmSuspicion(ctx: EngineContext, name: string, reporter: string): boolean {
  let suspicion = ctx.records.suspicion(name);
  if (!suspicion) {
    suspicion = new Suspicion(ctx.records.since(name, ctx.clock()), reporter);
    ctx.records.setSuspicion(name, suspicion);
  }
  return suspicion.confirm(reporter);
}

/** Whether the suspicion of `name` has at most `suspicionConfirmations` confirmations. */
export function stillShortens(ctx: EngineContext, name: string): boolean {
  return (ctx.records.suspicion(name)?.confirmations ?? 0) <= ctx.config.suspicionConfirmations;
}

/** This node declares a member suspect or dead (its own judgement), and spreads it at once. */
export function declare(ctx: EngineContext, name: string, status: typeof SUSPECT | typeof DEAD): void {
  const { state } = ctx;
  const node = state.get(name);
  if (!node) return;
  const change = state.mergeClaim(name, {
    generation: node.generation,
    incarnation: node.incarnation,
    status,
  });
  if (!change) return;
  observe(ctx, change, ctx.clock(), ctx.name);
  const item = state.newsOf(name, status === SUSPECT ? ctx.name : undefined) as NewsItem;
  ctx.broadcasts.enqueue(item);
  stateChanged(ctx);
  // The suspect is told at once, so it can refute before the timeout: a node itself, an agent
  // through its home (an agent is no peer: a message to its name would reach no one).
  pushHot(ctx, [item], [], undefined, status === SUSPECT ? defenderOf(ctx, node) : undefined);
}

/** Who refutes a suspicion of `node`: the node itself, or an agent's home (none when it is us). */
function defenderOf(ctx: EngineContext, node: MemberState): string | undefined {
  if (!isAgentState(node)) return node.name;
  const home = homeOf(node);
  return home !== undefined && home !== ctx.name ? home : undefined;
}

/** Feeds one merged change into local records and events. */
function observe(ctx: EngineContext, change: NodeChange, now: number, reporter?: string): void {
  const { records } = ctx;
  const node = ctx.state.get(change.name) as MemberState;
  if (change.restarted || !records.has(change.name)) records.reset(change.name, now);
  if (change.discovered) emit(ctx, "joined", change.name, node.generation);
  else if (change.restarted) emit(ctx, "restarted", change.name, node.generation);
  if (
    change.claimChanged &&
    (change.previousStatus !== node.status || change.discovered || change.restarted)
  ) {
    records.setSince(change.name, now);
    records.setSuspicion(change.name, node.status === SUSPECT ? new Suspicion(now, reporter) : null);
    if (node.status === ALIVE) records.resetHeartbeats(change.name);
    awaitForgetting(ctx, change.name, now);
    if (!change.discovered || node.status !== ALIVE) emitStatus(ctx, change.name, node.status, reporter);
  }
  if (change.changedKeys.length > 0) emit(ctx, "state", change.name, node.generation, change.changedKeys);
  reindex(ctx, change.name);
}

/**
 * Files a member under the indexes a round reads (peers by status, suspects, agents whose
 * home is checked) after anything about it changed: its claim, its keys, its hosting.
 */
export function reindex(ctx: EngineContext, name: string): void {
  const slot = ctx.state.slotOf(name);
  if (slot !== undefined) reindexSlot(ctx, slot);
  else {
    ctx.suspects.delete(name);
    ctx.agents.delete(name);
  }
}

export function reindexSlot(ctx: EngineContext, slot: number): void {
  const node = ctx.state.at(slot);
  const name = node.name;
  const writer = ctx.state.writes(name);
  const kind = isPeerNode(ctx, node) ? (PEER_KIND[node.status] as PeerKind) : NOT_PEER;
  // A member newly dead or left may be some agent's home: a peer's kind changes with its
  // status. Members filed under no kind (left, or of a kind not known yet) count every time.
  if (
    (node.status === DEAD || node.status === LEFT) &&
    (kind === NOT_PEER ? !isAgentState(node) : ctx.peers.kindOf(slot) !== kind)
  )
    ctx.homesChanged = true;
  ctx.peers.set(slot, kind);
  if (!writer && node.status === SUSPECT) ctx.suspects.add(name);
  else ctx.suspects.delete(name);
  if (!writer && node.status === ALIVE && isAgentState(node)) {
    // Only an agent new here, or naming another home, is checked again: not one that wrote.
    const home = homeOf(node);
    if (!ctx.agents.has(name) || ctx.agents.get(name) !== home) {
      ctx.agents.set(name, home);
      ctx.homesChanged = true;
    }
  } else ctx.agents.delete(name);
}

/** A dead or left member (not one this node writes) is queued for forgetting after its grace. */
export function awaitForgetting(ctx: EngineContext, name: string, now: number): void {
  const node = ctx.state.get(name);
  if (!node || ctx.state.writes(name)) return;
  if (node.status !== DEAD && node.status !== LEFT) return;
  const grace = node.status === DEAD ? ctx.config.deadGraceMs : ctx.config.leftGraceMs;
  ctx.forgetQueue.push(name, ctx.records.since(name, now) + grace);
}

/**
 * Merges deltas from `from`; returns how many changed something. A member learned from
 * itself (a join or a restart) is news that matters now: it is pushed at once (a join within
 * its bucket, see goesHot).
 *
 * Any change starts the anti-entropy pause over (Trickle), except keys alone that came along
 * the broadcast tree (`viaTree`): the tree, its notices and its grafts carry a write to nearly
 * every node, so its receivers bring the pause down only to `writePauseRounds`, when their
 * exchanges find the few the tree missed (docs/protocol.md, "Trickle backoff").
 */
export function merge(
  ctx: EngineContext,
  deltas: readonly NodeDelta[],
  from: string,
  viaTree = false,
): number {
  // A peer's delta may carry its claim about this node, or about an agent it hosts (it
  // offers what it believes we lack): a suspicion or a death heard that way is refuted.
  const now = ctx.clock();
  for (const delta of deltas) {
    if (delta.n === ctx.name) noticeClaimAboutSelf(ctx, delta.g, delta.i, delta.s);
    else if (ctx.hosted.has(delta.n)) noticeClaimAboutHosted(ctx, delta.n, delta.g, delta.i, delta.s);
    else tellHomeIfBuried(ctx, delta);
  }
  const changes = ctx.state.apply(
    deltas.map((delta) => doubted(ctx, delta)),
    now,
  );
  for (const change of changes) {
    observe(ctx, change, now);
    if (!change.claimChanged) continue;
    const item = ctx.state.newsOf(change.name);
    if (!item) continue;
    ctx.broadcasts.enqueue(item);
    if ((change.discovered || change.restarted) && change.name === from && goesHot(ctx, change, item))
      pushHot(ctx, [item], [], from);
  }
  if (changes.length > 0) {
    if (!viaTree || changes.some((change) => change.claimChanged)) stateChanged(ctx);
    else shortenPause(ctx, PLUMTREE_LIMITS.writePauseRounds);
  }
  return changes.length;
}

/**
 * A death heard through anti-entropy, of a member this node holds alive or suspect at that
 * generation, is taken as a suspicion (memberlist's mergeState does the same). A delta carries
 * what its sender holds, not fresh news: after a partition heals, the far side still holds
 * deaths it judged of members this side reached throughout, and taking them as deaths here
 * would kill running, reachable nodes. As a suspicion it is refuted if the member lives, and
 * it runs out into a death here if not. Fresh deaths travel as news and are taken as they are.
 */
function doubted(ctx: EngineContext, delta: NodeDelta): NodeDelta {
  if (delta.s !== DEAD) return delta;
  const held = ctx.state.get(delta.n);
  if (!held || held.generation !== delta.g || delta.i < held.incarnation) return delta;
  if (held.status !== ALIVE && held.status !== SUSPECT) return delta;
  ctx.counters.deathsDoubted++;
  return { ...delta, s: SUSPECT };
}

/** This node's own news item. */
export function ownNews(ctx: EngineContext): NewsItem[] {
  return [ctx.state.newsOf(ctx.name) as NewsItem];
}

/** Our own record changed (a write, a refutation, a leave): re-fingerprint and spread it. */
export function ownChange(ctx: EngineContext, write: boolean): void {
  const self = ctx.state.self;
  ctx.state.refresh(self);
  ctx.broadcasts.enqueue(ctx.state.newsOf(ctx.name) as NewsItem);
  stateChanged(ctx);
  if (!write) return;
  ctx.counters.keysWritten++;
  if (ctx.rumors.take(ctx.clock())) {
    const from = Math.max(0, self.maxVersion - PUSH_CATCH_UP_VERSIONS);
    const built = self.deltaFor(from, 0, ctx.config.maxDeltaBytes);
    if (built) pushWrite(ctx, ownNews(ctx), [built.delta], undefined);
  } else ctx.tree.announce(self.name, self.generation, self.maxVersion);
}

/** Announces this node's graceful leave: `left` is pushed at once and rides on every message. */
export function leave(ctx: EngineContext): void {
  if (ctx.selfStatus === "left") return;
  ctx.selfStatus = "left";
  ctx.state.self.status = LEFT;
  ownChange(ctx, false);
  pushHot(ctx, ownNews(ctx), [], undefined);
  emit(ctx, "left", ctx.name, ctx.state.self.generation);
}

/** Something changed here: anti-entropy runs again at once (Trickle reset). */
export function stateChanged(ctx: EngineContext): void {
  shortenPause(ctx, 1);
}

/** Brings the anti-entropy pause (and the wait for the next exchange) down to `rounds`. */
function shortenPause(ctx: EngineContext, rounds: number): void {
  ctx.aePause = Math.min(ctx.aePause, rounds);
  ctx.aeWait = Math.min(ctx.aeWait, rounds);
}

/** Forgets a dead or left member past its grace: it is buried, so it stays forgotten. */
export function forget(ctx: EngineContext, name: string, now: number): void {
  const { state } = ctx;
  if (ctx.hosted.has(name)) release(ctx, name);
  ctx.kindUnknown.delete(name);
  const member = state.get(name);
  const generation = member?.generation ?? 0;
  const peer = member !== undefined && isPeerNode(ctx, member);
  const slot = state.slotOf(name);
  if (slot !== undefined && !state.writes(name)) ctx.peers.set(slot, NOT_PEER);
  state.bury(name, now, peer);
  ctx.records.drop(name);
  ctx.broadcasts.drop(name);
  reindex(ctx, name);
  // The probe orders keep the name: they skip members no longer known, and reshuffle soon.
  emit(ctx, "forgotten", name, generation);
}

/** A gossip peer: a node (never an agent, nor a member whose kind is still unknown), not us. */
export function isPeerNode(ctx: EngineContext, node: MemberState): boolean {
  if (node === ctx.state.self || ctx.hosted.has(node.name) || isAgentState(node)) return false;
  if (ctx.kindUnknown.has(node.name)) {
    if (node.maxVersion === 0) return false;
    ctx.kindUnknown.delete(node.name);
  }
  return true;
}
