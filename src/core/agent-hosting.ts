/**
 * Hosting agents: a node applies hosted.ts's plans for the agents whose home it is. It takes
 * their heartbeats and leaves, judges them by phi over those heartbeats each round, defends
 * their claims against peers (or lets go of one owned elsewhere now), and keeps the list of
 * rows its shell must save or delete.
 */
import { awaitForgetting, forget, isPeerNode, reindex, stateChanged } from "./claims.js";
import { PUSH_CATCH_UP_VERSIONS, pushHot } from "./dissemination.js";
import { type EngineContext, emit, emitStatus } from "./engine-context.js";
import type { HostedClaim } from "./engine-types.js";
import { HostedAgent, type HostedSnapshot, isAgentState, planHeartbeat, planLeave } from "./hosted.js";
import { checkUserKey, isReservedKey } from "./keys.js";
import { type MemberState, NodeState } from "./node-state.js";
import { pushWrite } from "./plumtree.js";
import { ALIVE, compareClaims, DEAD, LEFT, SUSPECT, statusName } from "./precedence.js";
import { randomInt } from "./random.js";
import { suspicionBounds } from "./suspicion.js";
import type { NewsItem, StatusCode } from "./types.js";

/**
 * An agent's heartbeat at this node, its home: registers it (or takes it over from another
 * home with a higher claim), answers the home's own suspicion with a higher incarnation,
 * writes `updates` to its keys, and feeds the phi detector. `save` receives the agent's row
 * before anything changes in memory, and `changed` says whether the claim or keys change (a
 * throw refuses the heartbeat). Throws RangeError for a bad key or a name that is a node.
 */
export function hostHeartbeat(
  ctx: EngineContext,
  name: string,
  intervalMs: number,
  updates: Readonly<Record<string, string>> | undefined,
  save: (row: HostedSnapshot, changed: boolean) => void,
): HostedClaim {
  for (const key of Object.keys(updates ?? {})) checkUserKey(key);
  const { state } = ctx;
  const known = state.get(name);
  if (name === ctx.name || (known && !ctx.hosted.has(name) && isPeerNode(ctx, known)))
    throw new RangeError(`${name} is a node of this cluster, not an agent`);
  const now = ctx.clock();
  const current = ctx.hosted.get(name);
  const plan = planHeartbeat({
    name,
    home: ctx.name,
    now,
    hosted: current?.state,
    known: current ? undefined : known,
    grave: state.graveyard.get(name),
    updates,
    tiebreak: randomInt(ctx.rng, 1024),
  });
  const fresh = plan.outcome === "registered" || plan.outcome === "takeover" || !current;
  const since = fresh || plan.outcome === "revived" ? now : (current?.since ?? now);
  save(
    { state: plan.next.snapshot(), intervalMs, lastHeartbeat: now, since },
    plan.changed || intervalMs !== current?.intervalMs,
  );
  let agent = current;
  if (fresh || !agent) {
    agent = new HostedAgent(plan.next, intervalMs, ctx.config.phiWindow, now);
    ctx.hosted.set(name, agent);
    state.own(name);
    state.graveyard.delete(name);
    ctx.hostedDropped.delete(name);
    ctx.kindUnknown.delete(name);
  }
  if (plan.changed) {
    const before = known ?? current?.state;
    const changedKeys = plan.next.updatesSince(fresh ? 0 : (before?.maxVersion ?? 0)).map(([key]) => key);
    agent.state = plan.next;
    agent.since = since;
    state.add(plan.next);
    ctx.records.reset(name, since);
    reindex(ctx, name);
    if (fresh) emit(ctx, known ? "restarted" : "joined", name, plan.next.generation);
    if (plan.outcome === "revived" || (fresh && known && known.status !== ALIVE))
      emitStatus(ctx, name, ALIVE);
    const userKeys = changedKeys.filter((key) => !isReservedKey(key));
    if (userKeys.length > 0) emit(ctx, "state", name, plan.next.generation, userKeys);
    hostedChange(ctx, name, fresh || plan.outcome === "revived");
  }
  agent.arrived(now, intervalMs);
  return { outcome: plan.outcome, ...claimOf(agent.state) };
}

/**
 * An agent's graceful leave, announced by this node: `left` for its generation, pushed at
 * once. Hosted here or known from elsewhere (its home may be gone); null when unknown here.
 * `save` receives the row before memory changes.
 */
export function leaveHosted(
  ctx: EngineContext,
  name: string,
  save: (row: HostedSnapshot) => void,
): HostedClaim | null {
  const current = ctx.hosted.get(name)?.state ?? ctx.state.get(name);
  if (!current || !isAgentState(current)) return null;
  if (current.status === LEFT) return { outcome: "left", ...claimOf(current) };
  const now = ctx.clock();
  const next = planLeave(current, now);
  const agent = ctx.hosted.get(name);
  const row: HostedSnapshot = {
    state: next.snapshot(),
    intervalMs: agent?.intervalMs ?? ctx.config.intervalMs,
    lastHeartbeat: agent?.lastHeartbeat ?? 0,
    since: now,
  };
  save(row);
  restoreHosted(ctx, row, now);
  emitStatus(ctx, name, LEFT);
  hostedChange(ctx, name, true);
  return { outcome: "left", ...claimOf(next) };
}

/** Hosted agents to save (changed by judgements or peers) and to delete, since the last call. */
export function takeHostedChanges(ctx: EngineContext): { save: HostedSnapshot[]; drop: string[] } {
  const save: HostedSnapshot[] = [];
  for (const name of ctx.hostedChanged) {
    const agent = ctx.hosted.get(name);
    if (agent) save.push(agent.snapshot());
  }
  const drop = [...ctx.hostedDropped];
  ctx.hostedChanged = new Set();
  ctx.hostedDropped = new Set();
  return { save, drop };
}

