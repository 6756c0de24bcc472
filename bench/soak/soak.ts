/**
 * The chaos soak: a mesh in a running Worker, driven for a set time by one sequential,
 * seeded driver that writes state on random nodes (recording every acknowledged write) and
 * injects faults on the unprotected ones: stop, start, restart (stop + start: a new
 * generation), eviction (memory dropped, a wake-up) and alarm deletion (only the cron keeper,
 * fired every so often, restarts the loop). Protected nodes are never faulted: they run the
 * whole time.
 *
 * Along the way it follows every node's event log (memory only: a node is evicted only while
 * its stream is open and has read it) and samples every node's counters (they restart on wake-up, so deltas are summed
 * per object lifetime). At the end it starts every node, fires the keeper, polls until the
 * mesh converges (deadline) and checks:
 *   (a) every acknowledged write is in every node's view: per node and key the latest
 *       acknowledged value (a restart keeps a node's live keys, so writes survive it), and
 *       no view shows a node's max version below one it acknowledged;
 *   (b) no protected node was ever declared dead, by anyone (every event log);
 *   (c) rows the gossip writes per alarm stay under a stated bound (mesh-wide);
 *   (d) every node runs rounds again at the end (lost alarms re-armed by the keeper).
 */

import { type Rng, randomInt, seededRng } from "../../src/core/random.js";
import type { NodeCounters, NodeView, SequencedEvent } from "../../src/node/rpc-types.js";
import { mapLimit } from "../../src/shared/map-limit.js";
import { pace, waitFor } from "../../tools/poll.js";
import { ApiCallError } from "../mesh/api-client.js";
import { EventFollower, type SoakClient } from "./client.js";

export interface SoakConfig {
  cluster: string;
  nodes: number;
  /** How long the chaos runs, ms (the final convergence comes after). */
  durationMs: number;
  /** The nodes' gossip interval, ms. */
  intervalMs: number;
  /** Pause between two driver steps, ms. */
  stepMs: number;
  seed: number;
  /** Nodes n0..n{protected-1} are never faulted (n0 and n1 are the seeds). */
  protectedNodes: number;
  /** Distinct keys each node's writes use (a later write to a key replaces the earlier one). */
  keysPerNode: number;
  /** Fire the cron keeper this often, ms. */
  keeperEveryMs: number;
  /** Sample every node's counters this often, ms. */
  sampleEveryMs: number;
  /** At most this share of the unprotected nodes is stopped at once. */
  maxStoppedShare: number;
  /** Give up waiting for convergence after this long, ms. */
  convergeTimeoutMs: number;
  /**
   * Check (c): mesh-wide, the rows the gossip itself writes (alarm, heartbeat, membership,
   * peers' keys; not the rows an API call writes: own keys, configure/start/stop) per alarm
   * run must stay at or under this.
   */
  rowsPerAlarmBound: number;
}

/** The soak's defaults for a mesh of `nodes` (duration and seed are always given). */
export function soakDefaults(nodes: number): Omit<SoakConfig, "durationMs" | "seed"> {
  return {
    cluster: `soak-${Date.now().toString(36)}`,
    nodes,
    intervalMs: 1_000,
    stepMs: 150,
    protectedNodes: Math.max(2, Math.floor(nodes / 4)),
    keysPerNode: 8,
    keeperEveryMs: 15_000,
    sampleEveryMs: 5_000,
    maxStoppedShare: 1 / 3,
    convergeTimeoutMs: 180_000,
    rowsPerAlarmBound: 5,
  };
}

export type Action = "write" | "stop" | "start" | "restart" | "evict" | "deleteAlarm";

/** Relative weights of the driver's actions (an impossible one is skipped for a write). */
const WEIGHTS: ReadonlyArray<[Action, number]> = [
  ["write", 60],
  ["stop", 6],
  ["start", 8],
  ["restart", 6],
  ["evict", 12],
  ["deleteAlarm", 8],
];

/**
 * Before an eviction the node's stream must have been open this long (it polls every 500 ms),
 * so what the log held is read; an eviction empties it.
 */
const STREAM_OPEN_BEFORE_EVICT_MS = 1_200;
const CONCURRENCY = 8;
/** Nodes with fewer alarms counted than this are left out of the per-node rows figure. */
const MIN_ALARMS_PER_NODE_FIGURE = 30;

