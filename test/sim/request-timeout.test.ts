/**
 * A simulated request ends once, at the virtual time a real one would: with its answer when the
 * round trip fits in its timeout, otherwise with a timeout at the deadline, whether the request
 * was lost, its peer is down, or the answer comes too late. (The simulator puts a timeout on the
 * clock only when no answer can beat it; these hold it to the same times as one put on for every
 * request.)
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/index.js";
import { SimCluster } from "../../src/sim/cluster.js";
import { fixedLatency } from "../../src/sim/latency.js";

function cluster(latencyMs: number, loss = 0): SimCluster {
  return new SimCluster({
    size: 4,
    config: resolveConfig({}),
    seed: 3,
    loss,
    latency: fixedLatency(latencyMs),
    start: "converged",
    seeds: 1,
  });
}

/** Sends a ping from n0 to n1 with `timeoutMs` and runs the clock until it ends. */
async function ping(sim: SimCluster, timeoutMs: number): Promise<{ ok: boolean; after: number }> {
  const from = sim.node("n0");
  const sentAt = sim.now;
  let ended: { ok: boolean; after: number } | undefined;
  from.transport.request("n1", from.gossiper.makePing("n1"), timeoutMs).then(
    () => {
      ended = { ok: true, after: sim.now - sentAt };
    },
    () => {
      ended = { ok: false, after: sim.now - sentAt };
    },
  );
  await sim.clock.advanceUntil(() => ended !== undefined, sentAt + 10 * timeoutMs);
  if (!ended) throw new Error("the request never ended");
  return ended;
}

describe("a simulated request", { timeout: 30_000 }, () => {
  it("is answered after its round trip when that fits in its timeout", async () => {
    expect(await ping(cluster(40), 200)).toEqual({ ok: true, after: 80 });
  });

  it("times out at its deadline when the answer would come later", async () => {
    expect(await ping(cluster(150), 200)).toEqual({ ok: false, after: 200 });
  });

  it("times out at its deadline when its peer is down or every message is lost", async () => {
    const down = cluster(40);
    down.crash("n1");
    expect(await ping(down, 200)).toEqual({ ok: false, after: 200 });
    expect(await ping(cluster(40, 1), 200)).toEqual({ ok: false, after: 200 });
  });
});
