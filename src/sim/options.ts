/**
 * Everything a simulation run is configured by, with defaults and checks. The CLI parses
 * strings into this; scenarios and tests build it directly with `resolveSimOptions`.
 */
import {
  CONFIG_LIMITS,
  DETECTORS,
  type GossipConfig,
  type GossipMode,
  resolveConfig,
} from "../core/index.js";
import { type Latency, parseLatency } from "./latency.js";

/** Fanout of the classic strategies when --fanout is not given: one partner per round, as in the paper. */
export const CLASSIC_FANOUT = 1;

export const SCENARIOS = [
  "spread",
  "detect",
  "join",
  "cold",
  "partition",
  "steady",
  "scaling",
  "owners",
  "rumor-table",
  "lifetime",
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
export const STRATEGIES = ["hearsay", "anti-entropy", "rumor", "flood"] as const;
export type StrategyName = (typeof STRATEGIES)[number];
export const INTERESTS = ["feedback", "blind"] as const;
export type Interest = (typeof INTERESTS)[number];
export const STOPS = ["counter", "coin"] as const;
export type StopRule = (typeof STOPS)[number];
export const MODES: readonly GossipMode[] = ["push", "pull", "push-pull"];
export const DETECTOR_CHOICES = [...DETECTORS, "both"] as const;
export type DetectorChoice = (typeof DETECTOR_CHOICES)[number];

/** Churn rates, in events per virtual minute across the whole cluster. */
export interface ChurnRates {
  crash: number;
  restart: number;
  join: number;
  leave: number;
}

export interface SimOptions {
  scenario: ScenarioName;
  nodes: number;
  /** `scaling`: the cluster sizes measured, one after another. */
  sizes: number[];
  trials: number;
  seed: number;
  /** Per-message loss probability. */
  loss: number;
  fanout: number;
  /** Exchange mode (hearsay) or anti-entropy / rumor direction (classic strategies). */
  mode: GossipMode;
  strategy: StrategyName;
  interest: Interest;
  stop: StopRule;
  k: number;
  /** Classic strategies: synchronous cycles, as Demers et al. simulate them (else asynchronous). */
  sync: boolean;
  intervalMs: number;
  jitter: number;
  latency: Latency;
  churn: ChurnRates;
  /** Give up on a trial after this many rounds. */
  maxRounds: number;
  /** `partition`: how long the halves stay apart, in rounds. */
  partitionRounds: number;
  /** `steady`: virtual time simulated, in seconds. */
  durationS: number;
  /** `lifetime`: virtual days simulated. */
  days: number;
  /** Rounds the cluster runs before the measured event; null: the scenario's own default. */
  warmupRounds: number | null;
  /** How the cluster starts before the measured event. */
  start: "converged" | "seeds";
  seeds: number;
  /** Count bytes with exact JSON.stringify (slow) instead of the estimate. */
  exactSizes: boolean;
  /** Failure detector of the hearsay core; `both` runs every trial under each, side by side. */
  detector: DetectorChoice;
  /** Regions r0..r{R-1}, nodes assigned round-robin; 1: no regions. */
  regions: number;
  /** Extra one-way latency of a message between two regions, ms. */
  crossLatencyMs: number;
  /** Regions exist in the network but nodes are not told theirs: the uniform-choice baseline. */
  regionBlind: boolean;
  /** Other core tunables, as given (`--core phiThreshold=10,probeTimeoutMs=100`). */
  core: Record<string, number>;
  /** Path for the JSON report, if any. */
  json: string | null;
  /** Core gossip configuration built from the options above. */
  config: GossipConfig;
}

export type SimOptionsInput = Partial<
  Omit<SimOptions, "config" | "latency" | "churn" | "fanout" | "mode" | "core" | "sizes">
> & {
  sizes?: string | number[];
  core?: string | Record<string, number>;
  fanout?: number | null;
  mode?: GossipMode | null;
  latency?: string | Latency;
  churn?: string | Partial<ChurnRates>;
};

export const DEFAULTS = {
  scenario: "spread" as ScenarioName,
  nodes: 100,
  sizes: "100,1000,10000",
  trials: 20,
  seed: 1,
  loss: 0,
  /** null: the core default for hearsay, CLASSIC_FANOUT for the classic strategies. */
  fanout: null as number | null,
  /** null: push for rumor mongering (as in the paper), push-pull otherwise. */
  mode: null as GossipMode | null,
  strategy: "hearsay" as StrategyName,
  interest: "feedback" as Interest,
  stop: "counter" as StopRule,
  k: 1,
  sync: false,
  intervalMs: 1000,
  jitter: 0.1,
  latency: "lognormal:5:0.5",
  churn: "none",
  maxRounds: 500,
  partitionRounds: 30,
  durationS: 3600,
  days: 1,
  warmupRounds: null as number | null,
  start: "converged" as const,
  seeds: 3,
  exactSizes: false,
  detector: "swim" as DetectorChoice,
  regions: 1,
  crossLatencyMs: 0,
  regionBlind: false,
  core: "",
};

/**
 * Trials per cell of `rumor-table --sync` when --trials is not given: synchronous trials are
 * cheap, and blind/coin k=1 (a single chain of about 40 sites) needs this many for a mean
 * within about 2%.
 */
export const SYNC_TABLE_TRIALS = 1000;

/**
 * Seeds of a `cold` start when --seeds is not given: as many as the bootstrap gives every node
 * (DEFAULT_SEED_COUNT in src/api/bootstrap-plan.ts; test/sim/cold.test.ts holds them equal).
 */
export const COLD_SEEDS = 2;

/** `lifetime`: message loss unless --loss says otherwise, and trials unless --trials does. */
export const LIFETIME_LOSS = 0.01;

export class OptionError extends Error {}

/** Fills defaults and checks every field; throws OptionError with a one-line message. */
export function resolveSimOptions(input: SimOptionsInput = {}): SimOptions {
  const o = { ...DEFAULTS, json: null, ...stripUndefined(input) };
  if (input.trials === undefined && o.sync && o.scenario === "rumor-table") o.trials = SYNC_TABLE_TRIALS;
  if (input.seeds === undefined && o.scenario === "cold") o.seeds = COLD_SEEDS;
  if (o.scenario === "lifetime") {
    if (input.loss === undefined) o.loss = LIFETIME_LOSS;
    if (input.trials === undefined) o.trials = 1;
  }
  oneOf("scenario", o.scenario, SCENARIOS);
  oneOf("strategy", o.strategy, STRATEGIES);
  const mode: GossipMode =
    o.mode ?? (o.strategy === "rumor" || o.scenario === "rumor-table" ? "push" : "push-pull");
  oneOf("mode", mode, MODES);
  oneOf("detector", o.detector, DETECTOR_CHOICES);
  oneOf("interest", o.interest, INTERESTS);
  oneOf("stop", o.stop, STOPS);
  oneOf("start", o.start, ["converged", "seeds"]);
  integer("nodes", o.nodes, 2, 100_000);
  const sizes = typeof o.sizes === "string" ? parseSizes(o.sizes) : [...o.sizes];
  for (const size of sizes) integer("sizes", size, 2, 100_000);
  integer("trials", o.trials, 1, 100_000);
  integer("seed", o.seed, 0, 2 ** 32 - 1);
  number("loss", o.loss, 0, 0.99);
  const classic = o.strategy !== "hearsay" || o.scenario === "rumor-table";
  const fanout = o.fanout ?? (classic ? CLASSIC_FANOUT : resolveConfig().fanout);
  integer("fanout", fanout, 1, 16);
  if (o.strategy !== "hearsay" && o.scenario !== "spread" && o.scenario !== "rumor-table") {
    throw new OptionError(`--strategy ${o.strategy}: only the spread scenario runs classic strategies`);
  }
  if (o.sync && !classic) {
    throw new OptionError(
      "--sync: runs only the classic strategies (--strategy anti-entropy|rumor|flood, or --scenario rumor-table)",
    );
  }
  integer("k", o.k, 1, 100);
  number("interval", o.intervalMs, 10, 3_600_000);
  number("jitter", o.jitter, 0, 1);
  integer("max-rounds", o.maxRounds, 1, 1_000_000);
  integer("partition-rounds", o.partitionRounds, 1, 1_000_000);
  number("duration", o.durationS, 1, 30 * 86_400);
  number("days", o.days, 0.001, 365);
  if (o.warmupRounds !== null) integer("warmup", o.warmupRounds, 0, 1_000_000);
  integer("seeds", o.seeds, 1, 1000);
  integer("regions", o.regions, 1, 64);
  number("cross-latency", o.crossLatencyMs, 0, 60_000);
  if (o.regionBlind && o.regions <= 1) throw new OptionError("--region-blind: needs --regions 2 or more");
  let latency: Latency;
  try {
    latency = typeof o.latency === "string" ? parseLatency(o.latency) : o.latency;
  } catch (error) {
    throw new OptionError(`--latency: ${(error as Error).message}`);
  }
  const churn = typeof o.churn === "string" ? parseChurn(o.churn) : { ...NO_CHURN, ...o.churn };
  const core = typeof o.core === "string" ? parseCore(o.core) : { ...o.core };
  let config: GossipConfig;
  try {
    const detector = o.detector === "both" ? "swim" : o.detector;
    config = resolveConfig({ ...core, intervalMs: o.intervalMs, jitter: o.jitter, fanout, mode, detector });
  } catch (error) {
    throw new OptionError(`--core: ${(error as Error).message}`);
  }
  return { ...o, sizes, fanout, mode, latency, churn, core, config } as SimOptions;
}

/** `100,1000,10000`: cluster sizes, ascending as given. */
export function parseSizes(spec: string): number[] {
  const sizes = spec.split(",").map((part) => Number(part.trim()));
  if (spec.trim() === "" || sizes.some((size) => !Number.isFinite(size))) {
    throw new OptionError(`--sizes: a comma-separated list of cluster sizes, got "${spec}"`);
  }
  return sizes;
}

/** The largest cluster a run builds (what its memory must hold). */
export function largestSize(options: SimOptions): number {
  return options.scenario === "scaling" ? Math.max(...options.sizes) : options.nodes;
}

const NO_CHURN: ChurnRates = { crash: 0, restart: 0, join: 0, leave: 0 };

/** `none` or `crash=2,restart=2,join=1,leave=1` (events per virtual minute, cluster-wide). */
export function parseChurn(spec: string): ChurnRates {
  const rates = { ...NO_CHURN };
  if (spec === "none" || spec === "") return rates;
  for (const part of spec.split(",")) {
    const [key, value] = part.split("=");
    const rate = Number(value);
    if (!key || !(key in rates) || value === undefined || !Number.isFinite(rate) || rate < 0) {
      throw new OptionError(
        `--churn: expected none or crash=R,restart=R,join=R,leave=R (per virtual minute), got "${spec}"`,
      );
    }
    rates[key as keyof ChurnRates] = rate;
  }
  return rates;
}

/** Options with their own flags; `--core` takes the rest of the core's numeric tunables. */
const CORE_FLAGS: Record<string, string> = {
  intervalMs: "--interval",
  jitter: "--jitter",
  fanout: "--fanout",
};

/** `""` or `name=value,...` over the core's numeric tunables (see CONFIG_LIMITS). */
export function parseCore(spec: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (spec.trim() === "") return out;
  for (const part of spec.split(",")) {
    const [key = "", raw, ...rest] = part.split("=");
    const value = Number(raw);
    if (CORE_FLAGS[key]) throw new OptionError(`--core: set ${key} with ${CORE_FLAGS[key]}`);
    if (!(key in CONFIG_LIMITS)) {
      const names = Object.keys(CONFIG_LIMITS).filter((name) => !CORE_FLAGS[name]);
      throw new OptionError(`--core: unknown tunable "${key}"; one of ${names.join(", ")}`);
    }
    if (raw === undefined || raw.trim() === "" || rest.length > 0 || !Number.isFinite(value)) {
      throw new OptionError(`--core: expected ${key}=NUMBER, got "${part}"`);
    }
    out[key] = value;
  }
  return out;
}

export function hasChurn(rates: ChurnRates): boolean {
  return rates.crash + rates.restart + rates.join + rates.leave > 0;
}

function stripUndefined<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function oneOf(name: string, value: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(value as string)) {
    throw new OptionError(`--${name}: must be one of ${allowed.join(", ")}, got "${String(value)}"`);
  }
}

function number(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new OptionError(`--${name}: must be a number between ${min} and ${max}, got "${String(value)}"`);
  }
}

function integer(name: string, value: unknown, min: number, max: number): void {
  number(name, value, min, max);
  if (!Number.isInteger(value))
    throw new OptionError(`--${name}: must be an integer, got "${String(value)}"`);
}
