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
  return sameFields(resolveConfig(request.config ?? {}), view.config);
}

/** Whether two flat records hold the same value under every field either has. */
function sameFields(a: object, b: object): boolean {
  const left = new Map(Object.entries(a));
  const right = new Map(Object.entries(b));
  for (const field of new Set([...left.keys(), ...right.keys()]))
    if (left.get(field) !== right.get(field)) return false;
  return true;
}
