/**
 * Dissemination: how news leaves a node. Every message carries one envelope (version, cluster,
 * sender, generation) and piggybacks queued news, and probes carry the broadcast tree's "I
 * have" notices. Membership news that matters now is also pushed hot to a few live members
 * through the outbox, and forwarded once by each node it taught something (feedback stops the
 * rest). Writes travel the broadcast tree instead (plumtree.ts).
 */
import { merge, receive } from "./claims.js";
import type { NodeChange } from "./cluster-state.js";
import { hotFanoutFor, retransmitLimit } from "./config.js";
import type { EngineContext } from "./engine-context.js";
import type { Outgoing, Rejection } from "./engine-types.js";
import { pickPeers, REACHABLE } from "./peer-choice.js";
import { answerGraft, havesFor, received, takeTreePush } from "./plumtree.js";
import { ALIVE } from "./precedence.js";
import { confirmAtNextWake } from "./probing.js";
import {
  type GossipMessage,
  type NewsItem,
  type NodeDelta,
  PROTOCOL_VERSION,
  type PushMessage,
} from "./types.js";

/** Writes pushed at once carry this many versions before the new one, for peers a write behind. */
export const PUSH_CATCH_UP_VERSIONS = 8;

/** The fields every message carries, written here only. */
type Header = Pick<GossipMessage, "v" | "c" | "f" | "g">;

/** A message's own fields: what is left when the header and the news are taken off. */
export type Body<M extends GossipMessage> = Omit<M, keyof Header | "n">;

/** Messages the tree's lazy notices ride on: probes and their answers. */
const CARRIES_HAVES: ReadonlySet<GossipMessage["t"]> = new Set(["ping", "pingreq", "ack", "nack"]);

/**
 * Writes the header into `body`, a literal its caller just made for one message, after its own
 * fields. Every message takes this path: a spread into a copy (`{ ...body, ...header }`) takes
 * V8's slow path for a fresh shape, and costs an object more.
 */
function stamp<M extends GossipMessage>(ctx: EngineContext, body: Omit<M, keyof Header>): M {
  const message = body as M;
  message.v = PROTOCOL_VERSION;
  message.c = ctx.cluster;
  message.f = ctx.name;
  message.g = ctx.state.self.generation;
  return message;
}

/** A push with the header (marked hot when `hot`); the caller adds what it carries. */
export function pushMessage(ctx: EngineContext, hot = false): PushMessage {
  return stamp<PushMessage>(ctx, hot ? { t: "push", hot: true } : { t: "push" });
}

/** `body` for `to` with the header and piggybacked news, counted as sent. */
export function envelope<M extends GossipMessage>(ctx: EngineContext, body: Body<M>, to: string): M {
  const message = stamp<M>(ctx, body as Omit<M, keyof Header>);
  const news = ctx.broadcasts.take(
    ctx.config.maxPiggybackBytes,
    retransmitLimit(ctx.config, ctx.state.size),
    to,
  );
  if (news.length > 0) message.n = news;
  if (CARRIES_HAVES.has(message.t)) {
    const haves = havesFor(ctx, to);
    if (haves.length > 0) message.ih = haves;
  }
  countSent(ctx, message);
  return message;
}

/**
 * Queues a hot push of news and deltas to `hotFanout` random live members (not `except`), plus
 * `also` when given (a suspect told of its suspicion).
 */
export function pushHot(
  ctx: EngineContext,
  news: NewsItem[],
  deltas: NodeDelta[],
  except: string | undefined,
  also?: string,
): void {
  const fanout = hotFanoutFor(ctx.config, ctx.state.size);
  const peers = pickPeers(ctx, REACHABLE, fanout, (name) => name === except || name === also, true);
  if (also !== undefined) peers.push(also);
  for (const peer of peers) {
    const message = pushMessage(ctx, true);
    if (news.length > 0) message.n = news;
    if (deltas.length > 0) message.delta = deltas;
    ctx.counters.pushesSent++;
    ctx.outbox.push({ peer, message });
  }
}