export interface AckedWrite {
  seq: number;
  node: string;
  key: string;
  value: string;
  version: number;
  at: number;
}

interface Expectation {
  /** Latest acknowledged value (null: none yet). */
  value: string | null;
  version: number;
  /** Values of later writes whose outcome is unknown (timeout, 5xx): either may be there. */
  maybe: string[];
}

export interface Missing {
  observer: string;
  owner: string;
  key: string;
  expected: string | null;
  actual: string | null;
}

export interface Death {
  observer: string;
  node: string;
  generation: number;
  at: string;
  seq: number;
}

const COUNTED = [
  "alarmsRun",
  "storageRowsWritten",
  "storageRowsAlarm",
  "storageRowsHeartbeat",
  "storageRowsOwnKeys",
  "storageRowsLifecycle",
  "storageRowsMembership",
  "storageRowsPeerKeys",
] as const satisfies ReadonlyArray<keyof NodeCounters>;
type Counted = (typeof COUNTED)[number];
type Tally = Record<Counted, number>;

function zeroTally(): Tally {
  return Object.fromEntries(COUNTED.map((key) => [key, 0])) as Tally;
}

export interface SoakResult {
  config: SoakConfig;
  startedAt: string;
  chaosSeconds: number;
  convergeSeconds: number | null;
  protectedNodes: string[];
  actions: Record<Action | "keeper", number>;
  writes: { acknowledged: number; refused: number; uncertain: number; refusedBy: Record<string, number> };
  faults: { failed: number; lastErrors: string[] };
  /** Events read from the logs; `deaths`: dead declarations among them (of any node). */
  events: {
    read: number;
    /** Streams opened (one per node, reopened when the Worker ends one). */
    connects: number;
    /** Streams that failed or ended with an error, by cause (HTTP status or error name). */
    streamErrors: Record<string, number>;
    /** Evictions skipped because the node's stream was not open (its log would be lost unread). */
    evictionsSkipped: number;
    deaths: number;
  };
  rows: {
    alarms: number;
    rowsWritten: number;
    byReason: Record<string, number>;
    /** Every row written (API calls' rows included) per alarm. */
    rowsPerAlarm: number;
    /** Rows the gossip writes (alarm, heartbeat, membership, peers' keys) per alarm: check (c). */
    gossipRowsPerAlarm: number;
    maxNodeRowsPerAlarm: { node: string; rowsPerAlarm: number; alarms: number } | null;
    bound: number;
    counterResets: number;
  };
  checks: {
    writesEverywhere: { ok: boolean; expectedPairs: number; missing: Missing[]; versionsBehind: string[] };
    /** `unreadLogs`: nodes whose log could not be read at the end (then the check cannot pass). */
    protectedNeverDead: { ok: boolean; deaths: Death[]; suspicions: number; unreadLogs: string[] };
    rowsBounded: { ok: boolean };
    allRunningRounds: { ok: boolean; idle: string[] };
  };
  /** Dead declarations of unprotected nodes the driver had running, in their generation (not failed on). */
  unexplainedDeaths: Death[];
  ok: boolean;
}

export type Log = (line: string) => void;

