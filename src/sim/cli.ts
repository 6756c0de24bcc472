/**
 * `npm run sim`: runs a simulator scenario with the real protocol core on a virtual clock and
 * network, prints its configuration and figures, and optionally writes them as JSON. Bad
 * options get a one-line error on stderr and exit code 2.
 */
import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { getHeapStatistics } from "node:v8";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { DETECTORS, resolveConfig } from "../core/index.js";
import {
  CLASSIC_FANOUT,
  COLD_SEEDS,
  DEFAULTS,
  DETECTOR_CHOICES,
  INTERESTS,
  LIFETIME_LOSS,
  largestSize,
  MODES,
  OptionError,
  resolveSimOptions,
  SCENARIOS,
  type SimOptions,
  STOPS,
  STRATEGIES,
  SYNC_TABLE_TRIALS,
} from "./options.js";
import { finishSimulation, runSimulation, runTrial, type SimResult } from "./run.js";
import type { Figures, Trial } from "./scenarios/common.js";
import { formatComparison, formatConfig, formatResult, jsonReport } from "./sim-report.js";

const HELP = `Usage: npm run sim -- [options]

Runs the hearsay protocol core (or a classic epidemic) on a virtual clock and a lossy network.

Scenarios (--scenario, default ${DEFAULTS.scenario}):
  spread       one write on a converged cluster; rounds until every live node has it
  detect       crash one node; rounds until every live node marks it suspect, then dead
  join         a new node joins from the seeds; rounds until all see it alive and it sees all
  cold         N nodes start at once from --seeds [${COLD_SEEDS}]; rounds until every node holds every node
               alive (the last node; p50/p99/max over nodes too)
  partition    split in two halves, write on both sides, heal; rounds to reconverge after the heal
  steady       quiescent gossip for --duration; traffic and false suspicions per node-hour
  scaling      a quiet converged cluster at each of --sizes: bytes, messages and core CPU per
               node-round, and memory per member
  owners       who owns a key (weighted rendezvous hashing) on views the protocol built: agreement
               of two nodes, keys moved by a crash and by a join (against 1.1/N), shares against
               weights at N=10, and the cost of one lookup at N=1000
  lifetime     --days of virtual time with a seeded fault schedule (crashes and restarts, hangs and
               partitions past the dead grace, agents coming and going, steady writes, ${LIFETIME_LOSS * 100}% loss);
               its invariants beside their goals
  rumor-table  Demers et al.'s rumor-mongering table (feedback/blind x counter/coin x k=1..5);
               at --nodes 1000 each figure is set beside the paper's (Tables 1 and 2)

Options (default in brackets):
  --scenario NAME        ${SCENARIOS.join("|")} [${DEFAULTS.scenario}]
  --strategy NAME        ${STRATEGIES.join("|")} [${DEFAULTS.strategy}]; classic ones only in spread
  --nodes N              cluster size [${DEFAULTS.nodes}]
  --sizes LIST           scaling: cluster sizes measured in turn [${DEFAULTS.sizes}]
  --trials T             independent trials [${DEFAULTS.trials}]
  --seed S               master seed; same seed, same figures [${DEFAULTS.seed}]
  --loss P               per-message loss probability, 0..0.99 [${DEFAULTS.loss}]
  --fanout K             peers per round [${resolveConfig().fanout} for hearsay, ${CLASSIC_FANOUT} for classic strategies]
  --mode M               ${MODES.join("|")} [push for rumor, push-pull otherwise]
  --detector D           ${DETECTOR_CHOICES.join("|")}: hearsay's failure detector; both = each, side by side [swim]
  --interest I           rumor: ${INTERESTS.join("|")} [${DEFAULTS.interest}]
  --stop S               rumor: ${STOPS.join("|")} [${DEFAULTS.stop}]
  --k K                  rumor: counter limit or 1/k coin [${DEFAULTS.k}]
  --sync                 classic strategies in synchronous cycles, as Demers et al. [asynchronous];
                         with it rumor-table runs ${SYNC_TABLE_TRIALS} trials per row unless --trials is given
  --interval MS          round interval [${DEFAULTS.intervalMs}]
  --jitter F             extra random delay per round, fraction of the interval [${DEFAULTS.jitter}]
  --latency SPEC         fixed:MS | uniform:MIN:MAX | lognormal:MEAN[:SIGMA] [${DEFAULTS.latency}]
  --churn SPEC           none | crash=R,restart=R,join=R,leave=R per virtual minute [${DEFAULTS.churn}]
  --max-rounds R         give up on a trial after R rounds [${DEFAULTS.maxRounds}]
  --partition-rounds R   partition: rounds the halves stay apart [${DEFAULTS.partitionRounds}]
  --duration S           steady: virtual seconds simulated [${DEFAULTS.durationS}]
  --days D               lifetime: virtual days simulated [${DEFAULTS.days}]
  --warmup R             rounds before the measured event [spread 1, join 2, partition 2, detect 10, steady 10, owners 10]
  --start MODE           converged|seeds: how the cluster starts [${DEFAULTS.start}]
  --seeds N              number of seed nodes [${DEFAULTS.seeds}; cold ${COLD_SEEDS}]
  --regions R            regions r0..r{R-1}, nodes placed round-robin; reports crossRegionShare [1: none]
  --cross-latency MS     extra one-way latency of a message between two regions [0]
  --region-blind         nodes are not told their region: uniform choice, the baseline for --regions
  --core LIST            other core tunables, name=value,... e.g. acceptablePauseMs=500,phiThreshold=10 [defaults]
  --exact-sizes          count bytes with JSON.stringify instead of the estimate (slow)
  --workers W            threads running trials in parallel; figures do not depend on it [min(2, cores)]
  --json FILE            also write {"config", "figures"} as JSON to FILE
  --help                 show this help
`;

