/**
 * `owners`: the owners lookup's properties on views the real protocol built, as figures
 * (src/core/owners.ts; the goals are issue 22's):
 * - agreement: on a converged cluster, the share of OWNERS_SIM_KEYS keys on which two random
 *   nodes name the same 3 owners (goal 1.0);
 * - removal: a node crashes; once an observer sees it dead, the share of keys whose owner
 *   changed in that observer's view, against 1.1/N (goal: at most);
 * - addition: a node joins (N again); once the observer sees it alive, the same share,
 *   against 1.1/N;
 * - weights: a 10-node cluster whose nodes write `weight` 1..5; each member's share of the
 *   keys against weight/sum, the worst relative error (goal within 5%);
 * - cost: one lookup (n=3) at N=1000, in µs, wall and CPU (goal at most 50 µs).
 */
import { cpuUsage } from "node:process";
import { type MemberView, OwnerTable, viewHash } from "../../core/index.js";
import type { SimCluster, SimNode } from "../cluster.js";
import type { SimOptions } from "../options.js";
import { buildCluster, type Figures, runRounds, type Trial } from "./common.js";
import { holdsState, seesAlive, ViewCheck } from "./views.js";

/** Keys each measure looks up. */
export const OWNERS_SIM_KEYS = 100_000;
/** Members of the view the cost is timed on, and lookups timed. */
export const OWNERS_COST_N = 1000;
const COST_LOOKUPS = 20_000;
/** The weights cluster: its size and the weight node i writes. */
const WEIGHT_NODES = 10;
const weightOf = (i: number) => 1 + (i % 5);

/** `count` keys named from `seed`. */
export function keysFor(seed: number, count = OWNERS_SIM_KEYS): string[] {
  return Array.from({ length: count }, (_, i) => `${seed.toString(36)}:${i}`);
}

/** Each key's first owner in `view`. */
function firstOwners(view: readonly MemberView[], keys: readonly string[]): string[] {
  const table = new OwnerTable(view);
  return keys.map((key) => table.lookup(key, { n: 1 })[0]?.node ?? "");
}

function movedShare(before: readonly string[], after: readonly string[]): number {
  let moved = 0;
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) moved++;
  return moved / before.length;
}

/** Runs until `done` holds, at most --max-rounds; false when it never did. */
function runUntil(cluster: SimCluster, options: SimOptions, done: () => boolean): Promise<boolean> {
  return cluster.clock.advanceUntil(done, cluster.now + options.maxRounds * cluster.config.intervalMs);
}

export async function ownersTrial(options: SimOptions, seed: number): Promise<Trial> {
  const cluster = buildCluster(options, seed);
  await runRounds(cluster, options.warmupRounds ?? 10);
  const keys = keysFor(seed);
  const n = cluster.liveCount();

  // Agreement: two nodes of a converged cluster.
  const [a, b] = twoOf(cluster);
  const agreement = agreementOf(a.gossiper.view(), b.gossiper.view(), keys);
  const viewsAgreed = viewHash(a.gossiper.view()) === viewHash(b.gossiper.view()) ? 1 : 0;

  // Removal: crash one node (not the observer); measure once the observer sees it dead.
  const before = firstOwners(a.gossiper.view(), keys);
  const victim = cluster.pick(cluster.live().filter((node) => node !== a));
  cluster.crash(victim.name);
  const seenDead = await runUntil(cluster, options, () => a.gossiper.statusOf(victim.name) === "dead");
  const afterRemoval = firstOwners(a.gossiper.view(), keys);
  const removalMoved = seenDead ? movedShare(before, afterRemoval) : Number.NaN;

  // Addition: a new node joins; measure once the observer sees every live node alive.
  const joiner = cluster.join();
  const alive = new ViewCheck(cluster, seesAlive);
  const seenJoin = await runUntil(cluster, options, () => alive.holds(a));
  const afterAddition = firstOwners(a.gossiper.view(), keys);
  const additionMoved = seenJoin ? movedShare(afterRemoval, afterAddition) : Number.NaN;

  return {
    rounds: null,
    values: {
      agreement,
      viewsAgreed,
      removalMoved,
      removalBound: 1.1 / n,
      removalMovedTimesN: removalMoved * n,
      additionMoved,
      additionBound: 1.1 / n,
      additionMovedTimesN: additionMoved * n,
      joinerOwnsShare: firstOwnerShare(afterAddition, joiner.name),
      weightShareError: await weightError(options, seed, keys),
      ...lookupCost(),
    },
  };
}