/** Queues a one-way push of `news` to one peer (not hot: it is not forwarded). */
export function pushTo(ctx: EngineContext, peer: string, news: NewsItem[]): void {
  const message = pushMessage(ctx);
  message.n = news;
  ctx.counters.pushesSent++;
  ctx.outbox.push({ peer, message });
}

/**
 * Takes a push: the end of an exchange, news pushed hot, or the broadcast tree's writes, prunes
 * and grafts. Writes the tree had not carried here go on down it (the sender becomes an eager
 * link); a write it already carried prunes the link. Fresh membership news that came hot without
 * a write is forwarded once (to the outbox); what we already knew is not (feedback).
 */
export function handlePush(ctx: EngineContext, raw: unknown): true | Rejection {
  const parsed = receive(ctx, raw, ["push"], { hot: (raw as { hot?: boolean })?.hot === true });
  if (!parsed.ok) return parsed;
  const push = parsed.message;
  if (push.prune) ctx.tree.demote(push.f);
  if (push.graft) answerGraft(ctx, push.f, push.graft);
  const fresh: NodeDelta[] = [];
  if (push.delta) {
    for (const delta of push.delta) if (merge(ctx, [delta], push.f, push.hot === true) > 0) fresh.push(delta);
    received(ctx, fresh);
  }
  const news = push.hot ? ctx.freshNews : [];
  ctx.freshNews = [];
  if (push.hot && push.n) confirmAtNextWake(ctx, push.n, push.f);
  if (push.hot && push.delta && push.delta.length > 0) takeTreePush(ctx, push.f, push.delta, news);
  else if (push.hot && news.length > 0 && ctx.forwards.take(ctx.clock())) {
    ctx.counters.forwardsSent++;
    pushHot(ctx, news, [], push.f);
  }
  return true;
}

/**
 * Hot forwards a node sends at once: at most this many, refilled one a round. One change
 * (a suspicion, its confirmations, a death, a refutation) is forwarded by every node it
 * reaches, so it spreads in a round or two; past the budget, fresh news rides piggybacks and
 * anti-entropy, which carry many members a message. A partition past the dead grace ends with
 * every member refuting its death at once: forwarding all of it made every node send about
 * N x hotFanout pushes in a few rounds (11,000 each at N = 1000).
 */
export const FORWARD_BURST = 4;

/**
 * Joins a node pushes or forwards hot: at most this many at once, refilled one a round. A
 * single newcomer thus spreads hot in hops, as any news does; N nodes starting at once cost
 * each node at most about one join's pushes a round, and anti-entropy carries the rest.
 */
export const JOIN_PUSH_BURST = 1;

/**
 * Whether a merged change is a join: a member not known here before, alive at its first
 * incarnation. A restart (a newer generation of a known member), a buried member's refutation
 * (a later incarnation) and every suspicion, death and leave are not joins.
 */
export function isJoin(change: NodeChange, item: NewsItem): boolean {
  return change.discovered && item[3] === ALIVE && item[2] === 0;
}

/**
 * Whether news of this change goes hot (pushed, or forwarded once): always, but a join only
 * within `joinPushes` (JOIN_PUSH_BURST, one a round). Past it a join rides piggybacks and
 * anti-entropy, where one delta carries many members at once. With every join hot, N nodes
 * starting together made every node forward every join to `hotFanout` peers: N² log N
 * messages for the mesh.
 */
export function goesHot(ctx: EngineContext, change: NodeChange, item: NewsItem): boolean {
  return !isJoin(change, item) || ctx.joinPushes.take(ctx.clock());
}

/** Takes the one-way messages waiting to be sent (hot pushes and forwards). */
export function takeOutbox(ctx: EngineContext): Outgoing[] {
  const out = ctx.outbox;
  ctx.outbox = [];
  return out;
}

/** Counts an outgoing message as sent. */
export function countSent(ctx: EngineContext, message: GossipMessage): void {
  ctx.counters.messagesSent++;
  ctx.counters.bytesSent += ctx.sizeOf(message);
}
