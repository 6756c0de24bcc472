/**
 * `npm run bench`: the real hearsay mesh (GossipNode Durable Objects in a local `wrangler dev`)
 * next to a real SWIM cluster (npm `swim` over UDP), all on 127.0.0.1, within a hard deadline.
 * Prints the configuration and markdown tables, and writes bench/results/<YYYY-MM-DD>.json.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism, platform } from "node:os";
import { join } from "node:path";
import type { Detector } from "../src/core/index.js";
import { EVENT_LOG_CAPACITY } from "../src/node/limits.js";
import { startWranglerDev, type WranglerDev } from "../tools/wrangler-dev.js";
import { type BenchConfig, parseBenchArgs, USAGE } from "./args.js";
import {
  asRunTable,
  type BenchResult,
  BenchResultSchema,
  type CostFigures,
  computeRatios,
  costTable,
  detectorTable,
  figuresTable,
  fullMembershipLine,
  goalLine,
  resultFileName,
  tradeoffTable,
} from "./bench-result.js";
import { coldCell } from "./cold-goal.js";
import {
  costAsRun,
  costTable as costIntervals,
  type PerRoundUsage,
  type PerSecondUsage,
} from "./cost-model.js";
import { type LatencySample, type LoadFigures, runViewAndMembersLoad, sampleLatency } from "./load.js";
import { HearsayClient } from "./mesh/api-client.js";
import { cpuSeconds, findWorkerdPids } from "./mesh/process-cpu.js";
import { type MeshFigures, runMesh, stopNodes } from "./mesh/run-mesh.js";
import { type FailureTimeline, timelineLine } from "./mesh/trial-timeline.js";
import { runSwim, type SwimOutcome, swimPhases } from "./swim/run-swim.js";
import {
  steadyRoundsFor,
  TRADEOFF_VARIANTS,
  type TradeoffRow,
  type TradeoffVariant,
  tradeoffRow,
} from "./tradeoff.js";
import { TRADEOFF_TRIALS, type Victims } from "./trials.js";
import { trialsTable } from "./trials-table.js";

const LATENCY_SAMPLES = 50;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Per-phase time limit: generous for the interval and the mesh size (a cold start of 128 nodes
 * on two loaded cores took over a minute), never past the run's deadline.
 */
function phaseTimeout(config: BenchConfig, deadline: number): number {
  const base = Math.max(60_000, 60 * config.intervalMs, 2 * config.nodes * config.intervalMs);
  return Math.max(1_000, Math.min(base, deadline - Date.now() - 5_000));
}

/**
 * Active (billed-duration) seconds per round. Preferred: the workerd CPU measured over the
 * steady window; fallback: the unloaded latency of one Worker->DO call.
 */
function costFigures(mesh: MeshFigures, latency: LatencySample, config: BenchConfig): CostFigures {
  const s = mesh.steady;
  const callsMade = s.peerCallsReceivedPerNodePerRound; // mesh-wide, calls made = calls received
  const assumptions: string[] = [];
  let activeSeconds: number;
  if (s.cpuSecondsPerNodePerRound !== null) {
    const cpuMs = s.cpuSecondsPerNodePerRound * 1000;
    activeSeconds = 2 * s.cpuSecondsPerNodePerRound + (callsMade * config.rpcWaitMs) / 1000;
    assumptions.push(
      `active duration per round = 2 x ${cpuMs.toFixed(2)} ms measured workerd CPU per node-round (the object's own work, plus a caller waiting while its peer works) + ${callsMade.toFixed(2)} calls made x ${config.rpcWaitMs} ms assumed network wait per RPC between deployed objects (--rpc-wait-ms) = ${(activeSeconds * 1000).toFixed(1)} ms`,
    );
  } else {
    activeSeconds = (s.alarmsPerNodePerRound + 2 * callsMade) * (latency.p50Ms / 1000);
    assumptions.push(
      `active duration per round = (alarms + calls received + calls made) x ${latency.p50Ms.toFixed(1)} ms, the unloaded p50 of one Worker->DO call here (workerd CPU could not be read; an upper bound locally)`,
    );
  }
  const perRound: PerRoundUsage = {
    requests: s.requestsPerNodePerRound,
    rowsWritten: s.rowsWrittenPerNodePerRound,
    activeSeconds,
  };
  assumptions.push(
    "per-round requests and rows are those measured at the bench interval; other intervals scale by rounds per 30-day month (nominal interval, jitter ignored: slightly high)",
    "objects are idle and hibernatable between rounds (no WebSockets, no timers), so idle time is not billed; 128 MB per object",
    "storage (a few KB per node) and rows read are negligible; the $5 Workers Paid subscription is not included",
    `marginal ignores the monthly allowances (1 M requests, 50 M rows written, 400,000 GB-s); the mesh column subtracts them once for a ${config.costMeshNodes}-node mesh alone on the account`,
  );
  return {
    perRound,
    asRun: asRunFigures(mesh),
    assumptions,
    intervals: costIntervals(perRound, config.costMeshNodes),
  };
}

