/**
 * A 16-node cluster of GossipNode objects bootstrapped from two seeds, observed through each
 * node's own view: membership converges everywhere, a write and a delete reach every node, a
 * stopped node is suspected then declared dead by all the others (and nobody else is ever
 * suspected), and it comes back with a higher generation. Prints the measured times.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeView, SequencedEvent } from "../../src/node/rpc-types.js";
import { names, nodeStub, startCluster, stopAll, TEST_CONFIG, views, waitFor } from "./support/nodes.js";

const CLUSTER = "c16";
const SIZE = 16;
const NODES = names(SIZE);
const INTERVAL = TEST_CONFIG.intervalMs as number;
const TIMEOUT = 60_000;

function memberOf(view: NodeView, node: string) {
  return view.members.find((member) => member.node === node);
}

function meanRounds(all: NodeView[]): number {
  return all.reduce((sum, view) => sum + view.counters.rounds, 0) / all.length;
}

/** Elapsed time and rounds since `t0` (rounds: intervals elapsed, and rounds the nodes ran). */
function measure(what: string, t0: number, roundsAtStart: number, all: NodeView[]): void {
  const ms = Date.now() - t0;
  const ran = meanRounds(all) - roundsAtStart;
  console.log(
    `[c16] ${what}: ${ms} ms = ${(ms / INTERVAL).toFixed(1)} intervals, ${ran.toFixed(1)} rounds per node`,
  );
}