export async function runSoak(
  client: SoakClient,
  config: SoakConfig,
  log: Log = () => {},
): Promise<SoakResult> {
  const rng: Rng = seededRng(config.seed);
  const names = Array.from({ length: config.nodes }, (_, i) => `n${i}`);
  const protectedNames = names.slice(0, config.protectedNodes);
  const isProtected = new Set(protectedNames);
  const faultable = names.filter((name) => !isProtected.has(name));
  const maxStopped = Math.max(1, Math.floor(faultable.length * config.maxStoppedShare));

  // ---- what the driver knows
  const stopped = new Set<string>();
  /** Per node: [from, generation] in time order; the generation its own view reported. */
  const generations = new Map<string, Array<[number, number]>>();
  /** Per node: [from, to] spans in which the driver had it stopped. */
  const downtime = new Map<string, Array<[number, number]>>();
  const expected = new Map<string, Expectation>();
  const highestVersion = new Map<string, number>();
  const acked: AckedWrite[] = [];
  let writeSeq = 0;

  const actions: Record<Action | "keeper", number> = {
    write: 0,
    stop: 0,
    start: 0,
    restart: 0,
    evict: 0,
    deleteAlarm: 0,
    keeper: 0,
  };
  const writes = { acknowledged: 0, refused: 0, uncertain: 0, refusedBy: {} as Record<string, number> };
  const faults = { failed: 0, lastErrors: [] as string[] };
  const noteFault = (what: string, error: unknown) => {
    faults.failed++;
    faults.lastErrors.push(`${new Date().toISOString()} ${what}: ${String(error).slice(0, 200)}`);
    if (faults.lastErrors.length > 20) faults.lastErrors.shift();
  };

  const noteGeneration = (view: NodeView) => {
    const list = generations.get(view.node) ?? [];
    const last = list.at(-1);
    if (!last || last[1] !== view.generation) list.push([view.at, view.generation]);
    generations.set(view.node, list);
  };
  const markStopped = (node: string, at: number) => {
    stopped.add(node);
    const spans = downtime.get(node) ?? [];
    spans.push([at, Number.POSITIVE_INFINITY]);
    downtime.set(node, spans);
  };
  const markStarted = (node: string, at: number) => {
    stopped.delete(node);
    const last = downtime.get(node)?.at(-1);
    if (last && last[1] === Number.POSITIVE_INFINITY) last[1] = at;
  };

  // ---- event logs: one stream per node, followed the whole run
  const events: Array<{ observer: string; event: SequencedEvent }> = [];
  const eventStats = { read: 0, evictionsSkipped: 0, deaths: 0 };
  const seen = new Map<string, Set<number>>(names.map((name) => [name, new Set<number>()]));
  const followers = new Map<string, EventFollower>();
  const follow = (node: string) =>
    new EventFollower(client, node, (event) => {
      const mine = seen.get(node) as Set<number>;
      if (mine.has(event.seq)) return;
      mine.add(event.seq);
      events.push({ observer: node, event });
      eventStats.read++;
      if (event.type === "dead") eventStats.deaths++;
    });

  // ---- counters, summed per object lifetime (they restart on wake-up)
  const lastCounters = new Map<string, Tally>();
  const totals = new Map<string, Tally>(names.map((name) => [name, zeroTally()]));
  let counterResets = 0;
  const lastAt = new Map<string, number>();
  const sample = (view: NodeView) => {
    // Views taken concurrently (the driver's, the sampler's) may arrive out of order: an
    // older one would look like a counter reset.
    if (view.at < (lastAt.get(view.node) ?? 0)) return;
    lastAt.set(view.node, view.at);
    noteGeneration(view);
    const now = Object.fromEntries(COUNTED.map((key) => [key, view.counters[key]])) as Tally;
    const before = lastCounters.get(view.node);
    const total = totals.get(view.node) as Tally;
    const reset = !before || COUNTED.some((key) => now[key] < before[key]);
    if (reset && before) counterResets++;
    for (const key of COUNTED) total[key] += reset ? now[key] : now[key] - (before as Tally)[key];
    lastCounters.set(view.node, now);
  };
  const sampleAll = async () => {
    const views = await mapLimit(names, CONCURRENCY, async (node) => client.view(node).catch(() => null));
    for (const view of views) if (view) sample(view);
    return views;
  };

  // ---- the driver's actions
  const running = () => names.filter((name) => !stopped.has(name));
  const pick = (from: readonly string[]) => from[randomInt(rng, from.length)] as string;

  const write = async (node: string) => {
    actions.write++;
    const key = `k${randomInt(rng, config.keysPerNode)}`;
    const seq = ++writeSeq;
    const value = `${node}.${key}.${seq}`;
    const id = `${node}/${key}`;
    const expectation = expected.get(id) ?? { value: null, version: 0, maybe: [] };
    try {
      const { version } = await client.put(node, key, value);
      acked.push({ seq, node, key, value, version, at: Date.now() });
      expected.set(id, { value, version, maybe: [] });
      highestVersion.set(node, Math.max(highestVersion.get(node) ?? 0, version));
      writes.acknowledged++;
    } catch (error) {
      if (error instanceof ApiCallError && error.status >= 400 && error.status < 500) {
        writes.refused++;
        const code = /"code":"([a-z_]+)"/.exec(error.body)?.[1] ?? String(error.status);
        writes.refusedBy[code] = (writes.refusedBy[code] ?? 0) + 1;
      } else {
        // Timed out or failed on the way: it may or may not have been stored.
        writes.uncertain++;
        expectation.maybe.push(value);
        expected.set(id, expectation);
      }
    }
  };

  const stop = async (node: string) => {
    const view = await client.stop(node);
    markStopped(node, Date.now());
    sample(view);
  };
  const start = async (node: string) => {
    const view = await client.start(node);
    markStarted(node, Date.now());
    sample(view);
  };

  const step = async () => {
    let total = 0;
    for (const [, weight] of WEIGHTS) total += weight;
    let roll = rng() * total;
    let action: Action = "write";
    for (const [name, weight] of WEIGHTS) {
      roll -= weight;
      if (roll < 0) {
        action = name;
        break;
      }
    }
    const up = faultable.filter((name) => !stopped.has(name));
    const down = faultable.filter((name) => stopped.has(name));
    if (action === "stop" && down.length >= maxStopped) action = "write";
    if ((action === "stop" || action === "restart" || action === "deleteAlarm") && up.length === 0)
      action = "write";
    if (action === "start" && down.length === 0) action = "write";
    if (action === "evict" && faultable.length === 0) action = "write";

    if (action === "write") return write(pick(running()));
    actions[action]++;
    try {
      switch (action) {
        case "stop":
          return await stop(pick(up));
        case "start":
          return await start(pick(down));
        case "restart": {
          const node = pick(up);
          await stop(node);
          return await start(node);
        }
        case "evict": {
          // Evict any unprotected node, stopped ones too (a stopped object hibernates as well).
          const node = pick(faultable);
          // An eviction empties the log: never evict one whose new events could not be read.
          if (!followers.get(node)?.openFor(STREAM_OPEN_BEFORE_EVICT_MS)) {
            eventStats.evictionsSkipped++;
            actions.evict--;
            return;
          }
          // What the stream polled just now is on its way: one more poll period to receive it.
          await pace(STREAM_OPEN_BEFORE_EVICT_MS / 2);
          const view = await client.view(node).catch(() => null);
          if (view) sample(view);
          await client.evict(node);
          // Half the time, write to it at once: the write races the reset.
          if (!stopped.has(node) && rng() < 0.5) await write(node);
          return;
        }
        case "deleteAlarm":
          await client.deleteAlarm(pick(up));
          return;
      }
    } catch (error) {
      noteFault(action, error);
    }
  };

  // ---- 1. the mesh
  const startedAt = new Date().toISOString();
  log(`bootstrapping ${config.nodes} nodes (interval ${config.intervalMs} ms) ...`);
  await client.bootstrap(config.nodes, { intervalMs: config.intervalMs });
  await waitUntil("full membership", config.convergeTimeoutMs, 1_000, async () => {
    const views = await mapLimit(names, CONCURRENCY, (node) => client.view(node));
    return views.every((view) => names.every((name) => memberOf(view, name)?.status === "alive"));
  });
  for (const node of names) followers.set(node, follow(node));
  await sampleAll();

  // ---- 2. chaos
  log(
    `chaos for ${Math.round(config.durationMs / 1000)} s, seed ${config.seed}, protected ${protectedNames.join(",")}`,
  );
  const chaosStart = Date.now();
  const chaosEnd = chaosStart + config.durationMs;
  // Beside the driver: the keeper's cron ticks and counter samples (the event streams run on their own).
  const background = (async () => {
    let nextSample = chaosStart + config.sampleEveryMs;
    let nextKeeper = chaosStart + config.keeperEveryMs;
    let nextReport = chaosStart + 60_000;
    while (Date.now() < chaosEnd) {
      await pace(200);
      const now = Date.now();
      if (now >= nextKeeper) {
        nextKeeper = now + config.keeperEveryMs;
        actions.keeper++;
        await client.triggerScheduled().catch((error) => noteFault("keeper", error));
      }
      if (now >= nextSample) {
        await sampleAll();
        nextSample = Date.now() + config.sampleEveryMs;
      }
      if (now >= nextReport) {
        log(
          `  ${Math.round((now - chaosStart) / 1000)} s: ${writes.acknowledged} writes acknowledged, ` +
            `${actions.stop + actions.restart} stops, ${actions.evict} evictions, ${actions.deleteAlarm} alarms deleted, ` +
            `${stopped.size} stopped now, ${eventStats.read} events read`,
        );
        nextReport = now + 60_000;
      }
    }
  })();
  while (Date.now() < chaosEnd) {
    await step();
    await pace(config.stepMs);
  }
  await background;
  const chaosSeconds = (Date.now() - chaosStart) / 1000;

  // ---- 3. everyone back: start the stopped, fire the keeper for lost alarms, converge
  log(
    `chaos over after ${chaosSeconds.toFixed(0)} s; starting ${stopped.size} stopped nodes and firing the keeper`,
  );
  for (const node of [...stopped]) {
    try {
      await start(node);
    } catch (error) {
      noteFault("final start", error);
    }
  }
  const settleStart = Date.now();
  actions.keeper++;
  await client.triggerScheduled().catch((error) => noteFault("keeper", error));
  const atKeeper = new Map<string, number>();
  for (const view of await sampleAll()) if (view) atKeeper.set(view.node, view.counters.alarmsRun);

  let lastViews: NodeView[] = [];
  let nextFinalKeeper = Date.now() + config.keeperEveryMs;
  const converged = await waitUntil("convergence", config.convergeTimeoutMs, 2_000, async () => {
    // The keeper keeps ticking, as the cron does in production.
    if (Date.now() >= nextFinalKeeper) {
      actions.keeper++;
      await client.triggerScheduled().catch((error) => noteFault("keeper", error));
      nextFinalKeeper = Date.now() + config.keeperEveryMs;
    }
    const views = await mapLimit(names, CONCURRENCY, (node) => client.view(node));
    for (const view of views) sample(view);
    lastViews = views;
    return (
      membershipAgrees(views, names) && writeCheck(views).missing.length === 0 && idle(views).length === 0
    );
  }).catch(() => false);
  const convergeSeconds = converged ? (Date.now() - settleStart) / 1000 : null;
  // Every stream open (none lost unread: a node is evicted only while its stream is open),
  // then long enough to read the last polls, then closed.
  await waitUntil("every event stream open", 30_000, 250, async () =>
    names.every((node) => followers.get(node)?.openFor(STREAM_OPEN_BEFORE_EVICT_MS)),
  ).catch(() => false);
  const unreadLogs = names.filter((node) => !followers.get(node)?.openFor(STREAM_OPEN_BEFORE_EVICT_MS));
  await pace(STREAM_OPEN_BEFORE_EVICT_MS);
  const streamErrors: Record<string, number> = {};
  let connects = 0;
  for (const follower of followers.values()) {
    await follower.stop();
    connects += follower.connects;
    for (const [cause, count] of Object.entries(follower.errors))
      streamErrors[cause] = (streamErrors[cause] ?? 0) + count;
  }

  function idle(views: readonly NodeView[]): string[] {
    return views
      .filter((view) => view.counters.alarmsRun <= (atKeeper.get(view.node) ?? Number.POSITIVE_INFINITY))
      .map((view) => view.node);
  }

  function writeCheck(views: readonly NodeView[]) {
    const missing: Missing[] = [];
    const versionsBehind: string[] = [];
    for (const view of views) {
      for (const [id, expectation] of expected) {
        const [owner, key] = id.split("/") as [string, string];
        const actual = memberOf(view, owner)?.state[key] ?? null;
        const fine = actual === expectation.value || (actual !== null && expectation.maybe.includes(actual));
        if (!fine) missing.push({ observer: view.node, owner, key, expected: expectation.value, actual });
      }
      for (const [owner, version] of highestVersion) {
        const member = memberOf(view, owner);
        if (member && member.maxVersion < version)
          versionsBehind.push(`${view.node} sees ${owner} at max version ${member.maxVersion} < ${version}`);
      }
    }
    return { missing, versionsBehind };
  }

  // ---- 4. checks
  const final = writeCheck(lastViews);
  const deaths: Death[] = [];
  const unexplainedDeaths: Death[] = [];
  let suspicions = 0;
  for (const { observer, event } of events) {
    if (event.type === "suspect" && isProtected.has(event.node)) suspicions++;
    if (event.type !== "dead") continue;
    const death: Death = {
      observer,
      node: event.node,
      generation: event.generation,
      at: new Date(event.at).toISOString(),
      seq: event.seq,
    };
    if (isProtected.has(event.node)) deaths.push(death);
    else if (!explained(event)) unexplainedDeaths.push(death);
  }
  function explained(event: SequencedEvent): boolean {
    const spans = downtime.get(event.node) ?? [];
    if (spans.some(([from, to]) => event.at >= from && event.at <= to + config.intervalMs)) return true;
    // An older generation declared dead after a restart is the truth.
    const list = generations.get(event.node) ?? [];
    const current = list.filter(([from]) => from <= event.at).at(-1)?.[1];
    return current === undefined || event.generation < current;
  }

  const sum = zeroTally();
  let worst: SoakResult["rows"]["maxNodeRowsPerAlarm"] = null;
  for (const [node, tally] of totals) {
    for (const key of COUNTED) sum[key] += tally[key];
    if (tally.alarmsRun >= MIN_ALARMS_PER_NODE_FIGURE) {
      const ratio = gossipRows(tally) / tally.alarmsRun;
      if (!worst || ratio > worst.rowsPerAlarm)
        worst = { node, rowsPerAlarm: ratio, alarms: tally.alarmsRun };
    }
  }
  const rowsPerAlarm = sum.storageRowsWritten / Math.max(1, sum.alarmsRun);
  const gossipRowsPerAlarm = gossipRows(sum) / Math.max(1, sum.alarmsRun);
  const idleAtEnd = idle(lastViews);

  const checks: SoakResult["checks"] = {
    writesEverywhere: {
      ok: converged !== false && final.missing.length === 0 && final.versionsBehind.length === 0,
      expectedPairs: expected.size,
      missing: final.missing.slice(0, 50),
      versionsBehind: final.versionsBehind.slice(0, 50),
    },
    protectedNeverDead: {
      ok: deaths.length === 0 && unreadLogs.length === 0,
      deaths: deaths.slice(0, 50),
      suspicions,
      unreadLogs,
    },
    rowsBounded: { ok: sum.alarmsRun > 0 && gossipRowsPerAlarm <= config.rowsPerAlarmBound },
    allRunningRounds: { ok: idleAtEnd.length === 0, idle: idleAtEnd },
  };
  if (!membershipAgrees(lastViews, names)) checks.writesEverywhere.ok = false;
  return {
    config,
    startedAt,
    chaosSeconds,
    convergeSeconds,
    protectedNodes: protectedNames,
    actions,
    writes,
    faults,
    events: { ...eventStats, connects, streamErrors },
    rows: {
      alarms: sum.alarmsRun,
      rowsWritten: sum.storageRowsWritten,
      byReason: {
        alarm: sum.storageRowsAlarm,
        heartbeat: sum.storageRowsHeartbeat,
        ownKeys: sum.storageRowsOwnKeys,
        lifecycle: sum.storageRowsLifecycle,
        membership: sum.storageRowsMembership,
        peerKeys: sum.storageRowsPeerKeys,
      },
      rowsPerAlarm,
      gossipRowsPerAlarm,
      maxNodeRowsPerAlarm: worst,
      bound: config.rowsPerAlarmBound,
      counterResets,
    },
    checks,
    unexplainedDeaths: unexplainedDeaths.slice(0, 50),
    ok: Object.values(checks).every((check) => check.ok),
  };
}

/** Rows a round and peers' messages write: what the bound is about. */
function gossipRows(tally: Tally): number {
  return (
    tally.storageRowsAlarm +
    tally.storageRowsHeartbeat +
    tally.storageRowsMembership +
    tally.storageRowsPeerKeys
  );
}

function memberOf(view: NodeView, node: string) {
  return view.members.find((member) => member.node === node);
}

/** Every view lists every node alive, in the generation that node's own view reports. */
function membershipAgrees(views: readonly NodeView[], names: readonly string[]): boolean {
  const own = new Map(views.map((view) => [view.node, view.generation]));
  return (
    views.length === names.length &&
    views.every((view) =>
      names.every((name) => {
        const member = memberOf(view, name);
        return member?.status === "alive" && member.generation === own.get(name);
      }),
    )
  );
}

/** `waitFor` with the deadline first, as the phases above read. */
function waitUntil(what: string, timeoutMs: number, everyMs: number, check: () => Promise<boolean>) {
  return waitFor(what, check, timeoutMs, everyMs);
}
