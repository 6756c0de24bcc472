/**
 * Child-process entry that runs a cluster of npm `swim` members on 127.0.0.1 and measures it:
 * full membership from a cold start, bytes per member per second in a steady window, detection
 * of a silently killed member, and a late join. Reports one SwimChildMessage over IPC and exits.
 * The parent (run-swim.ts) holds a hard deadline and kills this process if it overruns.
 */
import { createSocket } from "node:dgram";
import { sample, seededRng } from "../../src/core/index.js";
import { pollUntil } from "../../tools/poll.js";
import { loadSwim, type SwimInstance, type SwimModule, SwimState } from "./load-swim.js";
import type { SwimChildMessage, SwimFigures, SwimKill, SwimRunConfig, SwimTimeouts } from "./swim-types.js";

interface Member {
  host: string;
  swim: SwimInstance;
  bytesSent: number;
  datagramsSent: number;
  alive: boolean;
}

function send(message: SwimChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      console.log(JSON.stringify(message));
      resolve();
      return;
    }
    process.send(message, () => resolve());
  });
}

/** Distinct free UDP ports on 127.0.0.1 (held open together so they differ). */
async function freeUdpPorts(count: number): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createSocket>>((resolve, reject) => {
          const socket = createSocket("udp4");
          socket.once("error", reject);
          socket.bind({ port: 0, address: "127.0.0.1" }, () => resolve(socket));
        }),
    ),
  );
  const ports = sockets.map((socket) => socket.address().port);
  await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  return ports;
}

/** swim's defaults are for a 20 ms period (ping 4, ping-req 12, suspect 10): scale them. */
export function scaledTimeouts(intervalMs: number): SwimTimeouts {
  const scale = intervalMs / 20;
  return {
    interval: intervalMs,
    pingTimeout: Math.max(1, Math.round(4 * scale)),
    pingReqTimeout: Math.max(1, Math.round(12 * scale)),
    suspectTimeout: Math.max(1, Math.round(10 * scale)),
    joinTimeout: Math.max(300, 5 * intervalMs),
  };
}

class SwimCluster {
  readonly members: Member[] = [];
  /** observer -> live hosts it has seen suspect or faulty. */
  readonly suspicions = new Map<string, Set<string>>();
  readonly killed = new Set<string>();

  constructor(
    private readonly Swim: SwimModule,
    private readonly timeouts: SwimTimeouts,
  ) {}

  /** Creates a member bound to 127.0.0.1 only, counting what it sends. */
  create(port: number): Member {
    const host = `127.0.0.1:${port}`;
    const swim = new this.Swim({ local: { host }, codec: "msgpack", ...this.timeouts });
    const member: Member = { host, swim, bytesSent: 0, datagramsSent: 0, alive: true };
    // swim binds to every interface by default: keep the bench on loopback.
    const socket = swim.net.udpSocket;
    const bind = socket.bind.bind(socket);
    socket.bind = (...args: unknown[]) => {
      const callback = args.find((arg) => typeof arg === "function");
      return bind({ port, address: "127.0.0.1", exclusive: true }, callback);
    };
    // Count bytes at swim's net layer: every datagram goes through sendBuffer.
    const sendBuffer = swim.net.sendBuffer.bind(swim.net);
    swim.net.sendBuffer = (buffer: Buffer, to: string) => {
      member.bytesSent += buffer.length;
      member.datagramsSent += 1;
      sendBuffer(buffer, to);
    };
    swim.on("update", (data) => {
      if (data.host === host || this.killed.has(data.host) || data.state === SwimState.Alive) return;
      const seen = this.suspicions.get(host) ?? new Set<string>();
      seen.add(data.host);
      this.suspicions.set(host, seen);
    });
    swim.on("error", () => {
      // Join timeouts surface here; the phase deadlines report them.
    });
    this.members.push(member);
    return member;
  }

  start(member: Member, seeds: string[]): Promise<void> {
    return new Promise((resolve) => member.swim.bootstrap(seeds, () => resolve()));
  }

  live(): Member[] {
    return this.members.filter((member) => member.alive);
  }

  /** Stops a member without a goodbye: its socket closes, it answers nothing. */
  kill(member: Member): void {
    member.alive = false;
    this.killed.add(member.host);
    member.swim.leave();
  }

  stopAll(): void {
    for (const member of this.live()) {
      member.alive = false;
      try {
        member.swim.leave();
      } catch {
        // Already closed.
      }
    }
  }

  /** True when every live member lists every other live member (alive or suspect). */
  converged(): boolean {
    const live = this.live();
    return live.every((member) => {
      const known = member.swim.membership.hostToMember;
      return live.every((other) => other === member || known[other.host] !== undefined);
    });
  }

  stateOf(observer: Member, host: string): number | undefined {
    if (observer.swim.membership.hostToFaulty[host]) return SwimState.Faulty;
    return observer.swim.membership.hostToMember[host]?.state;
  }

  falseSuspicions(): number {
    let count = 0;
    for (const [observer, hosts] of this.suspicions) {
      if (this.killed.has(observer)) continue;
      for (const host of hosts) if (!this.killed.has(host)) count++;
    }
    return count;
  }
}

type Poll = (what: string, test: () => boolean) => Promise<{ at: number }>;

