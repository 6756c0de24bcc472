/**
 * Helpers for GossipNode tests inside workerd: stubs by name, a fast but tolerant test
 * config, polling with deadlines, and clean-up that leaves no alarm armed.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { GossipConfigInput } from "../../../src/core/index.js";
import type { NodeOptions, NodeView } from "../../../src/node/rpc-types.js";

import { waitFor } from "../../../tools/poll.js";

export { waitFor };

/** A fresh stub (a stub whose call threw is broken, so tests never keep one across errors). */
export function nodeStub(cluster: string, node: string) {
  return env.GOSSIP_NODE.getByName(`${cluster}/${node}`);
}

/**
 * Rounds every 200 ms. All test objects share one workerd process on a busy machine, so probes
 * wait the longest the interval allows (100 ms, then 200 ms for each indirect wave) and a
 * suspicion lasts at least a second: a stopped node (it refuses) is suspected within a round
 * or two and dead about a second later, and a slow live node refutes long before that.
 */
export const TEST_CONFIG: GossipConfigInput = {
  intervalMs: 200,
  fanout: 2,
  probeTimeoutMs: 100,
  suspicionMult: 5,
};

export const TEST_OPTIONS: Partial<NodeOptions> = { rpcTimeoutMs: 1000 };

export function names(size: number): string[] {
  return Array.from({ length: size }, (_, i) => `n${i}`);
}

/** Configures nodes n0..n{size-1} of a cluster with the given seeds. */
export async function startCluster(
  cluster: string,
  size: number,
  seeds: string[],
  config: GossipConfigInput = TEST_CONFIG,
  options: Partial<NodeOptions> = TEST_OPTIONS,
): Promise<NodeView[]> {
  const started = await Promise.all(
    names(size).map((node) => nodeStub(cluster, node).configure({ cluster, node, seeds, config, options })),
  );
  // RPC result types widen tuples; the values are NodeViews.
  return started as unknown as NodeView[];
}

export async function views(cluster: string, nodes: readonly string[]): Promise<NodeView[]> {
  const all = (await Promise.all(
    nodes.map((node) => nodeStub(cluster, node).view()),
  )) as unknown as Array<NodeView | null>;
  return all.map((view, i) => {
    if (!view) throw new Error(`${cluster}/${nodes[i]} is not configured`);
    return view;
  });
}

/**
 * Evicts a node (`evict`: its memory dropped just after the answer) and waits until it has
 * reset: its counters live in memory and start again from zero. Only plain RPCs are made
 * meanwhile: a runInDurableObject call that the reset cuts short fails the whole test file,
 * not the poll.
 */
export async function evictAndWait(cluster: string, node: string): Promise<void> {
  const before = (await nodeStub(cluster, node).view())?.counters.rounds ?? 0;
  if (before === 0) throw new Error(`${cluster}/${node} has run no round: its reset could not be told`);
  await nodeStub(cluster, node).evict();
  await waitFor(`${cluster}/${node} to reset`, async () => {
    const rounds = (await nodeStub(cluster, node).view())?.counters.rounds;
    return rounds !== undefined && rounds < before;
  });
}

/** Stops every node and deletes any alarm left, so nothing keeps running after a test. */
export async function stopAll(cluster: string, nodes: readonly string[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      const stub = nodeStub(cluster, node);
      await runInDurableObject(stub, async (_instance, state) => {
        await state.storage.deleteAlarm();
      });
      try {
        await nodeStub(cluster, node).stop();
      } catch {
        // never configured: nothing to stop
      }
    }),
  );
}
