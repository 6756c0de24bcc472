/**
 * Settings of the Durable Object shell around the protocol core (the core's own tunables are
 * in GossipConfig): how long to wait for a peer, how often the view of others may be saved,
 * and whether a local write is pushed to peers at once.
 */
import type { GossipConfig } from "../core/index.js";
import { NodeError } from "./node-error.js";
import type { NodeOptions } from "./rpc-types.js";

export type { NodeOptions };

export const DEFAULT_SNAPSHOT_EVERY_MS = 5000;

/** The longest default wait for a peer, ms. */
export const MAX_DEFAULT_RPC_TIMEOUT_MS = 500;

/**
 * A peer's answer is awaited at most half an interval (and at most 500 ms) by default: a
 * probe's timeout must be well under the protocol period, or a slow peer stalls the next round.
 */
export function defaultRpcTimeoutMs(intervalMs: number): number {
  return Math.min(intervalMs / 2, MAX_DEFAULT_RPC_TIMEOUT_MS);
}

/** Fills defaults (some derived from the round interval) and checks the fields. */
export function resolveNodeOptions(input: unknown, config: GossipConfig): NodeOptions {
  const raw = (input ?? {}) as Record<string, unknown>;
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new NodeError("invalid_config", "node options must be an object");
  const options: NodeOptions = {
    rpcTimeoutMs: defaultRpcTimeoutMs(config.intervalMs),
    snapshotEveryMs: DEFAULT_SNAPSHOT_EVERY_MS,
    rumor: true,
  };
  if (raw.rpcTimeoutMs !== undefined)
    options.rpcTimeoutMs = bounded("rpcTimeoutMs", raw.rpcTimeoutMs, 10, 30_000);
  if (raw.snapshotEveryMs !== undefined) {
    options.snapshotEveryMs = bounded("snapshotEveryMs", raw.snapshotEveryMs, 0, 3_600_000);
  }
  if (raw.rumor !== undefined) {
    if (typeof raw.rumor !== "boolean") throw new NodeError("invalid_config", "rumor: must be a boolean");
    options.rumor = raw.rumor;
  }
  return options;
}

function bounded(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new NodeError("invalid_config", `${field}: must be a number between ${min} and ${max}`);
  }
  return value;
}