const OPTIONS = {
  scenario: { type: "string" },
  strategy: { type: "string" },
  nodes: { type: "string" },
  sizes: { type: "string" },
  trials: { type: "string" },
  seed: { type: "string" },
  loss: { type: "string" },
  fanout: { type: "string" },
  mode: { type: "string" },
  detector: { type: "string" },
  interest: { type: "string" },
  stop: { type: "string" },
  k: { type: "string" },
  sync: { type: "boolean" },
  interval: { type: "string" },
  jitter: { type: "string" },
  latency: { type: "string" },
  churn: { type: "string" },
  "max-rounds": { type: "string" },
  "partition-rounds": { type: "string" },
  duration: { type: "string" },
  days: { type: "string" },
  warmup: { type: "string" },
  start: { type: "string" },
  seeds: { type: "string" },
  "exact-sizes": { type: "boolean" },
  regions: { type: "string" },
  "cross-latency": { type: "string" },
  "region-blind": { type: "boolean" },
  core: { type: "string" },
  json: { type: "string" },
  workers: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function numberOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value))
    throw new OptionError(`--${name}: not a number: "${raw}"`);
  return value;
}

export interface CliRun {
  options: SimOptions;
  workers: number;
}

export function parseCli(argv: string[]): CliRun | "help" {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new OptionError((error as Error).message.split("\n")[0] as string);
  }
  if (values.help) return "help";
  const workers = numberOption("workers", values.workers) ?? Math.min(2, availableParallelism());
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new OptionError(`--workers: must be an integer between 1 and 64, got "${values.workers}"`);
  }
  const options = resolveSimOptions({
    scenario: values.scenario as SimOptions["scenario"] | undefined,
    strategy: values.strategy as SimOptions["strategy"] | undefined,
    nodes: numberOption("nodes", values.nodes),
    sizes: values.sizes,
    trials: numberOption("trials", values.trials),
    seed: numberOption("seed", values.seed),
    loss: numberOption("loss", values.loss),
    fanout: numberOption("fanout", values.fanout),
    mode: values.mode as SimOptions["mode"] | undefined,
    detector: values.detector as SimOptions["detector"] | undefined,
    interest: values.interest as SimOptions["interest"] | undefined,
    stop: values.stop as SimOptions["stop"] | undefined,
    k: numberOption("k", values.k),
    sync: values.sync,
    intervalMs: numberOption("interval", values.interval),
    jitter: numberOption("jitter", values.jitter),
    latency: values.latency,
    churn: values.churn,
    maxRounds: numberOption("max-rounds", values["max-rounds"]),
    partitionRounds: numberOption("partition-rounds", values["partition-rounds"]),
    durationS: numberOption("duration", values.duration),
    days: numberOption("days", values.days),
    warmupRounds: numberOption("warmup", values.warmup),
    start: values.start as SimOptions["start"] | undefined,
    seeds: numberOption("seeds", values.seeds),
    regions: numberOption("regions", values.regions),
    crossLatencyMs: numberOption("cross-latency", values["cross-latency"]),
    regionBlind: values["region-blind"],
    core: values.core,
    exactSizes: values["exact-sizes"],
    json: values.json,
  });
  checkMemory(options);
  return { options, workers };
}

/**
 * Memory each simulated hearsay node needs per member it holds, on the V8 heap (mostly the
 * table's names) and in total (the table's columns, peer sets and probe orders are typed
 * arrays outside the heap); `detect` and `scaling` measure the total (heapBytesPerMember):
 * ~78 B at N=1000, ~26 B of it on the heap.
 */
