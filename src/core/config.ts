/**
 * Gossip configuration: the tunables, their defaults and the checks on them.
 * Time-valued defaults that depend on the round interval are derived from it when not given,
 * so `{ intervalMs: 200 }` alone yields a consistent fast configuration.
 */
import type { GossipMode } from "./types.js";

export interface GossipConfig {
  /** Round interval in milliseconds. */
  intervalMs: number;
  /** Random extra delay per round, as a fraction of the interval (0..1). */
  jitter: number;
  /** Peers contacted per round. */
  fanout: number;
  mode: GossipMode;
  /** Phi at or above which a member is suspected. */
  phiThreshold: number;
  /** Heartbeat inter-arrival samples kept per member. */
  phiWindow: number;
  /** Floor for the standard deviation of inter-arrival times, ms. */
  minStdDevMs: number;
  /** Pause tolerated on top of the mean inter-arrival before phi rises, ms. */
  acceptablePauseMs: number;
  /** Inter-arrival estimate used before any sample exists, ms. */
  firstIntervalEstimateMs: number;
  /** How long a member stays suspect before it is declared dead, ms. */
  suspectTimeoutMs: number;
  /** How long a dead member is kept before it is forgotten, ms. */
  deadGraceMs: number;
  /** How long a member that left is kept before it is forgotten, ms. */
  leftGraceMs: number;
  /** How long a tombstone is kept before it is garbage-collected, ms. */
  tombstoneGraceMs: number;
  /** Byte budget for the deltas of one message. */
  maxDeltaBytes: number;
  /** Messages larger than this are rejected unread. */
  maxMessageBytes: number;
  /** Probability per round of also contacting one member believed dead. */
  deadPeerProbability: number;
  /** Probability per round of also contacting a seed (besides the few-members rule). */
  seedProbability: number;
}

export type GossipConfigInput = Partial<GossipConfig>;

export const DEFAULT_INTERVAL_MS = 1000;

/** Fixed defaults; interval-derived ones are filled in by `resolveConfig`. */
const FIXED_DEFAULTS = {
  intervalMs: DEFAULT_INTERVAL_MS,
  jitter: 0.1,
  fanout: 2,
  mode: "push-pull" as GossipMode,
  phiThreshold: 8,
  phiWindow: 100,
  maxDeltaBytes: 64 * 1024,
  maxMessageBytes: 4 * 1024 * 1024,
  deadPeerProbability: 0.1,
  seedProbability: 0.05,
};

/** Defaults derived from the interval: detector tolerance and lifecycle periods. */
function derivedDefaults(intervalMs: number) {
  return {
    minStdDevMs: intervalMs / 2,
    acceptablePauseMs: intervalMs,
    firstIntervalEstimateMs: intervalMs,
    suspectTimeoutMs: 4 * intervalMs,
    deadGraceMs: Math.max(3600 * intervalMs, 60_000),
    leftGraceMs: Math.max(3600 * intervalMs, 60_000),
    tombstoneGraceMs: Math.max(3600 * intervalMs, 60_000),
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

type NumericRule = { min: number; max: number; integer?: boolean };

/** Allowed ranges; anything outside is a ConfigError. */
export const CONFIG_LIMITS: Record<Exclude<keyof GossipConfig, "mode">, NumericRule> = {
  intervalMs: { min: 10, max: 3_600_000 },
  jitter: { min: 0, max: 1 },
  fanout: { min: 1, max: 16, integer: true },
  phiThreshold: { min: 0.5, max: 100 },
  phiWindow: { min: 2, max: 10_000, integer: true },
  minStdDevMs: { min: 1, max: 3_600_000 },
  acceptablePauseMs: { min: 0, max: 3_600_000 },
  firstIntervalEstimateMs: { min: 1, max: 3_600_000 },
  suspectTimeoutMs: { min: 0, max: 86_400_000 },
  deadGraceMs: { min: 0, max: 30 * 86_400_000 },
  leftGraceMs: { min: 0, max: 30 * 86_400_000 },
  tombstoneGraceMs: { min: 0, max: 30 * 86_400_000 },
  maxDeltaBytes: { min: 256, max: 16 * 1024 * 1024, integer: true },
  maxMessageBytes: { min: 1024, max: 32 * 1024 * 1024, integer: true },
  deadPeerProbability: { min: 0, max: 1 },
  seedProbability: { min: 0, max: 1 },
};

const MODES: readonly GossipMode[] = ["push", "pull", "push-pull"];

/**
 * Fills defaults and checks every field. Unknown fields are ignored (peers of a newer
 * version may send more). Throws ConfigError on the first bad field.
 */
export function resolveConfig(input: GossipConfigInput = {}): GossipConfig {
  const raw = (input ?? {}) as Record<string, unknown>;
  const intervalMs = raw.intervalMs ?? FIXED_DEFAULTS.intervalMs;
  checkNumber("intervalMs", intervalMs);
  const merged: Record<string, unknown> = {
    ...FIXED_DEFAULTS,
    ...derivedDefaults(intervalMs as number),
  };
  for (const key of Object.keys(CONFIG_LIMITS)) {
    if (raw[key] !== undefined) merged[key] = raw[key];
  }
  if (raw.mode !== undefined) merged.mode = raw.mode;
  for (const key of Object.keys(CONFIG_LIMITS)) checkNumber(key, merged[key]);
  if (!MODES.includes(merged.mode as GossipMode)) {
    throw new ConfigError("mode", `must be one of ${MODES.join(", ")}`);
  }
  return merged as unknown as GossipConfig;
}

function checkNumber(field: string, value: unknown): void {
  const rule = CONFIG_LIMITS[field as keyof typeof CONFIG_LIMITS];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ConfigError(field, "must be a finite number");
  }
  if (rule.integer && !Number.isInteger(value)) throw new ConfigError(field, "must be an integer");
  if (value < rule.min || value > rule.max) {
    throw new ConfigError(field, `must be between ${rule.min} and ${rule.max}`);
  }
}