/** Kills `victim` silently; waits until every live member gives up on it (non-alive, then faulty). */
async function killAndWatch(cluster: SwimCluster, victim: Member, poll: Poll): Promise<SwimKill> {
  const killedAt = Date.now();
  cluster.kill(victim);
  const stateEverywhere = (ok: (state: number | undefined) => boolean) => () =>
    cluster.live().every((observer) => ok(cluster.stateOf(observer, victim.host)));
  const nonAlive = await poll(
    `swim: killed member ${victim.host} non-alive everywhere`,
    stateEverywhere((state) => state !== SwimState.Alive),
  );
  const faulty = await poll(
    `swim: killed member ${victim.host} faulty everywhere`,
    stateEverywhere((state) => state === SwimState.Faulty || state === undefined),
  );
  return {
    victim: victim.host,
    detectNonAliveMs: nonAlive.at - killedAt,
    detectFaultyMs: faulty.at - killedAt,
  };
}

/**
 * Kills after the first, each on a whole cluster: a seeded choice among the live members but
 * the seed, and then a fresh member (on `ports`) joins through the seed until all converge.
 */
async function moreKills(
  cluster: SwimCluster,
  seed: Member,
  ports: number[],
  config: SwimRunConfig,
  poll: Poll,
): Promise<{ kills: SwimKill[]; errors: string[] }> {
  const rng = seededRng(config.seed ?? 1);
  const kills: SwimKill[] = [];
  const errors: string[] = [];
  for (const port of ports) {
    const candidates = cluster.live().filter((member) => member !== seed);
    const victim = sample(rng, candidates, 1)[0] as Member;
    try {
      kills.push(await killAndWatch(cluster, victim, poll));
      await cluster.start(cluster.create(port), [seed.host]);
      await poll(`swim: whole again after ${victim.host} was killed`, () => cluster.converged());
    } catch (error) {
      errors.push(`kill of ${victim.host}: ${error instanceof Error ? error.message : String(error)}`);
      break;
    }
  }
  return { kills, errors };
}

async function run(config: SwimRunConfig, Swim: SwimModule): Promise<SwimFigures> {
  const timeouts = scaledTimeouts(config.intervalMs);
  const cluster = new SwimCluster(Swim, timeouts);
  const everyMs = Math.max(5, Math.min(50, config.intervalMs / 20));
  const poll: Poll = (what, test) =>
    pollUntil(async () => (test() ? true : undefined), { what, timeoutMs: config.phaseTimeoutMs, everyMs });
  const extraKills = Math.max(0, (config.trials ?? 1) - 1);
  try {
    const ports = await freeUdpPorts(config.nodes + 1 + extraKills);
    const spare = ports.splice(config.nodes + 1);
    const [seedPort, ...rest] = ports as [number, ...number[]];
    const joinerPort = rest.pop() as number;

    // 1. Cold start: the seed, then everyone else at once.
    const startedAt = Date.now();
    const seed = cluster.create(seedPort);
    await cluster.start(seed, []);
    await Promise.all(rest.map((port) => cluster.start(cluster.create(port), [seed.host])));
    const full = await poll("swim full membership", () => cluster.converged());
    const fullMembershipMs = full.at - startedAt;

    // 2. Steady window: bytes and datagrams per member per second.
    const before = cluster.members.map((m) => ({ bytes: m.bytesSent, datagrams: m.datagramsSent }));
    const windowStart = Date.now();
    await new Promise((resolve) => setTimeout(resolve, config.steadyMs));
    const steadyWindowMs = Date.now() - windowStart;
    let bytes = 0;
    let datagrams = 0;
    cluster.members.forEach((member, i) => {
      bytes += member.bytesSent - (before[i]?.bytes ?? 0);
      datagrams += member.datagramsSent - (before[i]?.datagrams ?? 0);
    });
    const perNodeSecond = 1000 / (cluster.members.length * steadyWindowMs);

    // 3. Kill one member silently; wait until every live member gives up on it.
    const first = await killAndWatch(cluster, cluster.members[cluster.members.length - 1] as Member, poll);

    // 4. A new member joins the converged cluster through the seed.
    const joinedAt = Date.now();
    const joiner = cluster.create(joinerPort);
    await cluster.start(joiner, [seed.host]);
    const joined = await poll("swim: join seen by all", () => cluster.converged());

    // 5. The other trials, if asked.
    const more = await moreKills(cluster, seed, spare, config, poll);

    return {
      timeouts,
      fullMembershipMs,
      detectNonAliveMs: first.detectNonAliveMs,
      detectFaultyMs: first.detectFaultyMs,
      joinSeenByAllMs: joined.at - joinedAt,
      bytesSentPerNodePerSecond: bytes * perNodeSecond,
      datagramsPerNodePerSecond: datagrams * perNodeSecond,
      falseSuspicions: cluster.falseSuspicions(),
      steadyWindowMs,
      ...(config.trials === undefined ? {} : { trials: [first, ...more.kills], trialErrors: more.errors }),
    };
  } finally {
    cluster.stopAll();
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as SwimRunConfig;
  const loaded = loadSwim();
  if (!loaded.ok) {
    await send({ type: "unavailable", reason: loaded.reason });
    return;
  }
  try {
    await send({ type: "result", figures: await run(config, loaded.Swim) });
  } catch (error) {
    await send({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
}

await main();
process.exit(0);
