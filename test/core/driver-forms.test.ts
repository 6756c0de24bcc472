/**
 * The driver's steps are written once with callbacks (`runRoundThen`), and wrapped in promises
 * for the shells (`runRound`). A transport may answer either way: by promise (the Durable
 * Object, the Node shell) or by callback (`requestThen`, the simulator). Either way a round is
 * the same round, and a step that throws after an answer rejects the round, which the shells
 * count as a round error, rather than leaving it pending for ever.
 */
import { describe, expect, it } from "vitest";
import { type Gossiper, runRound, type Transport } from "../../src/core/index.js";
import { MemoryCluster } from "./support/memory-cluster.js";

/** The cluster's transport for `name`, answering by callback as well as by promise. */
function byCallback(cluster: MemoryCluster, name: string): Transport {
  const inner = cluster.transport(name);
  return {
    request: (peer, message, timeoutMs) => inner.request(peer, message, timeoutMs),
    send: (peer, message) => inner.send(peer, message),
    requestThen: (peer, message, timeoutMs, settle) => {
      inner.request(peer, message, timeoutMs).then(
        (answer) => settle(true, answer),
        (error) => settle(false, error),
      );
    },
  };
}

function twoClusters(): [MemoryCluster, MemoryCluster] {
  const make = () => new MemoryCluster({ size: 6, start: "converged", seed: 9, loss: 0.3 });
  return [make(), make()];
}

describe("the driver, by promise and by callback", () => {
  it("runs the same rounds whichever way the transport answers", async () => {
    const [promised, calledBack] = twoClusters();
    calledBack.crash("n3");
    promised.crash("n3");
    for (let round = 0; round < 5; round++) {
      const a = await runRound(promised.node("n0"), promised.transport("n0"));
      const b = await runRound(calledBack.node("n0"), byCallback(calledBack, "n0"));
      expect(b).toEqual(a);
    }
    expect(calledBack.node("n0").counters).toEqual(promised.node("n0").counters);
    expect(calledBack.node("n0").statusOf("n3")).toBe(promised.node("n0").statusOf("n3"));
  });

  it("rejects a round whose step throws after an answer, by promise and by callback", async () => {
    const [promised, calledBack] = twoClusters();
    const breakProbes = (node: Gossiper) => {
      node.probeResult = () => {
        throw new Error("broken step");
      };
    };
    breakProbes(promised.node("n0"));
    breakProbes(calledBack.node("n0"));
    await expect(runRound(promised.node("n0"), promised.transport("n0"))).rejects.toThrow("broken step");
    await expect(runRound(calledBack.node("n0"), byCallback(calledBack, "n0"))).rejects.toThrow(
      "broken step",
    );
  });
});