/**
 * The configuration as run, priced from the nodes' own counters over the steady window:
 * requests are alarms plus gossip calls received from peers; duration is the nodes' own
 * count of time in handlers (across I/O) plus the workerd CPU between it, when readable.
 */
function asRunFigures(mesh: MeshFigures): CostFigures["asRun"] {
  const rates = mesh.steady.perNodeSecond;
  if (!rates) return undefined;
  const cpu = mesh.steady.cpuSecondsPerNodePerSecond ?? 0;
  const perSecond: PerSecondUsage = {
    rounds: rates.rounds,
    requests: rates.alarms + rates.peerCallsAnswered,
    rowsWritten: rates.rowsWritten,
    activeSeconds: rates.activeMs / 1000 + cpu,
  };
  return {
    ...costAsRun(perSecond),
    perSecond,
    assumptions: [
      `per node-second over the steady window: ${rates.wakes.toFixed(3)} wakes (alarms ${rates.alarms.toFixed(3)}) for ${rates.rounds.toFixed(3)} rounds, ${rates.peerCallsAnswered.toFixed(3)} gossip calls received, ${rates.rowsWritten.toFixed(3)} rows written, ${rates.activeMs.toFixed(2)} ms in handlers + ${(cpu * 1000).toFixed(2)} ms workerd CPU`,
      `the bench's own API reads at the window's ends (${rates.clientCallsAnswered.toFixed(3)} calls per node-second) are left out: they are the user's, not the mesh's`,
    ],
  };
}

