/**
 * `lifetime`: a converged cluster lives --days virtual days under a seeded fault schedule, one
 * fault at a time in turn: a crash and a restart, a hang and a resume (same generation), a
 * partition of a tenth of the nodes and its heal, each lasting longer than the dead grace.
 * Throughout, writes come at a steady rate, agents register, heartbeat and leave, and messages
 * are lost (1% unless --loss). Its invariants are reported as figures, each beside its goal
 * (LIFETIME_GOALS): how long a node is shunned after its fault ended, false deaths, how long
 * the mesh takes to quiet after the last change, what a write costs, acknowledged writes lost,
 * memory per member at the end over the start, and how often two random nodes name the same
 * owners of a key (ownersAgreement, sampled after each fault is taken back and at the end).
 */
import { sample } from "../../core/index.js";
import type { SimCluster, SimNode } from "../cluster.js";
import { heldBytes } from "../heap.js";
import type { SimOptions } from "../options.js";
import { buildCluster, type Figures, type Trial, Window } from "./common.js";
import { agreementOf, keysFor, twoOf } from "./owners.js";
import { pushMessages } from "./spread.js";

/** Each invariant's goal: at most this (heapGrowth is a ratio, the rest rounds or counts). */
export const LIFETIME_GOALS: Readonly<Record<string, number>> = {
  shunnedMaxRounds: 30,
  falseDeaths: 0,
  quietReturnMaxRounds: 64,
  pushMessagesPerWritePerNode: 1.5,
  keysLost: 0,
  heapGrowth: 1.2,
};

/** Goals that are floors: at least this. */
export const LIFETIME_FLOORS: Readonly<Record<string, number>> = { ownersAgreement: 1 };

/** Keys each owners-agreement sample looks up (two views, so twice as many lookups). */
const AGREEMENT_KEYS = 1_000;

/** The schedule's pace: a write, an agent's heartbeat and its stay, and how long a wait may last. */
const WRITE_EVERY_MS = 30_000;
const AGENT_INTERVAL_MS = 10_000;
const AGENT_STAY_MS = 2 * 3600_000;
/** Agents present at once: one per this many nodes (at least one). */
const NODES_PER_AGENT = 50;
/** Longest wait, in rounds, for a healed fault to be taken back or the mesh to quiet. */
const WAIT_CAP_ROUNDS = 600;
/** A fault lasts the dead grace plus this much (it must outlast it). */
const FAULT_MARGIN_MS = 120_000;
/** Writes and agents run this long before memory is first measured (at most a tenth of the run). */
const WARM_MS = 3600_000;
/** Share of the nodes cut off by a partition. */
const PARTITION_SHARE = 0.1;

const FAULTS = ["crash", "hang", "partition"] as const;

