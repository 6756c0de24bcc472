/**
 * Epidemic broadcast trees (Plumtree: Leitão, Pereira and Rodrigues, 2007) for writes. A write
 * is pushed eagerly to this node's eager peers only; a node that receives a write it already
 * holds answers PRUNE and both ends drop the link to lazy, so the eager links settle into a
 * tree and a write costs about one message per node. Everyone else learns of a write lazily:
 * "I have" notices, (origin, generation, version), ride on probes and their answers. A notice
 * for a version not yet held starts a short timer; when it runs out the node GRAFTs the
 * announcer, which sends the write and makes the link eager again. Anti-entropy still repairs
 * whatever all of this misses.
 *
 * The duplicate test is the tree's own: the newest version of each origin that came or went
 * along it. Holding a write is not enough, since a write learned first by anti-entropy must
 * still go down the tree, and its link must not be pruned for it.
 */
import { retransmitLimit } from "./config.js";
import { pushMessage } from "./dissemination.js";
import type { EngineContext } from "./engine-context.js";
import type { MemberState } from "./node-state.js";
import { pickPeers, REACHABLE } from "./peer-choice.js";
import { ALIVE_PEER } from "./peer-sets.js";
import type { Rng } from "./random.js";
import type { HaveEntry, NewsItem, NodeDelta } from "./types.js";

/** Every bound of the tree, said once. */
export const PLUMTREE_LIMITS = {
  /** Eager peers a node starts with (and takes again when it has none left). */
  initialEager: 3,
  /** Most eager peers: grafts past this replace the oldest link. */
  maxEager: 16,
  /** Most recent writes announced lazily (one per origin; newer replaces older). */
  haveQueue: 64,
  /** Most notices riding on one probe or probe answer. */
  havesPerMessage: 8,
  /** Most writes waited for at once (notices seen before the write). */
  missing: 64,
  /**
   * Grafts sent for one missing write before it is left to anti-entropy: a graft or its answer
   * may be lost, and the notices that would start another wait may all be spent by then.
   */
  graftTries: 3,
  /**
   * The anti-entropy pause, in rounds, that a write received along the tree brings a node down
   * to (any other change brings it to 1; claims.ts `merge`): soon enough that the exchanges of
   * the nodes holding a write find the few a lossy tree missed, at two wakes a write, not five.
   * The measured choice is in docs/protocol.md, "Trickle backoff".
   */
  writePauseRounds: 4,
  /**
   * Most origins whose newest version carried by the tree is remembered (oldest forgotten). A
   * duplicate only needs the record for the moments a write takes to cross the tree, so this
   * covers as many origins writing at once, not every member (which would double a node's
   * memory per member at N = 1000); a forgotten one at worst lets a late copy travel once more.
   */
  carried: 128,
} as const;

/** One write this node heard of before holding it: whom to graft, when, and how often it was. */
interface Missing {
  generation: number;
  version: number;
  announcer: string;
  due: number;
  grafts: number;
}

/** One node's broadcast tree: its eager links, its lazy notices and its missing timers. */
export class Plumtree {
  /**
   * @param rng the tree's own random stream, so that taking eager peers leaves the draws of
   *   every other mechanism (probe orders, partners) as they were
   */
  constructor(readonly rng: Rng) {}

  /** Eager peers, oldest first (insertion order). */
  readonly eager = new Set<string>();
  /** Writes to announce lazily, by origin, with how often each was announced. */
  private readonly haves = new Map<string, { entry: HaveEntry; sent: number }>();
  readonly missing = new Map<string, Missing>();
  /** Per origin, the newest (generation, version) that came or went along the tree. */
  private readonly carried = new Map<string, [generation: number, version: number]>();
  /** Whether the first eager peers were taken (once; again only when none is left). */
  seeded = false;
  /** Whether the eager set gained or lost a peer since takeEagerChange last asked. */
  private eagerChanged = false;

  get haveCount(): number {
    return this.haves.size;
  }

  /** Makes `peer` an eager link (a tree edge), dropping the oldest past the bound. */
  promote(peer: string): void {
    if (!this.eager.delete(peer)) this.eagerChanged = true;
    this.eager.add(peer);
    if (this.eager.size > PLUMTREE_LIMITS.maxEager) {
      const oldest = this.eager.values().next().value as string;
      this.eager.delete(oldest);
    }
  }

  /** Moves `peer` to lazy: it hears of writes only through notices. */
  demote(peer: string): void {
    if (this.eager.delete(peer)) this.eagerChanged = true;
  }

  /**
   * The eager peers, oldest first, when they changed since the last call (else undefined): a
   * shell saves them, so that an object woken from hibernation keeps its tree and its first
   * write costs what any write does, not a new tree's eager pushes and prunes.
   */
  takeEagerChange(): string[] | undefined {
    if (!this.eagerChanged) return undefined;
    this.eagerChanged = false;
    return [...this.eager];
  }

