/**
 * Gossip configuration: the tunables, their defaults, their descriptions and the checks on
 * them, each declared once here (the API's schemas and the docs derive from `CONFIG_LIMITS`).
 * Defaults that depend on the round interval are derived from it when not given, so
 * `{ intervalMs: 200 }` alone yields a consistent fast configuration, and derived defaults are
 * always valid (clamped into their own ranges). Checks across fields reject combinations that
 * would stall a node.
 */
import type { Detector, GossipMode } from "./types.js";

export interface GossipConfig {
  intervalMs: number;
  jitter: number;
  fanout: number;
  mode: GossipMode;
  detector: Detector;
  probesPerRound: number;
  roundsPerWake: number;
  probeTimeoutMs: number;
  indirectChecks: number;
  suspicionMult: number;
  suspicionMaxMult: number;
  suspicionConfirmations: number;
  awarenessMax: number;
  retransmitMult: number;
  maxPiggybackBytes: number;
  hotFanout: number;
  rumorsPerSecond: number;
  rumorBurst: number;
  maxBackoffRounds: number;
  phiThreshold: number;
  phiWindow: number;
  minStdDevMs: number;
  acceptablePauseMs: number;
  firstIntervalEstimateMs: number;
  deadGraceMs: number;
  leftGraceMs: number;
  tombstoneGraceMs: number;
  maxDeltaBytes: number;
  maxMessageBytes: number;
  deadPeerProbability: number;
  seedProbability: number;
  crossRegionProbability: number;
}

export type GossipConfigInput = Partial<GossipConfig>;

type NumericField = Exclude<keyof GossipConfig, "mode" | "detector">;

/** A numeric tunable: its range, whether it is an integer, and what it means. */
export interface NumericRule {
  min: number;
  max: number;
  integer?: boolean;
  description: string;
}

const DAY = 86_400_000;
const GRACE_MAX = 30 * DAY;