const HEAP_BYTES_PER_MEMBER = 35;
const BYTES_PER_MEMBER = 85;

/**
 * Every simulated hearsay node holds the whole membership, so a cluster needs ~N^2 member
 * records. Refuse up front, with the numbers, rather than run out of memory minutes later.
 */
function checkMemory(options: SimOptions): void {
  if (options.strategy !== "hearsay" || options.scenario === "rumor-table") return;
  const members = largestSize(options) ** 2;
  const needed = members * HEAP_BYTES_PER_MEMBER;
  const limit = getHeapStatistics().heap_size_limit;
  if (needed > limit) {
    const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GB`;
    throw new OptionError(
      `--nodes ${largestSize(options)}: a hearsay cluster this size needs about ${gb(needed)} of heap (N^2 members of ${HEAP_BYTES_PER_MEMBER} B; ${gb(members * BYTES_PER_MEMBER)} in all with the member tables), this process may use ${gb(limit)}; raise it with NODE_OPTIONS=--max-old-space-size=MB or use a classic --strategy`,
    );
  }
}

/** Runs the trials on `workers` threads (each trial is independent and seeded by its index). */
async function runParallel(
  run: CliRun,
  argv: string[],
  progress?: (done: number, total: number) => void,
): Promise<SimResult> {
  const { options } = run;
  const count = Math.min(run.workers, options.trials);
  if (count <= 1 || options.scenario === "rumor-table" || options.scenario === "scaling")
    return runSimulation(options, progress);
  const trials: Trial[] = new Array(options.trials);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { argv } });
          const feed = () => {
            if (next >= options.trials) {
              void worker.terminate();
              resolve();
            } else worker.postMessage(next++);
          };
          worker.on("message", ({ index, trial }: { index: number; trial: Trial }) => {
            trials[index] = trial;
            progress?.(++done, options.trials);
            feed();
          });
          worker.on("error", reject);
          feed();
        }),
    ),
  );
  return finishSimulation(options, trials);
}

/** Worker thread: runs the trials it is sent with the same options as the main thread. */
function workerMain(): void {
  const run = parseCli((workerData as { argv: string[] }).argv);
  if (run === "help") return;
  parentPort?.on("message", async (index: number) => {
    parentPort?.postMessage({ index, trial: await runTrial(run.options, index) });
  });
}

/** `--detector both`: the same trials (same seeds) under each detector, printed side by side. */
async function compareDetectors(
  run: CliRun,
  argv: string[],
  progress: ((done: number, total: number) => void) | undefined,
  started: number,
): Promise<void> {
  const byDetector: Record<string, Figures> = {};
  let first: SimResult | null = null;
  for (const detector of DETECTORS) {
    const only = [...withoutFlag(argv, "--detector"), "--detector", detector];
    const single = parseCli(only) as CliRun;
    const result = await runParallel(single, only, progress);
    if (progress) process.stderr.write("\r\x1b[K");
    byDetector[detector] = result.figures;
    first ??= result;
  }
  process.stdout.write(formatComparison(byDetector));
  process.stdout.write(`wall time ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  const { options } = run;
  if (options.json && first) {
    const report = JSON.parse(jsonReport(options, first, { workers: run.workers }));
    report.figures = { ...report.figures, byDetector };
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  }
}

function withoutFlag(argv: string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === flag) i++;
    else if (!arg.startsWith(`${flag}=`)) out.push(arg);
  }
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let run: CliRun | "help";
  try {
    run = parseCli(argv);
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    process.stderr.write(`sim: ${error.message} (see --help)\n`);
    process.exit(2);
  }
  if (run === "help") {
    process.stdout.write(HELP);
    return;
  }
  const { options } = run;
  process.stdout.write(formatConfig(options, { workers: run.workers }));
  const started = performance.now();
  const progress = process.stderr.isTTY
    ? (done: number, total: number) => process.stderr.write(`\rtrial ${done}/${total}`)
    : undefined;
  if (options.detector === "both" && options.strategy === "hearsay" && options.scenario !== "rumor-table") {
    await compareDetectors(run, argv, progress, started);
    return;
  }
  const result = await runParallel(run, argv, progress);
  if (progress) process.stderr.write("\r\x1b[K");
  // The goal for a lifetime run includes its wall time: kept with its figures.
  if (options.scenario === "lifetime") result.figures.wallSeconds = (performance.now() - started) / 1000;
  process.stdout.write(formatResult(options, result));
  process.stdout.write(`wall time ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  if (options.json) writeFileSync(options.json, jsonReport(options, result, { workers: run.workers }));
}

if (isMainThread) await main();
else workerMain();