  /** Eager peers saved by a shell, taken back after a wake-up (at most maxEager, oldest first). */
  restoreEager(peers: readonly string[]): void {
    for (const peer of peers.slice(-PLUMTREE_LIMITS.maxEager)) this.eager.add(peer);
    if (this.eager.size > 0) this.seeded = true;
    this.eagerChanged = false;
  }

  /** Records that the tree carries `origin` at (generation, version); true when that is newer. */
  carry(origin: string, generation: number, version: number): boolean {
    const known = this.carried.get(origin);
    if (known && (known[0] > generation || (known[0] === generation && known[1] >= version))) return false;
    this.carried.delete(origin);
    this.carried.set(origin, [generation, version]);
    if (this.carried.size > PLUMTREE_LIMITS.carried)
      this.carried.delete(this.carried.keys().next().value as string);
    return true;
  }

  /** Queues a lazy notice of `origin` at (generation, version), replacing an older one. */
  announce(origin: string, generation: number, version: number): void {
    this.haves.delete(origin);
    this.haves.set(origin, { entry: [origin, generation, version], sent: 0 });
    if (this.haves.size > PLUMTREE_LIMITS.haveQueue) {
      this.haves.delete(this.haves.keys().next().value as string);
    }
  }

  /** Notices for one probe or answer to `to`; each is retired after `limit` sends. */
  takeHaves(limit: number, to: string): HaveEntry[] {
    const out: HaveEntry[] = [];
    for (const [origin, queued] of this.haves) {
      if (origin === to) continue;
      out.push(queued.entry);
      if (++queued.sent >= limit) this.haves.delete(origin);
      if (out.length >= PLUMTREE_LIMITS.havesPerMessage) break;
    }
    return out;
  }

  /** Waits for `origin`'s write from `announcer` until `due`; the first announcer is kept. */
  await(origin: string, generation: number, version: number, announcer: string, due: number): void {
    const known = this.missing.get(origin);
    if (known && known.generation === generation && known.version >= version) return;
    if (!known && this.missing.size >= PLUMTREE_LIMITS.missing) return;
    this.missing.set(origin, {
      generation,
      version,
      announcer,
      due: known?.due ?? due,
      grafts: known?.grafts ?? 0,
    });
  }
}

/**
 * The eager peers a write goes to now (not `except`): those still reachable, plus a random few
 * the first time (and whenever none is left).
 */
function eagerPeers(ctx: EngineContext, except: string | undefined): string[] {
  const tree = ctx.tree;
  for (const peer of tree.eager) {
    const slot = ctx.state.slotOf(peer);
    if (slot === undefined || !ctx.peers.reachable(slot)) tree.demote(peer);
  }
  if (!tree.seeded || tree.eager.size === 0) seed(ctx, false);
  return [...tree.eager].filter((peer) => peer !== except);
}

/**
 * Takes a random few eager peers. Outside a write (`tell`) each is told with an empty graft, so
 * the link is eager at both ends (HyParView's join): a node nobody chose would otherwise hear
 * writes only lazily. A write pushed to them tells them just as well.
 */
function seed(ctx: EngineContext, tell: boolean): void {
  const tree = ctx.tree;
  tree.seeded = true;
  const picks = pickPeers(
    { ...ctx, rng: tree.rng },
    REACHABLE,
    PLUMTREE_LIMITS.initialEager,
    undefined,
    true,
  );
  for (const peer of picks) {
    if (tree.eager.has(peer)) continue;
    tree.promote(peer);
    if (!tell) continue;
    ctx.counters.graftsSent++;
    const message = pushMessage(ctx);
    message.graft = [];
    ctx.outbox.push({ peer, message });
  }
}

/** A round's tree work: joins the tree once alive with peers, grafts what is overdue. */
export function treeRound(ctx: EngineContext): void {
  if (!ctx.tree.seeded && ctx.selfStatus === "alive" && ctx.peers.size(ALIVE_PEER) > 0) seed(ctx, true);
  graftDue(ctx);
}

/** Pushes writes (and the news that came with them) along the tree, and announces them lazily. */
export function pushWrite(
  ctx: EngineContext,
  news: NewsItem[],
  deltas: NodeDelta[],
  except: string | undefined,
): void {
  for (const delta of deltas) {
    ctx.tree.carry(delta.n, delta.g, delta.max);
    ctx.tree.announce(delta.n, delta.g, delta.max);
  }
  for (const peer of eagerPeers(ctx, except)) {
    const message = pushMessage(ctx, true);
    message.delta = deltas;
    if (news.length > 0) message.n = news;
    ctx.counters.pushesSent++;
    ctx.counters.treePushesSent++;
    ctx.outbox.push({ peer, message });
  }
}

/**
 * A write pushed eagerly by `peer`: what the tree has not carried yet goes on down it (the
 * sender becomes an eager link); a write the tree already carried prunes the link.
 */
