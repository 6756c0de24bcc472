/**
 * Command-line flags of `npm run bench` and the configuration they resolve to.
 */
import { parseArgs } from "node:util";
import { resolveConfig } from "../src/core/index.js";
import { TRADEOFF_VARIANTS } from "./tradeoff.js";
import { DEFAULT_TRIALS, TRADEOFF_TRIALS } from "./trials.js";

export interface BenchConfig {
  nodes: number;
  intervalMs: number;
  /** Steady window for the counters, in rounds. */
  steadyRounds: number;
  /** autocannon duration, seconds. */
  loadSeconds: number;
  connections: number;
  /** Mesh size used for the "incl. allowance" cost column. */
  costMeshNodes: number;
  /** Assumed network wait per outgoing RPC between deployed objects, ms (cost model only). */
  rpcWaitMs: number;
  skipMesh: boolean;
  skipLoad: boolean;
  skipSwim: boolean;
  /** No second mesh under the phi detector (it runs after the swim-detector mesh). */
  skipPhi: boolean;
  quick: boolean;
  /** Hard limit on the whole run, seconds: past it everything is killed. */
  deadlineSeconds: number;
  /** Where the result JSON goes. */
  outDir: string;
  /** Gossip tunables given to the mesh's bootstrap besides the interval and detector. */
  core: Record<string, number>;
  /** Also run the trade-off variants (bench/tradeoff.ts) after the main mesh. */
  tradeoff: boolean;
  /** Detection trials on the main mesh and on swim (each stops one node and hangs another). */
  trials: number;
  /** Seed of the trials' choice of victims. */
  seed: number;
}

/** Seconds the default deadline allows per detection trial, on top of the single-trial run. */
const SECONDS_PER_TRIAL = 120;

export const USAGE = `Usage: npm run bench -- [options]

  --nodes <n>          nodes in the mesh and SWIM members (default 32; quick 8)
  --interval <ms>      gossip interval = SWIM protocol period (default 1000; quick 250)
  --steady-rounds <n>  rounds in the steady counter window (default 4 wakes, at least 20;
                       quick 10)
  --duration <s>       API load duration (default 10; quick 3)
  --connections <n>    API load connections (default 10)
  --cost-mesh <n>      mesh size for the cost column that includes allowances (default 100)
  --rpc-wait-ms <ms>   assumed network wait per RPC between deployed objects, for the
                       duration estimate of the cost model (default 5)
  --core <list>        other gossip tunables for the mesh, name=value,... e.g.
                       roundsPerWake=1,probesPerRound=2 (default: hearsay's defaults)
  --tradeoff           after the main mesh, run the trade-off variants (detection against
                       $ as run; bench/tradeoff.ts); raises the default deadline
  --trials <n>         detection trials on the mesh and on swim: each stops one node and
                       hangs another, victims drawn with --seed (default ${DEFAULT_TRIALS}; quick 2);
                       each trade-off row runs ${TRADEOFF_TRIALS}
  --seed <n>           seed of the victims' choice (default 1)
  --skip-mesh          do not start the Worker (no mesh, no load)
  --skip-load          no API load
  --skip-swim          no SWIM peer
  --skip-phi           no second mesh under detector "phi" (measured after the swim one)
  --quick              small, fast settings (explicit flags still win)
  --deadline <s>       hard limit on the whole run (default 600, 1800 with --tradeoff, plus
                       ${SECONDS_PER_TRIAL} for each trial past the first, of the mesh and of each row)
  --out <dir>          result directory (default bench/results)
  --help               this text
`;

function positive(name: string, raw: string | undefined, fallback: number, integer = true): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be a positive ${integer ? "integer" : "number"}, got ${raw}`);
  }
  return value;
}

/** `name=value,...` into numbers; names and ranges are checked by the bootstrap itself. */
function parseCore(raw: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (raw === undefined || raw === "") return out;
  for (const pair of raw.split(",")) {
    const [name, value, extra] = pair.split("=");
    const number = Number(value);
    if (!name || value === undefined || extra !== undefined || !Number.isFinite(number)) {
      throw new Error(`--core takes name=value pairs with numeric values, got ${pair}`);
    }
    out[name] = number;
  }
  return out;
}

/** The default deadline of one trial of everything (every run before trials had this one). */
export function baseDeadlineSeconds(tradeoff: boolean): number {
  return tradeoff ? 1800 : 600;
}

/**
 * The default deadline: one trial of everything, plus SECONDS_PER_TRIAL for each further trial
 * of the main mesh and of each trade-off row.
 */
function defaultDeadline(config: BenchConfig): number {
  const rowTrials = TRADEOFF_TRIALS;
  const rows = config.tradeoff ? TRADEOFF_VARIANTS.length : 0;
  const extra = config.trials - 1 + rows * (rowTrials - 1);
  return baseDeadlineSeconds(config.tradeoff) + SECONDS_PER_TRIAL * extra;
}

/** Parses argv (without node and script). Throws with a clear message on bad input. */
export function parseBenchArgs(argv: readonly string[]): BenchConfig | "help" {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      nodes: { type: "string" },
      interval: { type: "string" },
      "steady-rounds": { type: "string" },
      duration: { type: "string" },
      connections: { type: "string" },
      "cost-mesh": { type: "string" },
      "rpc-wait-ms": { type: "string" },
      core: { type: "string" },
      tradeoff: { type: "boolean", default: false },
      "skip-mesh": { type: "boolean", default: false },
      "skip-load": { type: "boolean", default: false },
      "skip-swim": { type: "boolean", default: false },
      "skip-phi": { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      deadline: { type: "string" },
      trials: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return "help";
  const core = parseCore(values.core);
  const quick = values.quick;
  const config: BenchConfig = {
    nodes: positive("nodes", values.nodes, quick ? 8 : 32),
    intervalMs: positive("interval", values.interval, quick ? 250 : 1000),
    // A window of several quiet wakes, so their alarms are counted fairly.
    steadyRounds: positive(
      "steady-rounds",
      values["steady-rounds"],
      quick ? 10 : Math.max(20, 4 * resolveConfig(core).roundsPerWake),
    ),
    loadSeconds: positive("duration", values.duration, quick ? 3 : 10),
    connections: positive("connections", values.connections, 10),
    costMeshNodes: positive("cost-mesh", values["cost-mesh"], 100),
    rpcWaitMs: values["rpc-wait-ms"] === "0" ? 0 : positive("rpc-wait-ms", values["rpc-wait-ms"], 5, false),
    skipMesh: values["skip-mesh"],
    skipLoad: values["skip-load"] || values["skip-mesh"],
    skipSwim: values["skip-swim"],
    skipPhi: values["skip-phi"] || values["skip-mesh"],
    quick,
    deadlineSeconds: 0,
    outDir: values.out ?? "bench/results",
    core,
    tradeoff: values.tradeoff && !values["skip-mesh"],
    trials: positive("trials", values.trials, quick ? 2 : DEFAULT_TRIALS),
    seed: values.seed === "0" ? 0 : positive("seed", values.seed, 1),
  };
  config.deadlineSeconds = positive("deadline", values.deadline, defaultDeadline(config));
  if (config.nodes < 4) throw new Error("--nodes must be at least 4 (two seeds, two victims a trial)");
  if (config.intervalMs < 10) throw new Error("--interval must be at least 10 ms (hearsay's minimum)");
  return config;
}
