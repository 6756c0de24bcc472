/**
 * A node's engine saved and read back: the snapshot a shell stores, a restore after a wake-up
 * (suspicions timed from when they began, graves kept), and the simulator's converged start
 * from another node's view.
 */
import { restoreHosted } from "./agent-hosting.js";
import { awaitForgetting, reindex, reindexSlot } from "./claims.js";
import { graveOf, graveTuple } from "./cluster-state.js";
import { type EngineContext, startingStatus } from "./engine-context.js";
import type { GossiperSnapshot } from "./engine-types.js";
import type { NodeStateSnapshot } from "./node-state.js";
import { DEAD, LEFT, statusCode, statusName } from "./precedence.js";
import type { MemberStatus } from "./types.js";

/** What a shell saves of a node to rebuild it after a wake-up. */
export function snapshotOf(ctx: EngineContext): GossiperSnapshot {
  const { state } = ctx;
  const members: GossiperSnapshot["members"] = [];
  const now = ctx.clock();
  for (const node of state.members()) {
    if (node === state.self) continue;
    members.push([node.name, statusName(node.status), ctx.records.since(node.name, now)]);
  }
  return {
    cluster: ctx.cluster,
    self: state.self.snapshot(),
    others: state.snapshotOthers(),
    members,
    graveyard: [...state.graveyard].map(([name, grave]) => graveTuple(name, grave)),
    selfStatus: ctx.selfStatus,
    ...(ctx.hosted.size > 0 ? { hosted: [...ctx.hosted.values()].map((agent) => agent.snapshot()) } : {}),
  };
}

/**
 * Loads a snapshot into a fresh engine built on its own record: claims, suspicions (timed from
 * when they began, so a wake-up neither restarts nor forgets them), graves and hosted agents.
 */
export function loadSnapshot(ctx: EngineContext, snapshot: GossiperSnapshot, now: number): void {
  const { state } = ctx;
  const rows = snapshot.others.length + 1 + (snapshot.hosted?.length ?? 0);
  state.table.reserve(rows);
  ctx.peers.reserve(rows);
  // Shells save members in the order of `others`: read them side by side, with a map only
  // for a snapshot whose lists disagree.
  let since: Map<string, { status: MemberStatus; at: number }> | undefined;
  const savedOf = (name: string, i: number) => {
    const row = snapshot.members[i];
    if (row && row[0] === name) return { status: row[1], at: row[2] };
    since ??= new Map(snapshot.members.map(([name, status, at]) => [name, { status, at }]));
    return since.get(name);
  };
  for (let i = 0; i < snapshot.others.length; i++) {
    let other = snapshot.others[i] as NodeStateSnapshot;
    const saved = savedOf(other.name, i);
    if (other.status === undefined && saved && saved.status !== "joining")
      other = { ...other, status: statusCode(saved.status) };
    const slot = state.load(other, now);
    state.table.setSince(slot, saved?.at ?? now);
    reindexSlot(ctx, slot);
    if (other.status === DEAD || other.status === LEFT) awaitForgetting(ctx, other.name, now);
  }
  // Graves are kept in the order they were dug (see ClusterState.expireGraves).
  const graves = [...snapshot.graveyard].sort((a, b) => a[3] - b[3]);
  for (const tuple of graves) state.graveyard.set(tuple[0], graveOf(tuple));
  ctx.selfStatus =
    snapshot.selfStatus === "joining" ? startingStatus(ctx.name, ctx.seedList) : snapshot.selfStatus;
  state.refresh(state.self);
  // A wake-up is not news: anti-entropy resumes backed off (any change resets it), while a
  // suspicion read back (indexed above) keeps the node waking every round until it is judged.
  ctx.aePause = ctx.config.maxBackoffRounds;
  for (const saved of snapshot.hosted ?? []) restoreHosted(ctx, saved, now);
  if (snapshot.eager) ctx.tree.restoreEager(snapshot.eager);
}

/**
 * Sets up an engine made from `template`'s view (ClusterState.viewFor) as a converged member:
 * its peer indexes copied, the two records that changed sides and the template's suspects and
 * agents reindexed. Suspicions, timers and probe orders are not copied.
 */
export function adoptView(ctx: EngineContext, template: EngineContext): void {
  ctx.peers.copyFrom(template.peers);
  reindex(ctx, template.name);
  reindex(ctx, ctx.name);
  for (const other of template.suspects) reindex(ctx, other);
  for (const other of template.agents.keys()) reindex(ctx, other);
  ctx.selfStatus = template.selfStatus === "left" ? "alive" : template.selfStatus;
  ctx.aePause = ctx.config.maxBackoffRounds; // a converged view: nothing is news
}