async function measureMesh(config: BenchConfig, deadline: number, failures: string[]) {
  let dev: WranglerDev | undefined;
  let mesh: MeshFigures | null = null;
  let meshPhi: MeshFigures | null = null;
  let latency: LatencySample | null = null;
  let load: LoadFigures | null = null;
  let tradeoff: TradeoffRow[] | undefined;
  try {
    console.log("starting wrangler dev on 127.0.0.1 ...");
    dev = await startWranglerDev({ startTimeoutMs: Math.min(90_000, deadline - Date.now()) });
    const client = new HearsayClient(dev.url, dev.token);
    const port = Number(new URL(dev.url).port);
    // Looked up on every reading: a reload of the Worker replaces the workerd process.
    const readCpu = async () => {
      const pids = await findWorkerdPids(port);
      return pids.length === 0 ? undefined : { processes: pids.join(","), seconds: await cpuSeconds(pids) };
    };
    const cluster = `bench-${Date.now()}`;
    const meshConfig = (name: string, detector: Detector, variant?: TradeoffVariant, trials?: number) => ({
      cluster: name,
      nodes: config.nodes,
      intervalMs: variant?.intervalMs ?? config.intervalMs,
      detector,
      core: variant?.core ?? config.core,
      steadyRounds: variant ? steadyRoundsFor(variant.core) : config.steadyRounds,
      phaseTimeoutMs: phaseTimeout(config, deadline),
      pollEveryMs: Math.min(250, Math.max(50, config.intervalMs / 5)),
      cpuSeconds: readCpu,
      ...(trials === undefined
        ? {}
        : {
            trials,
            seed: config.seed,
            onTrial: (i: number, v: Victims) =>
              console.log(`  ${name} trial ${i + 1}/${trials}: stop ${v.stopped}, hang ${v.hung}`),
            onFullMembership: (full: Parameters<typeof coldCell>[2] & { bootstrapCallMs: number }) => {
              const cell = coldCell(config.nodes, config.intervalMs, full);
              console.log(
                `  cold start (every page at once, ${full.bootstrapCallMs} ms to start them): ${cell}`,
              );
            },
            onTrialLogged: (_: number, timelines: readonly FailureTimeline[], late: number | null) => {
              for (const t of timelines) console.log(`    ${timelineLine(t)}`);
              if (late !== null) console.log(`    alarms ran ${late.toFixed(0)} ms late on average`);
            },
          }),
    });
    console.log(
      `mesh: ${config.nodes} nodes, interval ${config.intervalMs} ms, detector swim, cluster ${cluster}`,
    );
    // The first mesh keeps running for the API load; it is stopped before the second one.
    mesh = await runMesh(client, {
      ...meshConfig(cluster, "swim", undefined, config.trials),
      stopAtEnd: false,
    });
    for (const error of mesh.trials?.errors ?? []) failures.push(`mesh detection ${error}`);
    if (!mesh.steady.valid) {
      failures.push(
        `mesh steady window: nodes restarted inside it in ${mesh.steady.attempts} attempts (${mesh.steady.resetNodes.length} nodes; did the dev server reload the Worker?)`,
      );
    }
    const headers = { authorization: `Bearer ${dev.token}` };
    const url = client.nodeUrl(cluster, "n0");
    try {
      latency = await sampleLatency(url, headers, LATENCY_SAMPLES);
      if (!config.skipLoad) {
        console.log(`load: autocannon ${config.connections} connections for ${config.loadSeconds} s ...`);
        const membersEtag = await client.membersEtag(cluster);
        const targets = {
          viewUrl: url,
          membersUrl: client.membersUrl(cluster),
          membersEtag,
          healthUrl: client.healthUrl(),
        };
        const cpu = async () => (await readCpu())?.seconds;
        load = await runViewAndMembersLoad(targets, headers, config.loadSeconds, config.connections, cpu);
      }
    } catch (error) {
      failures.push(`load: ${message(error)}`);
    }
    // Stopped for what is measured after it on this machine; with nothing after it, the dev
    // server's exit ends every node at once (stopping 128 one by one took a minute on two cores).
    if (config.tradeoff || !config.skipPhi) await stopNodes(client, cluster, config.nodes);
    if (config.tradeoff && mesh) {
      tradeoff = [tradeoffRow("hearsay's defaults", config.intervalMs, config.core, mesh, null)];
      for (const [i, variant] of TRADEOFF_VARIANTS.entries()) {
        const name = `${cluster}-t${i}`;
        console.log(`mesh: trade-off variant "${variant.label}", cluster ${name}`);
        try {
          const trials = TRADEOFF_TRIALS;
          const figures = await runMesh(client, meshConfig(name, "swim", variant, trials));
          const asRun = figures.steady.valid ? asRunFigures(figures) : undefined;
          const interval = variant.intervalMs ?? config.intervalMs;
          tradeoff.push(tradeoffRow(variant.label, interval, variant.core, figures, asRun?.marginal ?? null));
        } catch (error) {
          failures.push(`trade-off variant "${variant.label}": ${message(error)}`);
        }
      }
    }
    if (!config.skipPhi) {
      console.log(`mesh: the same under detector phi, cluster ${cluster}-phi`);
      try {
        meshPhi = await runMesh(client, meshConfig(`${cluster}-phi`, "phi"));
      } catch (error) {
        failures.push(`mesh (phi): ${message(error)}`);
      }
    }
  } catch (error) {
    failures.push(`mesh: ${message(error)}`);
  } finally {
    await dev?.stop();
  }
  return { mesh, meshPhi, latency, load, tradeoff };
}

