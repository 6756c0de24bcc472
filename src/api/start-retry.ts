/**
 * Whether `PUT .../nodes/:node` repeats what a running node already runs: the same seeds and
 * the same resolved config. Such a call is a retry (a client that lost the first answer): it
 * answers the node as it is, same generation, and starts nothing. Anything else restarts.
 */
import { type GossipConfigInput, resolveConfig } from "../core/index.js";
import type { NodeView } from "../node/rpc-types.js";

export function isStartRetry(
  view: NodeView | null,
  request: { seeds: readonly string[]; config?: GossipConfigInput | undefined; region?: string | undefined },
): boolean {
  if (!view?.running) return false;
  // No region asks for the one the node has; another region is a change.
  if (request.region !== undefined && request.region !== view.self.region) return false;
  if (view.seeds.length !== request.seeds.length || view.seeds.some((seed, i) => seed !== request.seeds[i]))
    return false;
  const wanted = resolveConfig(request.config ?? {}) as unknown as Record<string, unknown>;
  const running = view.config as unknown as Record<string, unknown>;
  const fields = new Set([...Object.keys(wanted), ...Object.keys(running)]);
  for (const field of fields) if (wanted[field] !== running[field]) return false;
  return true;
}