export function takeTreePush(
  ctx: EngineContext,
  peer: string,
  deltas: readonly NodeDelta[],
  news: NewsItem[],
): void {
  const onward = deltas.filter((delta) => ctx.tree.carry(delta.n, delta.g, delta.max));
  if (onward.length === 0) {
    prune(ctx, peer);
    return;
  }
  ctx.tree.promote(peer);
  ctx.counters.forwardsSent++;
  pushWrite(ctx, news, onward, peer);
}

/** A write pushed eagerly was already carried: the link from `peer` goes lazy, and `peer` is told. */
export function prune(ctx: EngineContext, peer: string): void {
  ctx.tree.demote(peer);
  ctx.counters.prunesSent++;
  const message = pushMessage(ctx);
  message.prune = true;
  ctx.outbox.push({ peer, message });
}

/** Writes now held stop being waited for. */
export function received(ctx: EngineContext, deltas: readonly NodeDelta[]): void {
  for (const delta of deltas) {
    const waiting = ctx.tree.missing.get(delta.n);
    if (waiting && held(ctx, delta.n, waiting.generation, waiting.version)) ctx.tree.missing.delete(delta.n);
  }
}

function held(ctx: EngineContext, origin: string, generation: number, version: number): boolean {
  const known = ctx.state.peek(origin);
  return known !== undefined && holds(known, generation, version);
}

/** Whether `known` holds (generation, version) of its writes. */
function holds(known: MemberState, generation: number, version: number): boolean {
  return known.generation > generation || (known.generation === generation && known.maxVersion >= version);
}

/** Notices on an inbound message from `from`: each write not held yet is waited for. */
export function noticeHaves(ctx: EngineContext, haves: readonly HaveEntry[], from: string): void {
  const due = ctx.clock() + ctx.config.probeTimeoutMs;
  for (const [origin, generation, version] of haves) {
    // Only writes of members known here: an unknown one comes with its claim, by anti-entropy.
    if (origin === ctx.name || ctx.hosted.has(origin)) continue;
    const known = ctx.state.peek(origin);
    if (!known || holds(known, generation, version)) continue;
    ctx.tree.await(origin, generation, version, from, due);
  }
}

/**
 * Grafts the announcer of every write still missing past its timer (one graft per peer). A
 * write still missing a round later is grafted again, up to `graftTries` times; the node is
 * busy meanwhile (rounds.ts), so each try comes at its next round, not its next quiet wake.
 */
export function graftDue(ctx: EngineContext): void {
  const tree = ctx.tree;
  if (tree.missing.size === 0) return;
  const now = ctx.clock();
  const byPeer = new Map<string, HaveEntry[]>();
  for (const [origin, waiting] of tree.missing) {
    if (waiting.due > now) continue;
    if (
      held(ctx, origin, waiting.generation, waiting.version) ||
      waiting.grafts >= PLUMTREE_LIMITS.graftTries
    ) {
      tree.missing.delete(origin);
      continue;
    }
    waiting.grafts++;
    waiting.due = now + ctx.config.intervalMs;
    const known = ctx.state.get(origin);
    const have = known && known.generation === waiting.generation ? known.maxVersion : 0;
    const list = byPeer.get(waiting.announcer) ?? [];
    list.push([origin, waiting.generation, have]);
    byPeer.set(waiting.announcer, list);
  }
  for (const [peer, graft] of byPeer) {
    tree.promote(peer);
    ctx.counters.graftsSent++;
    const message = pushMessage(ctx);
    message.graft = graft;
    ctx.outbox.push({ peer, message });
  }
}

/**
 * A graft from `peer`: the link becomes eager, and the writes it asks for (from the versions it
 * holds) are pushed to it, to be forwarded down its part of the tree.
 */
export function answerGraft(ctx: EngineContext, peer: string, graft: readonly HaveEntry[]): void {
  ctx.tree.promote(peer);
  const deltas: NodeDelta[] = [];
  let budget = ctx.config.maxDeltaBytes;
  for (const [origin, generation, have] of graft) {
    const known = ctx.state.get(origin);
    if (!known || known.generation < generation || budget <= 0) continue;
    const from = known.generation === generation ? have : 0;
    if (known.maxVersion <= from) continue;
    const built = known.deltaFor(from, 0, budget);
    if (!built) continue;
    budget -= built.bytes;
    deltas.push(built.delta);
  }
  if (deltas.length === 0) return;
  ctx.counters.pushesSent++;
  ctx.counters.treePushesSent++;
  const message = pushMessage(ctx, true);
  message.delta = deltas;
  ctx.outbox.push({ peer, message });
}

/** Lazy notices for a probe (or its answer) to `to`, each sent as often as news is. */
export function havesFor(ctx: EngineContext, to: string): HaveEntry[] {
  if (ctx.tree.haveCount === 0) return [];
  const haves = ctx.tree.takeHaves(retransmitLimit(ctx.config, ctx.state.size), to);
  ctx.counters.havesSent += haves.length;
  return haves;
}
