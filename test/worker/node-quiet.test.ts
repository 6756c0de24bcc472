/**
 * Every busy state ends, in workerd (issue 19, items 2 to 4, as seen over HTTP): a one-node
 * cluster is alive at once and goes quiet; a survivor whose peers stopped returns to its longest
 * wake; a home whose agent left stops waking every round.
 */
import { afterAll, describe, expect, it } from "vitest";
import { names, nodeStub, startCluster, stopAll, TEST_CONFIG, views, waitFor } from "./support/nodes.js";

const LONGEST = 16;
const config = { ...TEST_CONFIG, roundsPerWake: LONGEST, maxBackoffRounds: LONGEST };

afterAll(async () => {
  await stopAll("quiet-lone", names(1));
  await stopAll("quiet-survivor", names(4));
  await stopAll("quiet-agent", names(2));
});

/** Waits until `node` is back at its longest wake. */
async function quiet(cluster: string, node: string): Promise<void> {
  await waitFor(
    `${cluster}/${node} at its longest wake`,
    async () => (await views(cluster, [node]))[0]?.wakeRounds === LONGEST,
    30_000,
  );
}

describe("quiet returns", () => {
  it("a one-node cluster is alive at once, and quiets down", { timeout: 60_000 }, async () => {
    const [view] = await startCluster("quiet-lone", 1, ["n0"], config);
    expect(view?.status).toBe("alive");
    expect(view?.members.find((member) => member.node === "n0")?.status).toBe("alive");
    await quiet("quiet-lone", "n0");
  });

  it("a survivor of four whose peers stopped goes back to its longest wake", {
    timeout: 90_000,
  }, async () => {
    await startCluster("quiet-survivor", 4, ["n0", "n1"], config);
    await waitFor("the cluster to converge", async () =>
      (await views("quiet-survivor", names(4))).every((v) => v.members.every((m) => m.status === "alive")),
    );
    await Promise.all(["n1", "n2", "n3"].map((node) => nodeStub("quiet-survivor", node).stop()));
    await quiet("quiet-survivor", "n0");
  });

  it("a home whose agent left stops waking every round", { timeout: 60_000 }, async () => {
    await startCluster("quiet-agent", 2, ["n0"], config);
    await nodeStub("quiet-agent", "n0").agentHeartbeat("worker", { intervalMs: 500 });
    expect((await views("quiet-agent", ["n0"]))[0]?.wakeRounds).toBe(1);
    await nodeStub("quiet-agent", "n0").agentLeave("worker");
    await quiet("quiet-agent", "n0");
  });
});
