/**
 * What a node shows of its view: one member or all of them as the API and the dashboard see
 * them (reserved keys hidden, phi where it is measured), and every other member with its claim
 * as a shell saves it.
 */
import type { EngineContext } from "./engine-context.js";
import type { MemberEntry } from "./engine-types.js";
import { homeOf, isAgentState } from "./hosted.js";
import { isReservedKey, REGION_KEY } from "./keys.js";
import type { MemberState } from "./node-state.js";
import { ALIVE, statusName } from "./precedence.js";
import type { MemberStatus, MemberView } from "./types.js";

/** What this node believes about one member (itself included). */
export function memberView(ctx: EngineContext, name: string): MemberView | undefined {
  const node = ctx.state.get(name);
  if (!node) return undefined;
  const isSelf = name === ctx.name;
  const phiMode = ctx.config.detector === "phi";
  const agent = ctx.hosted.get(name);
  const view: MemberView = {
    node: name,
    generation: node.generation,
    incarnation: node.incarnation,
    heartbeat: isSelf || phiMode ? node.heartbeat : ctx.records.acks(name),
    status: isSelf ? ctx.selfStatus : statusName(node.status),
    phi: !isSelf && phiMode && node.status === ALIVE ? round3(ctx.records.phi(name, ctx.clock())) : 0,
    maxVersion: node.maxVersion,
    state: userState(node),
    ...regionField(node),
  };
  if (isAgentState(node)) {
    view.kind = "agent";
    const home = homeOf(node);
    if (home !== undefined) view.home = home;
    // The home judges it by phi over direct heartbeats; elsewhere nothing is measured.
    view.phi = agent && node.status === ALIVE ? round3(agent.phi(ctx.clock())) : 0;
  }
  return view;
}

/** Every member this node knows, itself included, sorted by name. */
export function view(ctx: EngineContext): MemberView[] {
  const out: MemberView[] = [];
  for (const name of memberNames(ctx).sort()) {
    const member = memberView(ctx, name);
    if (member) out.push(member);
  }
  return out;
}

/** Names of every member known, this node included. */
export function memberNames(ctx: EngineContext): string[] {
  const out: string[] = [];
  for (const node of ctx.state.members()) out.push(node.name);
  return out;
}

/** Status of a member in this node's view (undefined when unknown). */
export function statusOf(ctx: EngineContext, name: string): MemberStatus | undefined {
  if (name === ctx.name) return ctx.selfStatus;
  const node = ctx.state.get(name);
  return node ? statusName(node.status) : undefined;
}

/** Every other member with its claim and when its status began here, for shells that save it. */
export function membership(ctx: EngineContext): MemberEntry[] {
  const out: MemberEntry[] = [];
  const now = ctx.clock();
  for (const node of ctx.state.members()) {
    if (node === ctx.state.self) continue;
    const name = node.name;
    out.push({
      name,
      generation: node.generation,
      incarnation: node.incarnation,
      status: statusName(node.status),
      heartbeat: node.heartbeat,
      since: ctx.records.since(name, now),
    });
  }
  return out;
}

/** Live user keys; reserved keys (the region, an agent's kind and home) are never shown. */
function userState(node: MemberState): Record<string, string> {
  const state = node.liveState();
  for (const key of Object.keys(state)) if (isReservedKey(key)) delete state[key];
  return state;
}

/** `{region}` when the member published one, for its view. */
function regionField(node: MemberState): { region?: string } {
  const region = node.get(REGION_KEY);
  return region === undefined ? {} : { region };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
