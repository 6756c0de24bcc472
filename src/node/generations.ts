/**
 * Where a node's runtime comes from:
 * - restore: read back from storage after a wake-up (eviction, hibernation). A wake-up is not
 *   a restart: same generation, and the heartbeat resumes from its clock-derived floor (see
 *   heartbeat-floor.ts), so peers never see it as one.
 * - a new generation (configure, start): fresh membership from the seeds, the node's own live
 *   keys re-announced under the new generation (a crash must not lose acknowledged writes)
 *   with versions that continue above every version given out before, and the graves kept so
 *   forgotten members stay forgotten.
 */
import { ALIVE, type GossiperSnapshot, graveTuple, LEFT, REGION_KEY } from "../core/index.js";
import { resumedAgent } from "./agent-saves.js";
import { heartbeatFloor } from "./heartbeat-floor.js";
import { type Inheritance, NodeRuntime, type RuntimeDeps } from "./node-runtime.js";
import type { NodeStore } from "./node-store.js";
import { restoreOthers } from "./saved-others.js";
import { type NodeSettings, resolveSettings } from "./start-request.js";

const NOTHING: Inheritance = { keys: [], maxVersion: 0, graves: [], retired: null };

/**
 * The runtime saved in `store`, or null when this object was never configured. `alarmAt` is
 * the pending alarm, if any: the last wake began at least one interval before it.
 */
export function restoreRuntime(
  store: NodeStore,
  deps: RuntimeDeps,
  alarmAt: number | null,
): NodeRuntime | null {
  const record = store.loadNode();
  if (!record) return null;
  const keys = store.loadOwnKeys();
  // The region is stored with the own keys (under its reserved key), as the node gossips it.
  const region = keys.find(([key, value]) => key === REGION_KEY && value !== null)?.[1] ?? undefined;
  const settings = resolveSettings({
    cluster: record.cluster,
    node: record.node,
    seeds: record.seeds,
    config: record.configInput,
    options: record.optionsInput,
    region,
  });
  const now = Date.now();
  // gcVersion also holds the versions given out by earlier generations (see newGeneration).
  let maxVersion = record.gcVersion;
  for (const [, , version] of keys) maxVersion = Math.max(maxVersion, version);
  // The floor one interval before the next wake: at or above every heartbeat it emitted, and
  // one below the floor of that wake, which therefore costs no row (see heartbeat-floor.ts).
  const interval = settings.config.intervalMs;
  // The pending alarm was armed at least an interval after the last wake began (up to
  // roundsPerWake intervals plus jitter when quiet); with no alarm (this wake-up is its
  // delivery, or the node is stopped) that wake is taken as an interval ago.
  const lastRoundAt = (alarmAt ?? now) - interval;
  const floor = heartbeatFloor(lastRoundAt, record.startedAt, interval);
  const snapshot: GossiperSnapshot = {
    cluster: record.cluster,
    self: {
      name: record.node,
      generation: record.generation,
      // A saved leave is final for the generation; the incarnation is relearned from peers.
      status: record.selfStatus === "left" ? LEFT : ALIVE,
      heartbeat: Math.max(record.heartbeat, floor),
      maxVersion,
      gcVersion: record.gcVersion,
      keys,
    },
    ...restoreOthers(store),
    selfStatus: record.selfStatus,
    // Phi resumes from when each agent may last have beaten, not from its last save.
    hosted: store.loadHosted().map((agent) => resumedAgent(agent, now)),
    eager: store.loadEager(),
  };
  const runtime = new NodeRuntime(settings, record, snapshot, deps, null);
  runtime.restored(now);
  return runtime;
}

/**
 * Starts a new generation with these settings, taking over what `previous` leaves (if any),
 * and stores it: the node row, the own keys with their new versions, the graves.
 */
export function newGeneration(
  settings: NodeSettings,
  previous: NodeRuntime | null,
  deps: RuntimeDeps,
): NodeRuntime {
  const { store } = deps;
  const now = Date.now();
  const generation = Math.max(now, (previous?.record.generation ?? 0) + 1);
  const inherited = previous?.bequeath() ?? NOTHING;
  // Versions continue above every version given out before. Versions up to there are
  // recorded as collected (gcVersion): nothing of the new generation lies at or below it.
  const base = inherited.maxVersion;
  // The region given, else the one the node had: it rides with the own keys, stored with them.
  const region = settings.region ?? inherited.region;
  const own: Array<[string, string]> =
    region === undefined ? inherited.keys : [...inherited.keys, [REGION_KEY, region]];
  const keys = own.map(([key, value], i): [string, string, number] => [key, value, base + i + 1]);
  const placed: NodeSettings = region === undefined ? settings : { ...settings, region };
  const record = {
    cluster: settings.cluster,
    node: settings.node,
    seeds: settings.seeds,
    configInput: settings.configInput,
    optionsInput: settings.optionsInput,
    generation,
    startedAt: now,
    heartbeat: 0,
    selfStatus: "joining" as const,
    running: true,
    gcVersion: base,
    // Every configure and start registers the node in its cluster's registry first.
    listed: true,
  };
  const snapshot: GossiperSnapshot = {
    cluster: settings.cluster,
    self: {
      name: settings.node,
      generation,
      heartbeat: 0,
      maxVersion: base + keys.length,
      gcVersion: base,
      keys,
    },
    others: [],
    members: [],
    graveyard: inherited.graves.map((grave) => graveTuple(grave.name, grave)),
    selfStatus: record.selfStatus,
  };
  // One synchronous batch (no await): stored atomically, before anyone hears of it.
  store.saveNode(record);
  store.replaceOwnKeys(keys);
  store.clearOthers();
  store.clearHosted();
  store.clearEager();
  if (inherited.graves.length > 0) store.saveMembership([], inherited.graves);
  return new NodeRuntime(placed, record, snapshot, deps, inherited.retired);
}
