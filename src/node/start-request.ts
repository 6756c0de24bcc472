/**
 * Checks the body of configure(): names, seeds, gossip config and shell options. A node trusts
 * no caller, so everything is checked here even though the API validates first. Any problem is
 * a NodeError with code `invalid_config`.
 */
import {
  CONFIG_LIMITS,
  ConfigError,
  type GossipConfig,
  type GossipConfigInput,
  resolveConfig,
} from "../core/index.js";
import { isLocationHint, LOCATION_HINTS, MAX_SEEDS, NAME_PATTERN, NAME_RULE } from "./limits.js";
import { NodeError } from "./node-error.js";
import { resolveNodeOptions } from "./node-options.js";
import type { NodeOptions } from "./rpc-types.js";

export interface NodeSettings {
  cluster: string;
  node: string;
  seeds: string[];
  /** The config fields the caller gave (saved as given, so defaults stay derived). */
  configInput: GossipConfigInput;
  optionsInput: Partial<NodeOptions>;
  config: GossipConfig;
  options: NodeOptions;
  /**
   * The node's region (a location hint). A request without one keeps the region the node had:
   * a Durable Object stays where it was first placed.
   */
  region?: string;
}

const CONFIG_FIELDS = [...Object.keys(CONFIG_LIMITS), "mode", "detector"];
const OPTION_FIELDS = ["rpcTimeoutMs", "snapshotEveryMs", "rumor"];

function invalid(message: string): never {
  throw new NodeError("invalid_config", message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pick(input: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (input[field] !== undefined) out[field] = input[field];
  return out;
}

/** Settings from saved inputs or a request; throws NodeError `invalid_config`. */
export function resolveSettings(request: unknown): NodeSettings {
  if (!isObject(request)) invalid("request must be an object");
  const { cluster, node, seeds, region } = request;
  if (region !== undefined && !isLocationHint(region))
    invalid(`region: must be one of ${LOCATION_HINTS.join(", ")}`);
  if (typeof cluster !== "string" || !NAME_PATTERN.test(cluster)) invalid(`cluster: must be ${NAME_RULE}`);
  if (typeof node !== "string" || !NAME_PATTERN.test(node)) invalid(`node: must be ${NAME_RULE}`);
  if (!Array.isArray(seeds) || seeds.length > MAX_SEEDS)
    invalid(`seeds: must be an array of at most ${MAX_SEEDS} names`);
  for (const seed of seeds) {
    if (typeof seed !== "string" || !NAME_PATTERN.test(seed)) invalid(`seeds: each must be ${NAME_RULE}`);
  }
  const rawConfig = request.config ?? {};
  if (!isObject(rawConfig)) invalid("config: must be an object");
  const rawOptions = request.options ?? {};
  if (!isObject(rawOptions)) invalid("options: must be an object");
  const configInput = pick(rawConfig, CONFIG_FIELDS) as GossipConfigInput;
  let config: GossipConfig;
  try {
    config = resolveConfig(configInput);
  } catch (error) {
    if (error instanceof ConfigError) invalid(`config.${error.message}`);
    throw error;
  }
  const optionsInput = pick(rawOptions, OPTION_FIELDS) as Partial<NodeOptions>;
  const options = resolveNodeOptions(optionsInput, config);
  return {
    cluster,
    node,
    seeds: [...new Set(seeds as string[])],
    configInput,
    optionsInput,
    config,
    options,
    ...(region === undefined ? {} : { region }),
  };
}

/**
 * True when `next` repeats the request `running` came from (a configure retry, not a change).
 * A request without a region asks for the region the node has, so it repeats any.
 */
export function sameRequest(running: NodeSettings, next: NodeSettings): boolean {
  const inputs = (s: NodeSettings) =>
    JSON.stringify([s.cluster, s.node, s.seeds, s.configInput, s.optionsInput]);
  if (next.region !== undefined && next.region !== running.region) return false;
  return inputs(running) === inputs(next);
}
