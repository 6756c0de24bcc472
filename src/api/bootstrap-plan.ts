/**
 * Which nodes one bootstrap call starts. A bootstrap of n0..n{size-1} comes in pages so each
 * call stays within one invocation's subrequest budget (node/subrequests.ts): a call starts at
 * most BOOTSTRAP_PAGE nodes, n{from} onwards, one configure call each, and names the `from` of
 * the next call. Seeds and regions depend on the body alone, never on the page, so every page
 * of one bootstrap (the same body, only `from` changed) starts its nodes the same way.
 */
import type { LocationHint } from "../node/limits.js";
import { NODES_PER_INVOCATION } from "../node/subrequests.js";

/** Nodes one bootstrap call starts at most: the Worker calls each once and nothing else. */
export const BOOTSTRAP_PAGE = NODES_PER_INVOCATION;

/** Default seeds: the first this many nodes (n0, n1), on every page. */
export const DEFAULT_SEED_COUNT = 2;

export interface BootstrapInput {
  size: number;
  seeds?: string[] | undefined;
  regions?: LocationHint[] | undefined;
  /** Index of the first node this call starts; default 0. Must be below `size`. */
  from?: number | undefined;
}

export interface BootstrapPlan {
  /** The nodes this call starts, in order: n{from}..n{min(from + BOOTSTRAP_PAGE, size) - 1}. */
  nodes: string[];
  /** The seeds every node of the bootstrap is given. */
  seeds: string[];
  /** Each node of this call's region (round-robin over `regions` by the node's index), if any. */
  regions: Map<string, LocationHint> | null;
  /** The `from` of the next call, or null when this call starts the last node. */
  next: number | null;
  /** This one call starts every node, n0..n{size-1}. */
  complete: boolean;
}

export function nodeName(index: number): string {
  return `n${index}`;
}

/** The page of a bootstrap that one call starts. `from` must already be checked (< size). */
export function planBootstrap(input: BootstrapInput): BootstrapPlan {
  const from = input.from ?? 0;
  const end = Math.min(from + BOOTSTRAP_PAGE, input.size);
  const indexes = Array.from({ length: Math.max(0, end - from) }, (_, i) => from + i);
  const nodes = indexes.map(nodeName);
  const seeds =
    input.seeds ?? Array.from({ length: Math.min(DEFAULT_SEED_COUNT, input.size) }, (_, i) => nodeName(i));
  const hints = input.regions;
  // Round-robin over the hints: n{i} goes to regions[i mod length], whichever page starts it.
  const regions = hints
    ? new Map(indexes.map((i) => [nodeName(i), hints[i % hints.length] as LocationHint]))
    : null;
  const next = end < input.size ? end : null;
  return { nodes, seeds, regions, next, complete: from === 0 && next === null };
}
