/**
 * Every documented limit at once: a few nodes, each holding the most keys, each key of the
 * longest name and the longest value. Every write is acknowledged, every node's view carries
 * all of it, and every node saves every peer's keys in rows under SQLite's row limit.
 */
import { runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import {
  CLUSTER_STATE_BUDGET_BYTES,
  MAX_NODE_STATE_BYTES,
  MAX_USER_KEYS,
  MAX_VALUE_BYTES,
} from "../../src/node/limits.js";
import { names, nodeStub, startCluster, stopAll, TEST_OPTIONS, views, waitFor } from "./support/nodes.js";

const CLUSTER = "limits";
const NODES = names(4);
const KEY_LENGTH = 128; // USER_KEY_PATTERN's longest

afterAll(() => stopAll(CLUSTER, NODES));

function key(i: number): string {
  return `k${i}.`.padEnd(KEY_LENGTH, "x");
}

function value(node: string, i: number): string {
  return `${node}/${i}:`.padEnd(MAX_VALUE_BYTES, "v");
}

describe("every documented limit at once", () => {
  it(`${NODES.length} nodes x ${MAX_USER_KEYS} keys x ${MAX_VALUE_BYTES} characters`, {
    timeout: 240_000,
  }, async () => {
    // Saves unthrottled, so the rows are written as soon as the keys arrive.
    await startCluster(CLUSTER, NODES.length, ["n0"], undefined, { ...TEST_OPTIONS, snapshotEveryMs: 0 });
    const acknowledged = await Promise.all(
      NODES.map(async (node) => {
        let versions = 0;
        for (let i = 0; i < MAX_USER_KEYS; i++) {
          const { version } = await nodeStub(CLUSTER, node).setKey(key(i), value(node, i));
          if (version > 0) versions++;
        }
        return versions;
      }),
    );
    expect(acknowledged).toEqual(NODES.map(() => MAX_USER_KEYS));
    const complete = (state: Record<string, string> | undefined, node: string) =>
      state !== undefined &&
      Object.keys(state).length === MAX_USER_KEYS &&
      state[key(MAX_USER_KEYS - 1)] === value(node, MAX_USER_KEYS - 1);
    const all = await waitFor(
      "every node to hold every node's keys",
      async () => {
        const seen = await views(CLUSTER, NODES);
        const ok = seen.every((view) =>
          NODES.every((node) => complete(view.members.find((m) => m.node === node)?.state, node)),
        );
        return ok ? seen : undefined;
      },
      180_000,
      1000,
    );
    for (const view of all) {
      for (const member of view.members) expect(member.state[key(7)]).toBe(value(member.node, 7));
    }
    // Every node saves the others' keys, each row under the limit, all of it under the budget.
    await waitFor("every node to save every peer's keys", async () => {
      const rows = await Promise.all(
        NODES.map((node) =>
          runInDurableObject(nodeStub(CLUSTER, node), (_instance, state) =>
            state.storage.sql
              .exec<{ name: string; state: string }>("SELECT name, state FROM peer_keys")
              .toArray()
              .map((row) => ({
                name: row.name,
                keys: (JSON.parse(row.state) as { keys: unknown[] }).keys.length,
                bytes: new TextEncoder().encode(row.state).length,
              })),
          ),
        ),
      );
      const ok = rows.every(
        (saved) => saved.length === NODES.length - 1 && saved.every((row) => row.keys === MAX_USER_KEYS),
      );
      if (!ok) return undefined;
      for (const saved of rows) {
        for (const row of saved) expect(row.bytes).toBeLessThanOrEqual(MAX_NODE_STATE_BYTES);
        const held = saved.reduce((sum, row) => sum + row.bytes, 0) * (NODES.length / (NODES.length - 1));
        expect(held).toBeLessThanOrEqual(CLUSTER_STATE_BUDGET_BYTES);
      }
      return true;
    });
  });
});