/** Every numeric tunable, its range and meaning: the one source the API and docs derive from. */
export const CONFIG_LIMITS: Record<NumericField, NumericRule> = {
  intervalMs: { min: 10, max: 3_600_000, description: "Round interval (the protocol period), ms." },
  jitter: { min: 0, max: 1, description: "Random extra delay per round, as a fraction of the interval." },
  fanout: { min: 1, max: 16, integer: true, description: "Peers per anti-entropy exchange round." },
  probesPerRound: {
    min: 0,
    max: 16,
    description:
      "Members probed per round (swim); a fraction probes that often on average (1.5: 3 every 2 rounds). 0 turns probing off.",
  },
  roundsPerWake: {
    min: 1,
    max: 64,
    integer: true,
    description:
      "Rounds a quiet node runs per wake-up (one alarm): their probes and exchanges go out at once. A busy node (suspicions, agents, joining, phi) wakes every round.",
  },
  probeTimeoutMs: {
    min: 1,
    max: 600_000,
    description: "How long a direct probe waits for its ack; indirect probes wait twice as long, ms.",
  },
  indirectChecks: {
    min: 0,
    max: 16,
    integer: true,
    description: "Members asked to probe a silent member before it is suspected.",
  },
  suspicionMult: {
    min: 0.1,
    max: 100,
    description: "Minimum suspicion timeout, in intervals, times max(1, log10 N).",
  },
  suspicionMaxMult: {
    min: 1,
    max: 100,
    description: "Maximum suspicion timeout as a multiple of the minimum (Lifeguard).",
  },
  suspicionConfirmations: {
    min: 1,
    max: 64,
    integer: true,
    description: "Independent suspicions that bring the timeout down to its minimum.",
  },
  awarenessMax: {
    min: 0,
    max: 32,
    integer: true,
    description: "Highest local-health score; a node at score s probes every (1+s) intervals.",
  },
  retransmitMult: {
    min: 1,
    max: 64,
    integer: true,
    description: "Each piece of news rides on up to retransmitMult x ceil(log10(N+1)) messages.",
  },
  maxPiggybackBytes: {
    min: 64,
    max: 1_048_576,
    integer: true,
    description: "Byte cap of the news piggybacked on one message.",
  },
  hotFanout: {
    min: 0,
    max: 64,
    integer: true,
    description: "Members news is pushed to at once; 0 derives it from N (ceil(log2(N+1)) + 1).",
  },
  rumorsPerSecond: {
    min: 0,
    max: 10_000,
    description: "Writes pushed at once per second (token bucket); beyond it they ride anti-entropy.",
  },
  rumorBurst: { min: 0, max: 100_000, integer: true, description: "Token bucket size for pushed writes." },
  maxBackoffRounds: {
    min: 1,
    max: 1024,
    integer: true,
    description: "Longest anti-entropy pause while exchanges find nothing, in rounds (Trickle).",
  },
  phiThreshold: { min: 0.5, max: 100, description: "Phi at or above which a member is suspected (phi)." },
  phiWindow: { min: 2, max: 10_000, integer: true, description: "Heartbeat samples kept per member (phi)." },
  minStdDevMs: { min: 1, max: 3_600_000, description: "Floor of the inter-arrival deviation, ms (phi)." },
  acceptablePauseMs: {
    min: 0,
    max: 3_600_000,
    description: "Pause tolerated on top of the mean inter-arrival, ms (phi).",
  },
  firstIntervalEstimateMs: {
    min: 1,
    max: 3_600_000,
    description: "Inter-arrival estimate before any sample, ms (phi).",
  },
  deadGraceMs: {
    min: 0,
    max: GRACE_MAX,
    description: "How long a dead member is kept before it is forgotten, ms.",
  },
  leftGraceMs: { min: 0, max: GRACE_MAX, description: "How long a member that left is kept, ms." },
  tombstoneGraceMs: { min: 0, max: GRACE_MAX, description: "How long a tombstone is kept, ms." },
  maxDeltaBytes: {
    min: 256,
    max: 16 * 1024 * 1024,
    integer: true,
    description: "Byte budget for the deltas of one message (at least one key always goes).",
  },
  maxMessageBytes: {
    min: 1024,
    max: 32 * 1024 * 1024,
    integer: true,
    description: "Messages larger than this are rejected unread.",
  },
  deadPeerProbability: {
    min: 0,
    max: 1,
    description:
      "Chance per round of an exchange with a member believed dead, or a node forgotten after it died whose grave is kept (heals partitions).",
  },
  seedProbability: {
    min: 0,
    max: 1,
    description: "Chance per round of an exchange with a seed, divided by N/seeds as the cluster grows.",
  },
  crossRegionProbability: {
    min: 0,
    max: 1,
    description:
      "Chance that each exchange peer, probe target, probe helper or hot-push target is taken from another region when this node has a region and members elsewhere; hot pushes always keep one cross-region target.",
  },
};

export const MODES: readonly GossipMode[] = ["push", "pull", "push-pull"];
export const DETECTORS: readonly Detector[] = ["swim", "phi"];

export const DEFAULT_INTERVAL_MS = 1000;

/** Fixed defaults; interval-derived ones are filled in by `derivedDefaults`. */
const FIXED_DEFAULTS = {
  intervalMs: DEFAULT_INTERVAL_MS,
  jitter: 0.1,
  fanout: 2,
  mode: "push-pull" as GossipMode,
  detector: "swim" as Detector,
  probesPerRound: 1.5,
  roundsPerWake: 16,
  indirectChecks: 3,
  suspicionMult: 1.5,
  suspicionMaxMult: 4,
  suspicionConfirmations: 3,
  awarenessMax: 8,
  retransmitMult: 3,
  maxPiggybackBytes: 2048,
  hotFanout: 0,
  rumorsPerSecond: 20,
  rumorBurst: 40,
  maxBackoffRounds: 16,
  phiThreshold: 8,
  phiWindow: 100,
  maxDeltaBytes: 64 * 1024,
  maxMessageBytes: 4 * 1024 * 1024,
  deadPeerProbability: 0.1,
  seedProbability: 0.05,
  crossRegionProbability: 0.15,
};

function clamp(field: NumericField, value: number): number {
  const rule = CONFIG_LIMITS[field];
  return Math.min(rule.max, Math.max(rule.min, value));
}