export async function lifetimeTrial(options: SimOptions, seed: number): Promise<Trial> {
  const cluster = buildCluster(options, seed);
  const { config } = cluster;
  const interval = config.intervalMs;
  const endAt = options.days * 86_400_000;
  await cluster.runRounds(2);
  const window = new Window(cluster);
  const pushedBefore = pushMessages(cluster);
  const writtenBefore = cluster.total("keysWritten");
  const faulted = new Set<string>();
  const acked = new Map<string, { generation: number; version: number }>();
  let lastChange = cluster.now;
  let writing = true;

  // Writes at a steady rate, by a node not in a fault. The first after a fault ended is
  // measured on its own: it travels a tree still repairing.
  let writes = 0;
  let faultEnded = false;
  let repairingFrom: number | null = null;
  const repairing: number[] = [];
  const writeOn = (writer: SimNode) => {
    const version = cluster.write(writer.name, "k", `w${writes++}`);
    acked.set(writer.name, { generation: writer.gossiper.generation, version });
    lastChange = cluster.now;
  };
  const write = () => {
    if (!writing) return;
    if (repairingFrom !== null) repairing.push(pushMessages(cluster) - repairingFrom);
    repairingFrom = faultEnded ? pushMessages(cluster) : null;
    faultEnded = false;
    const candidates = cluster.live().filter((n) => !faulted.has(n.name));
    if (candidates.length > 0) {
      const writer = cluster.pick(candidates);
      writeOn(writer);
    }
    cluster.clock.after(WRITE_EVERY_MS, write);
  };
  cluster.clock.after(WRITE_EVERY_MS * cluster.random(), write);

  // Agents: each stays a while at a home (moving when its home is down), then leaves; another
  // with a new name takes its place.
  const agents = Math.max(1, Math.floor(options.nodes / NODES_PER_AGENT));
  let agentSerial = 0;
  const runAgent = () => {
    const name = `agent-${agentSerial++}`;
    const leaveAt = cluster.now + AGENT_STAY_MS * (0.5 + cluster.random());
    let home: SimNode | undefined;
    const beat = () => {
      if (!home?.up || faulted.has(home.name)) {
        const candidates = cluster.live().filter((n) => !faulted.has(n.name));
        if (candidates.length === 0) return;
        home = cluster.pick(candidates);
      }
      if (!writing || cluster.now >= leaveAt) {
        cluster.leaveAgent(home.name, name);
        lastChange = cluster.now;
        if (writing) runAgent();
        return;
      }
      cluster.heartbeatAgent(home.name, name, AGENT_INTERVAL_MS, { load: String(agentSerial % 7) });
      cluster.clock.after(AGENT_INTERVAL_MS, beat);
    };
    cluster.clock.after(AGENT_INTERVAL_MS * cluster.random(), beat);
  };
  for (let i = 0; i < agents; i++) runAgent();

  // Memory is first measured once writes and agents have run a while and every node has written
  // its key (in the first half of the warm-up, in a random order): what fills with use up to its
  // bound (news queues, the tree's records) or holds the mesh's data (a key per member) is not
  // growth.
  const warmMs = Math.min(WARM_MS, endAt / 10);
  const nodes = [...cluster.nodes.values()];
  const order = sample(() => cluster.random(), nodes, nodes.length);
  order.forEach((node, i) => {
    cluster.clock.after(((i + cluster.random()) * warmMs) / 2 / order.length, () => {
      if (node.up) writeOn(node);
    });
  });
  await cluster.clock.advanceFor(cluster.now + warmMs);
  const startBytes = memberBytes(cluster);

  // Faults, one at a time, each past the dead grace; then wait for the mesh to take it back.
  const faultMs = config.deadGraceMs + FAULT_MARGIN_MS;
  const agreementKeys = keysFor(seed, AGREEMENT_KEYS);
  const agreements: number[] = [];
  const sampleAgreement = () => {
    if (cluster.live().length < 2) return;
    const [a, b] = twoOf(cluster);
    agreements.push(agreementOf(a.gossiper.view(), b.gossiper.view(), agreementKeys));
  };
  const shunned: number[] = [];
  let unresolved = 0;
  for (let i = 0; cluster.now + faultMs + WAIT_CAP_ROUNDS * interval < endAt; i++) {
    const kind = FAULTS[i % FAULTS.length] as (typeof FAULTS)[number];
    const affected = startFault(cluster, kind);
    for (const name of affected) faulted.add(name);
    await cluster.clock.advanceFor(cluster.now + faultMs);
    endFault(cluster, kind, affected);
    faultEnded = true;
    const endedAt = cluster.now;
    lastChange = endedAt;
    let rounds = 0;
    while (rounds < WAIT_CAP_ROUNDS && anyShunned(cluster, affected)) {
      await cluster.runRounds(1);
      rounds++;
    }
    for (const name of affected) faulted.delete(name);
    sampleAgreement();
    if (rounds >= WAIT_CAP_ROUNDS) unresolved++;
    shunned.push((cluster.now - endedAt) / interval);
  }
  await cluster.clock.advanceFor(Math.max(cluster.now, endAt - WAIT_CAP_ROUNDS * interval));

  // The end: writes stop and agents leave; every node should return to its longest wake.
  writing = false;
  const stoppedAt = cluster.now;
  await cluster.clock.advanceFor(stoppedAt + 2 * AGENT_INTERVAL_MS);
  let quietRounds: number | null = null;
  for (let r = 0; r < WAIT_CAP_ROUNDS; r++) {
    if (cluster.live().every((n) => n.gossiper.wakeRounds() >= config.roundsPerWake)) {
      quietRounds = (cluster.now - lastChange) / interval;
      break;
    }
    await cluster.runRounds(1);
  }
  sampleAgreement();
  const traffic = window.close();
  const writesMade = cluster.total("keysWritten") - writtenBefore;
  const perWrite = writesMade > 0 ? (pushMessages(cluster) - pushedBefore) / writesMade : 0;
  return {
    rounds: null,
    values: {
      shunnedMaxRounds: shunned.length > 0 ? Math.max(...shunned) : 0,
      shunnedUnresolved: unresolved,
      faults: shunned.length,
      falseDeaths: traffic.falseDeaths,
      falseSuspicions: traffic.falseSuspicions,
      quietReturnMaxRounds: quietRounds ?? (cluster.now - lastChange) / interval,
      quietUnresolved: quietRounds === null ? 1 : 0,
      pushMessagesPerWrite: perWrite,
      pushMessagesPerWritePerNode: perWrite / options.nodes,
      pushMessagesFirstWriteAfterFault:
        repairing.length > 0 ? repairing.reduce((a, b) => a + b, 0) / repairing.length : 0,
      writes: writesMade,
      keysLost: lostWrites(cluster, acked),
      heapGrowth: memberBytes(cluster) / startBytes,
      messagesPerNodeRound: traffic.messagesPerNodeRound,
      ownersAgreement: agreements.reduce((a, b) => a + b, 0) / Math.max(1, agreements.length),
      ownersAgreementMin: agreements.length > 0 ? Math.min(...agreements) : 1,
    },
  };
}