async function main(): Promise<number> {
  let parsed: BenchConfig | "help";
  try {
    parsed = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${message(error)}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === "help") {
    console.log(USAGE);
    return 0;
  }
  const config = parsed;
  const startedAt = Date.now();
  const deadline = startedAt + config.deadlineSeconds * 1000;
  // Past the deadline nothing is waited for: exiting kills wrangler and the SWIM child.
  const hardStop = setTimeout(() => {
    console.error(`bench: hard deadline of ${config.deadlineSeconds} s reached, stopping everything`);
    process.exit(3);
  }, config.deadlineSeconds * 1000);

  const now = new Date();
  const machine = {
    cpus: availableParallelism(),
    platform: `${platform()}-${process.arch}`,
    node: process.version,
  };
  console.log("# hearsay bench\n");
  console.log(
    `config: nodes=${config.nodes} interval=${config.intervalMs}ms steady=${config.steadyRounds} rounds ` +
      `rpc-wait=${config.rpcWaitMs}ms load=${config.skipLoad ? "skipped" : `${config.loadSeconds}s x ${config.connections} conns`} ` +
      `swim=${config.skipSwim ? "skipped" : "on"} deadline=${config.deadlineSeconds}s ` +
      `machine=${machine.cpus} cpus ${machine.platform} node ${machine.node}\n`,
  );

  const failures: string[] = [];
  const { mesh, meshPhi, latency, load, tradeoff } = config.skipMesh
    ? { mesh: null, meshPhi: null, latency: null, load: null, tradeoff: undefined }
    : await measureMesh(config, deadline, failures);

  let swim: SwimOutcome | null = null;
  if (!config.skipSwim) {
    console.log(`swim: ${config.nodes} members, protocol period ${config.intervalMs} ms ...`);
    swim = await runSwim({
      nodes: config.nodes,
      intervalMs: config.intervalMs,
      steadyMs: config.steadyRounds * config.intervalMs,
      trials: config.trials,
      seed: config.seed,
      phaseTimeoutMs: Math.min(
        phaseTimeout(config, deadline),
        Math.max(5_000, (deadline - Date.now()) / swimPhases(config.trials)),
      ),
    });
    if (swim.status === "unavailable") console.log(`swim peer unavailable: ${swim.reason}`);
    if (swim.status === "failed") failures.push(`swim: ${swim.reason}`);
    if (swim.status === "ok")
      for (const error of swim.figures.trialErrors ?? []) failures.push(`swim ${error}`);
  }

  const cost = mesh?.steady.valid && latency ? costFigures(mesh, latency, config) : null;
  const result: BenchResult = {
    config: { ...config, date: now.toISOString().slice(0, 10), machine },
    figures: {
      mesh,
      meshPhi,
      latency,
      load,
      swim,
      cost,
      ...(tradeoff ? { tradeoff } : {}),
      ratios: computeRatios(mesh, swim),
      failures,
      runSeconds: (Date.now() - startedAt) / 1000,
    },
  };

  console.log(`\n## Figures\n\n${figuresTable(result)}\n`);
  const trials = trialsTable(result);
  if (trials) console.log(`## Detection over ${config.trials} trials (p50 / p90, trials)\n\n${trials}\n`);
  const detectors = detectorTable(result);
  if (detectors) console.log(`## hearsay's two detectors, same run\n\n${detectors}\n`);
  if (swim?.status === "ok") {
    const t = swim.figures.timeouts;
    console.log(
      `swim timeouts (its defaults scaled to the period): ping ${t.pingTimeout} ms, ping-req ${t.pingReqTimeout} ms, suspect ${t.suspectTimeout} ms\n`,
    );
  }
  if (cost) {
    console.log(`## Cost per node-month (list prices)\n\n${costTable(cost)}\n`);
    for (const assumption of cost.assumptions) console.log(`- ${assumption}`);
    console.log("");
    if (cost.asRun) {
      console.log(`## Cost as run (this configuration, marginal)\n\n${asRunTable(cost.asRun)}\n`);
      for (const assumption of cost.asRun.assumptions) console.log(`- ${assumption}`);
      console.log("");
    }
  }
  if (tradeoff && cost?.asRun) {
    // The default configuration's row is the main mesh, priced as run.
    (tradeoff[0] as TradeoffRow).marginal = cost.asRun.marginal;
  }
  if (tradeoff) console.log(`## Detection against cost (trade-off)\n\n${tradeoffTable(tradeoff)}\n`);
  const goal = goalLine(result);
  if (goal) console.log(`${goal}\n`);
  for (const measured of [mesh, meshPhi]) {
    const line = measured ? fullMembershipLine(measured, EVENT_LOG_CAPACITY) : "";
    if (line) console.log(line);
  }
  if (mesh && mesh.falseSuspicions > 0)
    console.log(`false suspicions: ${mesh.falseSuspicionPairs.join(", ")}`);
  for (const failure of failures) console.log(`FAILED ${failure}`);

  BenchResultSchema.parse(result);
  await mkdir(config.outDir, { recursive: true });
  const file = join(config.outDir, resultFileName(now));
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${file} (run took ${result.figures.runSeconds.toFixed(1)} s)`);
  clearTimeout(hardStop);
  return failures.length > 0 ? 1 : 0;
}

// Ctrl-C or a kill: exit through process.exit so the exit hooks stop wrangler and the SWIM child.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal}, stopping everything`);
    process.exit(130);
  });
}

process.exitCode = await main();