/** Defaults derived from the interval, clamped so that they are always valid. */
function derivedDefaults(intervalMs: number) {
  const grace = Math.max(3600 * intervalMs, 60_000);
  return {
    probeTimeoutMs: clamp("probeTimeoutMs", Math.min(intervalMs / 5, 500)),
    minStdDevMs: clamp("minStdDevMs", intervalMs / 2),
    acceptablePauseMs: clamp("acceptablePauseMs", intervalMs),
    firstIntervalEstimateMs: clamp("firstIntervalEstimateMs", intervalMs),
    deadGraceMs: clamp("deadGraceMs", grace),
    leftGraceMs: clamp("leftGraceMs", grace),
    tombstoneGraceMs: clamp("tombstoneGraceMs", grace),
  };
}

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "ConfigError";
  }
}

/** Bytes a message needs beyond its deltas and news: envelope, need lists, one digest page. */
export const MESSAGE_OVERHEAD_BYTES = 64 * 1024;

/**
 * Fills defaults and checks every field, then the fields against each other. Unknown fields
 * are ignored (peers of a newer version may send more). Throws ConfigError on the first bad one.
 */
export function resolveConfig(input: GossipConfigInput = {}): GossipConfig {
  const raw = (input ?? {}) as Record<string, unknown>;
  const intervalMs = checkedNumber("intervalMs", raw.intervalMs ?? FIXED_DEFAULTS.intervalMs);
  const config: GossipConfig = { ...FIXED_DEFAULTS, ...derivedDefaults(intervalMs) };
  for (const key of Object.keys(CONFIG_LIMITS) as NumericField[])
    if (raw[key] !== undefined) config[key] = checkedNumber(key, raw[key]);
  config.mode = oneOf("mode", raw.mode ?? config.mode, MODES);
  config.detector = oneOf("detector", raw.detector ?? config.detector, DETECTORS);
  checkAcross(config);
  return config;
}

/** `value` when it is one of `allowed`; a ConfigError naming them otherwise. */
function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  const found = allowed.find((option) => option === value);
  if (found === undefined) throw new ConfigError(field, `must be one of ${allowed.join(", ")}`);
  return found;
}

/** Combinations that would stall or blind a node. */
function checkAcross(config: GossipConfig): void {
  if (config.probeTimeoutMs * 2 > config.intervalMs) {
    throw new ConfigError("probeTimeoutMs", `must be at most half of intervalMs (${config.intervalMs / 2})`);
  }
  if (config.roundsPerWake > config.maxBackoffRounds) {
    throw new ConfigError(
      "roundsPerWake",
      `must be at most maxBackoffRounds (${config.maxBackoffRounds}): a quiet node wakes when anti-entropy is due`,
    );
  }
  const needed = 2 * config.maxDeltaBytes + config.maxPiggybackBytes + MESSAGE_OVERHEAD_BYTES;
  if (config.maxMessageBytes < needed) {
    throw new ConfigError(
      "maxMessageBytes",
      `must be at least 2 x maxDeltaBytes + maxPiggybackBytes + ${MESSAGE_OVERHEAD_BYTES} (${needed}), or peers reject what this node sends`,
    );
  }
}

/** `value` when it is a number within its field's rule; a ConfigError otherwise. */
function checkedNumber(field: NumericField, value: unknown): number {
  const rule = CONFIG_LIMITS[field];
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new ConfigError(field, "must be a finite number");
  if (rule.integer && !Number.isInteger(value)) throw new ConfigError(field, "must be an integer");
  if (value < rule.min || value > rule.max)
    throw new ConfigError(field, `must be between ${rule.min} and ${rule.max}`);
  return value;
}

/** The last `n` retransmitLimit was asked for, and its log: every message asks, `n` rarely moves. */
let lastMembers = 0;
let lastLog = 1;

/** Piggyback retransmissions for a cluster of `n` members (memberlist's retransmitLimit). */
export function retransmitLimit(config: GossipConfig, n: number): number {
  if (n !== lastMembers) {
    lastMembers = n;
    lastLog = Math.max(1, Math.ceil(Math.log10(n + 1)));
  }
  return config.retransmitMult * lastLog;
}

/** Members that pushed news goes to at once, for a cluster of `n` members. */
export function hotFanoutFor(config: GossipConfig, n: number): number {
  return config.hotFanout > 0 ? config.hotFanout : Math.ceil(Math.log2(n + 1)) + 1;
}