/** Two different running nodes, drawn from the cluster's stream. */
export function twoOf(cluster: SimCluster): [SimNode, SimNode] {
  const live = cluster.live();
  const a = cluster.pick(live);
  return [a, cluster.pick(live.filter((node) => node !== a))];
}

/** Share of keys on which two views name the same 3 owners, in the same order. */
export function agreementOf(
  first: readonly MemberView[],
  second: readonly MemberView[],
  keys: readonly string[],
): number {
  const x = new OwnerTable(first);
  const y = new OwnerTable(second);
  let same = 0;
  for (const key of keys) {
    const p = x.lookup(key, { n: 3 });
    const q = y.lookup(key, { n: 3 });
    if (p.length === q.length && p.every((owner, i) => owner.node === q[i]?.node)) same++;
  }
  return same / keys.length;
}

function firstOwnerShare(owners: readonly string[], name: string): number {
  return owners.filter((owner) => owner === name).length / owners.length;
}

/**
 * A 10-node cluster whose node i writes weight 1 + (i mod 5); once one node holds every
 * node's state, the worst relative error of a member's share of the keys against weight/sum.
 */
async function weightError(options: SimOptions, seed: number, keys: readonly string[]): Promise<number> {
  const cluster = buildCluster({ ...options, nodes: WEIGHT_NODES }, seed);
  const names = [...cluster.nodes.keys()];
  names.forEach((name, i) => {
    cluster.write(name, "weight", String(weightOf(i)));
  });
  const observer = cluster.node(names[0] as string);
  const holds = new ViewCheck(cluster, holdsState);
  if (!(await runUntil(cluster, options, () => holds.holds(observer)))) return Number.NaN;
  const owners = firstOwners(observer.gossiper.view(), keys);
  const sum = names.reduce((total, _, i) => total + weightOf(i), 0);
  let worst = 0;
  names.forEach((name, i) => {
    const expected = weightOf(i) / sum;
    worst = Math.max(worst, Math.abs(firstOwnerShare(owners, name) - expected) / expected);
  });
  return worst;
}

/** One lookup (n=3) over a view of OWNERS_COST_N alive nodes: µs of wall and of CPU time. */
export function lookupCost(): { lookupMicros: number; lookupCpuMicros: number } {
  const view: MemberView[] = Array.from({ length: OWNERS_COST_N }, (_, i) => ({
    node: `n${i}`,
    generation: 1,
    incarnation: 0,
    heartbeat: 0,
    status: "alive",
    phi: 0,
    maxVersion: 1,
    state: { weight: String(weightOf(i)) },
  }));
  const table = new OwnerTable(view);
  for (let i = 0; i < COST_LOOKUPS / 10; i++) table.lookup(`warm-${i}`, { n: 3 });
  const cpu = cpuUsage();
  const started = performance.now();
  for (let i = 0; i < COST_LOOKUPS; i++) table.lookup(`key-${i}`, { n: 3 });
  const wall = performance.now() - started;
  const used = cpuUsage(cpu);
  return {
    lookupMicros: (wall * 1000) / COST_LOOKUPS,
    lookupCpuMicros: (used.user + used.system) / COST_LOOKUPS,
  };
}

/** Worst-case figures across trials, beside the means `aggregate` gives. */
export function ownersFigures(trials: readonly Trial[]): Figures {
  const values = (name: string) =>
    trials.map((t) => t.values[name] ?? Number.NaN).filter((v) => !Number.isNaN(v));
  return {
    agreementMin: Math.min(...values("agreement")),
    removalMovedMax: Math.max(...values("removalMoved")),
    additionMovedMax: Math.max(...values("additionMoved")),
    weightShareErrorMax: Math.max(...values("weightShareError")),
  };
}
