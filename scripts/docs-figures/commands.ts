/**
 * The command lines that wrote a result file, for the docs' source lines: `npm run bench` and
 * `npm run sim` with the flags that differ from their defaults, read back from the result's
 * own config.
 */
import { type BenchConfig, baseDeadlineSeconds, parseBenchArgs } from "../../bench/args.js";
import type { BenchResult } from "../../bench/bench-result.js";
import { DEFAULTS as SIM_DEFAULTS } from "../../src/sim/options.js";
import type { SimReport } from "./render.js";

const BENCH_FLAGS: Array<[keyof BenchConfig, string]> = [
  ["nodes", "--nodes"],
  ["intervalMs", "--interval"],
  ["steadyRounds", "--steady-rounds"],
  ["loadSeconds", "--duration"],
  ["connections", "--connections"],
  ["costMeshNodes", "--cost-mesh"],
  ["rpcWaitMs", "--rpc-wait-ms"],
  ["deadlineSeconds", "--deadline"],
  ["trials", "--trials"],
  ["seed", "--seed"],
];

/** The `npm run bench` command line that produced a result: its flags that differ from defaults. */
export function benchCommand(config: BenchResult["config"]): string {
  const tradeoff = (config as { tradeoff?: boolean }).tradeoff === true;
  const core = Object.entries((config as { core?: Record<string, number> }).core ?? {});
  const base = [...(config.quick ? ["--quick"] : []), ...(tradeoff ? ["--tradeoff"] : [])];
  if (core.length > 0) base.push("--core", core.map(([name, value]) => `${name}=${value}`).join(","));
  const defaults = parseBenchArgs(base);
  if (defaults === "help") throw new Error("unreachable");
  const args: string[] = [...base];
  for (const [key, flag] of BENCH_FLAGS) {
    // A key absent from an older result is left out (it ran before the flag existed), and such
    // a run's deadline is held to the default of its day.
    const fallback =
      key === "deadlineSeconds" && config.trials === undefined
        ? baseDeadlineSeconds(tradeoff)
        : defaults[key];
    if (config[key] !== undefined && config[key] !== fallback) args.push(flag, String(config[key]));
  }
  if (config.skipMesh) args.push("--skip-mesh");
  else {
    if (config.skipLoad) args.push("--skip-load");
    if ((config as { skipPhi?: boolean }).skipPhi) args.push("--skip-phi");
  }
  if (config.skipSwim) args.push("--skip-swim");
  return args.length ? `npm run bench -- ${args.join(" ")}` : "npm run bench";
}

/** Simulator options in the report's `config` (`configRecord`), their flags and `DEFAULTS` keys. */
const SIM_FLAGS: Array<[string, string, keyof typeof SIM_DEFAULTS]> = [
  ["strategy", "--strategy", "strategy"],
  ["detector", "--detector", "detector"],
  ["loss", "--loss", "loss"],
  ["fanout", "--fanout", "fanout"],
  ["mode", "--mode", "mode"],
  ["interest", "--interest", "interest"],
  ["stop", "--stop", "stop"],
  ["k", "--k", "k"],
  ["interval", "--interval", "intervalMs"],
  ["jitter", "--jitter", "jitter"],
  ["latency", "--latency", "latency"],
  ["maxRounds", "--max-rounds", "maxRounds"],
  ["partitionRounds", "--partition-rounds", "partitionRounds"],
  ["duration", "--duration", "durationS"],
  ["days", "--days", "days"],
  ["warmup", "--warmup", "warmupRounds"],
  ["start", "--start", "start"],
  ["seeds", "--seeds", "seeds"],
  ["seed", "--seed", "seed"],
  ["sizes", "--sizes", "sizes"],
];

function simDefault(key: keyof typeof SIM_DEFAULTS, config: Record<string, unknown>): unknown {
  const classic = config.strategy !== "hearsay" || config.scenario === "rumor-table";
  // null defaults are resolved per strategy, as resolveSimOptions does.
  if (key === "fanout") return SIM_DEFAULTS.fanout ?? (classic ? 1 : 2);
  if (key === "mode") {
    return (
      SIM_DEFAULTS.mode ??
      (config.strategy === "rumor" || config.scenario === "rumor-table" ? "push" : "push-pull")
    );
  }
  return SIM_DEFAULTS[key];
}

/** The `npm run sim` command line that wrote a report (options that differ from defaults). */
export function simCommand(report: SimReport, path: string): string {
  const c = report.config;
  // `scaling` builds one cluster per --sizes entry and runs no trials: --nodes and --trials
  // mean nothing to it.
  const args =
    c.scenario === "scaling"
      ? ["--scenario", "scaling"]
      : ["--scenario", String(c.scenario), "--nodes", String(c.nodes), "--trials", String(c.trials)];
  for (const [key, flag, option] of SIM_FLAGS) {
    if (c[key] === undefined || c[key] === simDefault(option, c)) continue;
    args.push(flag, String(c[key]));
  }
  if (c.sync === true) args.push("--sync");
  if (c.exactSizes === true) args.push("--exact-sizes");
  const churn = c.churn as Record<string, number> | undefined;
  if (churn && Object.values(churn).some((rate) => rate > 0)) {
    args.push(
      "--churn",
      Object.entries(churn)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    );
  }
  const core = c.core as Record<string, number> | undefined;
  if (core && Object.keys(core).length > 0) {
    args.push(
      "--core",
      Object.entries(core)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    );
  }
  args.push("--json", path);
  return `npm run sim -- ${args.join(" ")}`;
}