/** Starts a fault; returns the nodes it affects. */
function startFault(cluster: SimCluster, kind: (typeof FAULTS)[number]): string[] {
  const live = cluster.live();
  if (kind === "partition") {
    const count = Math.max(1, Math.floor(live.length * PARTITION_SHARE));
    const cut = new Set<string>();
    while (cut.size < count) cut.add(cluster.pick(live).name);
    cluster.net.split([[...cut]]);
    return [...cut];
  }
  const victim = cluster.pick(live).name;
  cluster.crash(victim);
  return [victim];
}

function endFault(cluster: SimCluster, kind: (typeof FAULTS)[number], affected: string[]): void {
  if (kind === "partition") cluster.net.heal();
  else for (const name of affected) kind === "crash" ? cluster.restart(name) : cluster.resume(name);
}

/**
 * Whether some pair of running nodes, one of them affected, has one not seeing the other alive.
 * It stops at the first such pair: during a partition's wait it is asked every round, of a tenth
 * of the nodes against all of them.
 */
function anyShunned(cluster: SimCluster, affected: readonly string[]): boolean {
  const live = cluster.live();
  for (const name of affected) {
    const subject = cluster.node(name);
    if (!subject.up) continue;
    for (const observer of live) {
      if (observer === subject) continue;
      if (observer.gossiper.statusOf(name) !== "alive") return true;
      if (subject.gossiper.statusOf(observer.name) !== "alive") return true;
    }
  }
  return false;
}

/** Acknowledged writes (the last of each writer still in that generation) some running node lacks. */
function lostWrites(
  cluster: SimCluster,
  acked: Map<string, { generation: number; version: number }>,
): number {
  let lost = 0;
  for (const [writer, { generation, version }] of acked) {
    const node = cluster.node(writer);
    if (!node.up || node.gossiper.generation !== generation) continue;
    const missing = cluster.live().some((observer) => {
      if (observer === node) return false;
      const known = observer.gossiper.stateOf(writer);
      return !known || known.generation !== generation || known.maxVersion < version;
    });
    if (missing) lost++;
  }
  return lost;
}

/** Bytes held per member each node knows. */
function memberBytes(cluster: SimCluster): number {
  let members = 0;
  for (const node of cluster.live()) members += node.gossiper.memberNames().length;
  return heldBytes() / Math.max(1, members);
}

/** The figures with each goal beside it, and ok or MISS. */
export function formatLifetime(figures: Figures): string {
  const names = Object.keys(figures);
  const width = Math.max(...names.map((n) => n.length)) + 2;
  const lines = names.map((name) => {
    const value = figures[name] as number;
    const goal = LIFETIME_GOALS[name];
    const floor = LIFETIME_FLOORS[name];
    const shown = Number.isInteger(value) ? String(value) : value.toPrecision(4);
    if (floor !== undefined)
      return `  ${name.padEnd(width)}${shown.padEnd(12)}goal >= ${floor}  ${value >= floor ? "ok" : "MISS"}`;
    if (goal === undefined) return `  ${name.padEnd(width)}${shown}`;
    return `  ${name.padEnd(width)}${shown.padEnd(12)}goal <= ${goal}  ${value <= goal ? "ok" : "MISS"}`;
  });
  return `figures\n${lines.join("\n")}\n`;
}