describe("a 16-node cluster", () => {
  let eventsFrom: number[] = [];

  beforeAll(async () => {
    eventsFrom = new Array(SIZE).fill(0);
  });

  afterAll(async () => {
    await stopAll(CLUSTER, NODES);
  });

  it("bootstrapped from two seeds reaches full membership everywhere", { timeout: TIMEOUT }, async () => {
    const t0 = Date.now();
    await startCluster(CLUSTER, SIZE, ["n0", "n1"]);
    const all = await waitFor(
      "every node to see 16 alive members",
      async () => {
        const all = await views(CLUSTER, NODES);
        const full = all.every(
          (view) =>
            view.members.length === SIZE &&
            view.members.every((member) => member.node === view.node || member.status === "alive"),
        );
        return full ? all : undefined;
      },
      30_000,
      100,
    );
    measure("full membership", t0, 0, all);
    for (const view of all)
      expect(view.members.map((member) => member.node).sort()).toEqual([...NODES].sort());
  });

  it("spreads a write and a delete to every node", { timeout: TIMEOUT }, async () => {
    const before = await views(CLUSTER, NODES);
    const t0 = Date.now();
    const { version } = await nodeStub(CLUSTER, "n5").setKey("load", "0.42");
    expect(version).toBeGreaterThan(0);
    const seen = await waitFor(
      "every node to see n5's write",
      async () => {
        const all = await views(CLUSTER, NODES);
        return all.every((view) => memberOf(view, "n5")?.state.load === "0.42") ? all : undefined;
      },
      20_000,
      100,
    );
    measure("write spread", t0, meanRounds(before), seen);

    const t1 = Date.now();
    expect((await nodeStub(CLUSTER, "n5").deleteKey("load")).version).toBe(version + 1);
    const gone = await waitFor(
      "every node to see n5's delete",
      async () => {
        const all = await views(CLUSTER, NODES);
        return all.every((view) => memberOf(view, "n5")?.state.load === undefined) ? all : undefined;
      },
      20_000,
      100,
    );
    measure("delete spread", t1, meanRounds(seen), gone);
  });

  it("marks a stopped node non-alive then dead everywhere, suspects no one else, and sees it return", {
    timeout: TIMEOUT,
  }, async () => {
    eventsFrom = await Promise.all(NODES.map(async (node) => (await nodeStub(CLUSTER, node).events(0)).next));
    const others = NODES.filter((node) => node !== "n7");
    const wrongly = new Set<string>();
    const check = (all: NodeView[]) => {
      for (const view of all) {
        for (const member of view.members) {
          if (member.node !== "n7" && member.node !== view.node && member.status !== "alive") {
            wrongly.add(`${view.node} saw ${member.node} ${member.status}`);
          }
        }
      }
    };
    const before = await views(CLUSTER, others);
    const stopped = await nodeStub(CLUSTER, "n7").stop();
    const t0 = Date.now();
    const suspected = await waitFor(
      "every other node to stop seeing n7 alive",
      async () => {
        const all = await views(CLUSTER, others);
        check(all);
        return all.every((view) => memberOf(view, "n7")?.status !== "alive") ? all : undefined;
      },
      30_000,
      100,
    );
    measure("stopped node non-alive everywhere", t0, meanRounds(before), suspected);
    const dead = await waitFor(
      "every other node to see n7 dead",
      async () => {
        const all = await views(CLUSTER, others);
        check(all);
        return all.every((view) => memberOf(view, "n7")?.status === "dead") ? all : undefined;
      },
      30_000,
      100,
    );
    measure("stopped node dead everywhere", t0, meanRounds(before), dead);

    const restarted = await nodeStub(CLUSTER, "n7").start();
    expect(restarted.generation).toBeGreaterThan(stopped.generation);
    const t1 = Date.now();
    const back = await waitFor(
      "every node to see n7 alive again with its new generation",
      async () => {
        const all = await views(CLUSTER, others);
        check(all);
        const ok = all.every((view) => {
          const member = memberOf(view, "n7");
          return member?.status === "alive" && member.generation === restarted.generation;
        });
        return ok ? all : undefined;
      },
      30_000,
      100,
    );
    measure("restarted node alive everywhere", t1, meanRounds(dead), back);

    expect([...wrongly]).toEqual([]);
    const events: SequencedEvent[] = [];
    for (const [i, node] of NODES.entries()) {
      events.push(...(await nodeStub(CLUSTER, node).events(eventsFrom[i] as number)).events);
    }
    const suspicions = events.filter(
      (event) => (event.type === "suspect" || event.type === "dead") && event.node !== "n7",
    );
    expect(suspicions).toEqual([]);
  });

  it("writes well under one storage row per round in steady state", { timeout: TIMEOUT }, async () => {
    // Wait for a quiet cluster (the restart above settled), then measure a window.
    const first = await waitFor("a quiet cluster", async () => {
      const all = await views(CLUSTER, NODES);
      return all.every((view) => view.members.every((member) => member.status === "alive")) ? all : undefined;
    });
    const rowsAtStart = first.reduce((sum, view) => sum + view.counters.storageRowsWritten, 0);
    const roundsAtStart = first.reduce((sum, view) => sum + view.counters.rounds, 0);
    const callsAtStart = first.reduce((sum, view) => sum + view.counters.rpcCallsMade, 0);
    const bytesAtStart = first.reduce((sum, view) => sum + view.counters.bytesSent, 0);
    const last = await waitFor("about 20 more rounds per node", async () => {
      const all = await views(CLUSTER, NODES);
      return all.reduce((sum, view) => sum + view.counters.rounds, 0) - roundsAtStart >= 20 * SIZE
        ? all
        : undefined;
    });
    const rounds = last.reduce((sum, view) => sum + view.counters.rounds, 0) - roundsAtStart;
    const rows = last.reduce((sum, view) => sum + view.counters.storageRowsWritten, 0) - rowsAtStart;
    const calls = last.reduce((sum, view) => sum + view.counters.rpcCallsMade, 0) - callsAtStart;
    const bytes = last.reduce((sum, view) => sum + view.counters.bytesSent, 0) - bytesAtStart;
    console.log(
      `[c16] steady state over ${rounds} rounds: ${(rows / rounds).toFixed(2)} rows written, ` +
        `${(calls / rounds).toFixed(2)} RPC calls made, ${(bytes / rounds).toFixed(0)} bytes sent per round`,
    );
    // Wakes back off to one every roundsPerWake rounds once the restart above has settled.
    expect(rows / rounds).toBeLessThan(0.75);
  });
});