function claimOf(node: MemberState): Omit<HostedClaim, "outcome"> {
  return { generation: node.generation, incarnation: node.incarnation, status: statusName(node.status) };
}

/** Takes a saved (or planned) hosted agent in as this node's to write. */
export function restoreHosted(ctx: EngineContext, saved: HostedSnapshot, now: number): void {
  const node = NodeState.fromSnapshot(saved.state, now);
  const agent = new HostedAgent(
    node,
    saved.intervalMs,
    ctx.config.phiWindow,
    saved.since,
    saved.lastHeartbeat,
  );
  ctx.hosted.set(node.name, agent);
  ctx.state.own(node.name);
  ctx.state.graveyard.delete(node.name);
  ctx.state.add(node);
  ctx.hostedDropped.delete(node.name);
  ctx.kindUnknown.delete(node.name);
  ctx.records.reset(node.name, saved.since);
  reindex(ctx, node.name);
}

/** Stops hosting an agent: its state stays as a replica, merged like any other member's. */
export function release(ctx: EngineContext, name: string): void {
  ctx.hosted.delete(name);
  ctx.state.disown(name);
  ctx.hostedChanged.delete(name);
  ctx.hostedDropped.add(name);
  reindex(ctx, name);
  awaitForgetting(ctx, name, ctx.clock());
}

/**
 * A hosted agent's claim changed here: re-fingerprint and spread it, with its keys pushed at
 * once on a new claim (a registration, takeover, revival or leave) or a write the bucket allows.
 */
function hostedChange(ctx: EngineContext, name: string, claim: boolean): void {
  const node = ctx.state.get(name) as MemberState;
  ctx.state.refresh(node);
  const news = ctx.state.newsOf(name) as NewsItem;
  ctx.broadcasts.enqueue(news);
  stateChanged(ctx);
  if (!claim) ctx.counters.keysWritten++;
  if (claim || ctx.rumors.take(ctx.clock())) {
    const from = claim ? 0 : Math.max(0, node.maxVersion - PUSH_CATCH_UP_VERSIONS);
    const built = node.deltaFor(from, 0, ctx.config.maxDeltaBytes);
    if (built) pushWrite(ctx, [news], [built.delta], undefined);
    else pushHot(ctx, [news], [], undefined);
  } else ctx.tree.announce(name, node.generation, node.maxVersion);
}

/**
 * The home judges its agents over their direct heartbeats: alive -> suspect when phi crosses
 * the threshold, suspect -> dead after the suspicion timeout (an agent cannot refute), and
 * dead or left agents are forgotten after their grace.
 */
export function judgeHosted(ctx: EngineContext, now: number, n: number): void {
  const { config } = ctx;
  for (const [name, agent] of ctx.hosted) {
    const node = agent.state;
    if (node.status === ALIVE) {
      if (agent.phi(now) >= config.phiThreshold) judgeAgent(ctx, name, agent, SUSPECT, now);
    } else if (node.status === SUSPECT) {
      const { minMs } = suspicionBounds(agent.intervalMs, n, config.suspicionMult, config.suspicionMaxMult);
      if (now - agent.since >= minMs) judgeAgent(ctx, name, agent, DEAD, now);
    } else {
      const grace = node.status === DEAD ? config.deadGraceMs : config.leftGraceMs;
      if (now - agent.since >= grace) forget(ctx, name, now);
    }
  }
}

function judgeAgent(
  ctx: EngineContext,
  name: string,
  agent: HostedAgent,
  status: typeof SUSPECT | typeof DEAD,
  now: number,
): void {
  agent.state.status = status;
  agent.since = now;
  ctx.records.setSince(name, now);
  ctx.records.setSuspicion(name, null);
  if (status === SUSPECT) ctx.counters.suspicionsRaised++;
  ctx.hostedChanged.add(name);
  emitStatus(ctx, name, status, ctx.name);
  ctx.state.refresh(agent.state);
  const item = ctx.state.newsOf(name, status === SUSPECT ? ctx.name : undefined) as NewsItem;
  ctx.broadcasts.enqueue(item);
  stateChanged(ctx);
  pushHot(ctx, [item], [], undefined);
}

/**
 * A peer's claim about an agent this node hosts. Higher and from a new generation, or a leave
 * announced elsewhere: the agent is owned elsewhere now, so this node drops it (false: merge
 * the claim as any other). A suspicion or death raised by someone else: refuted while the
 * agent heartbeats, else adopted. Returns true while the agent stays hosted here.
 */
export function noticeClaimAboutHosted(
  ctx: EngineContext,
  name: string,
  generation: number,
  incarnation: number,
  status: StatusCode,
): boolean {
  const agent = ctx.hosted.get(name) as HostedAgent;
  const mine = agent.state;
  const claim = { generation, incarnation, status };
  if (compareClaims(claim, mine) <= 0) return true;
  if (generation > mine.generation || status === LEFT) {
    release(ctx, name);
    return false;
  }
  const now = ctx.clock();
  if (status === ALIVE) {
    mine.incarnation = incarnation; // our own incarnation, lost in a wake-up: catch up
  } else if (mine.status === ALIVE && agent.phi(now) < ctx.config.phiThreshold) {
    mine.incarnation = incarnation + 1;
    ctx.counters.refutations++;
  } else {
    mine.incarnation = incarnation;
    mine.status = status;
    agent.since = now;
    emitStatus(ctx, name, status);
  }
  ctx.hostedChanged.add(name);
  hostedChange(ctx, name, true);
  return true;
}
