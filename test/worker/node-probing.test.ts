/**
 * Protocol v2 inside workerd, through the GossipNode's own RPC and counters: a stopped node is
 * suspected without indirect probes (it refuses); a hung one (silent) only after indirect
 * probes, and when it resumes it refutes with a higher incarnation of the same generation; a
 * forced suspicion is refuted at once; a write is pushed and forwarded, reaching every node
 * well within one round; a quiet exchange ends at the fingerprint.
 */
import { afterEach, describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, SUSPECT } from "../../src/core/index.js";
import type { NodeView } from "../../src/node/rpc-types.js";
import { names, nodeStub, startCluster, stopAll, TEST_CONFIG, views, waitFor } from "./support/nodes.js";

const started: Array<[string, string[]]> = [];

afterEach(async () => {
  for (const [cluster, nodes] of started.splice(0)) await stopAll(cluster, nodes);
});

function memberOf(view: NodeView, node: string) {
  return view.members.find((member) => member.node === node);
}

function sum(all: NodeView[], counter: keyof NodeView["counters"]): number {
  return all.reduce((total, view) => total + view.counters[counter], 0);
}

/** Starts a cluster and waits until every node sees every node alive. */
async function converged(cluster: string, size: number, config = TEST_CONFIG): Promise<string[]> {
  const nodes = names(size);
  started.push([cluster, nodes]);
  await startCluster(cluster, size, ["n0"], config);
  await waitFor(
    `${cluster} to converge`,
    async () =>
      (await views(cluster, nodes)).every(
        (view) =>
          view.members.length === size &&
          view.members.every((member) => member.node === view.node || member.status === "alive"),
      ),
    20_000,
  );
  return nodes;
}

describe("probing", () => {
  it("suspects a stopped node from its refusal, with no indirect probe", async () => {
    const nodes = await converged("probe-stop", 3);
    const before = await views("probe-stop", nodes);
    await nodeStub("probe-stop", "n2").stop();
    const after = await waitFor("n2 suspected or dead at n0 and n1", async () => {
      const all = await views("probe-stop", ["n0", "n1"]);
      return all.every((view) => memberOf(view, "n2")?.status !== "alive") ? all : undefined;
    });
    expect(sum(after, "suspicionsRaised")).toBeGreaterThan(sum(before.slice(0, 2), "suspicionsRaised"));
    expect(sum(after, "indirectProbesSent")).toBe(sum(before.slice(0, 2), "indirectProbesSent"));
  });

  it("suspects a hung node only after indirect probes, and it refutes when it resumes", async () => {
    const nodes = await converged("probe-hang", 4);
    const [before] = await views("probe-hang", ["n3"]);
    await nodeStub("probe-hang", "n3").hang();
    const others = ["n0", "n1", "n2"];
    const suspected = await waitFor("n3 non-alive at the others", async () => {
      const all = await views("probe-hang", others);
      return all.every((view) => memberOf(view, "n3")?.status !== "alive") ? all : undefined;
    });
    expect(sum(suspected, "indirectProbesSent")).toBeGreaterThan(0);
    await nodeStub("probe-hang", "n3").start();
    const back = await waitFor("n3 alive again everywhere, same generation, higher incarnation", async () => {
      const all = await views("probe-hang", nodes);
      const ok = all.every((view) => {
        const member = memberOf(view, "n3");
        return (
          member?.status === "alive" &&
          member.generation === before?.generation &&
          member.incarnation > (before?.self.incarnation ?? 0)
        );
      });
      return ok ? all : undefined;
    });
    const n3 = back.find((view) => view.node === "n3") as NodeView;
    expect(n3.counters.refutations).toBeGreaterThan(0);
  });

  it("keeps its rounds' pace while a round waits on a hung peer", { timeout: 60_000 }, async () => {
    // A hung probe here takes 100 + 2 x 200 ms, two and a half rounds; the suspicion outlasts
    // the window.
    const config = { ...TEST_CONFIG, suspicionMult: 50, roundsPerWake: 1 };
    await converged("probe-pace", 3, config);
    await nodeStub("probe-pace", "n2").hang();
    await waitFor("n2 suspected at n0", async () => {
      const [view] = await views("probe-pace", ["n0"]);
      return memberOf(view as NodeView, "n2")?.status === "suspect";
    });
    // n0 now probes the suspect again and again (each a confirmation): two seconds of it.
    const [before] = await views("probe-pace", ["n0"]);
    const window = 10 * (config.intervalMs as number);
    await waitFor("a window of rounds at n0", async () => Date.now() >= (before as NodeView).at + window);
    const [after] = await views("probe-pace", ["n0"]);
    const delta = (key: keyof NodeView["counters"]) =>
      (after as NodeView).counters[key] - (before as NodeView).counters[key];
    expect(memberOf(after as NodeView, "n2")?.status).toBe("suspect");
    expect(delta("probesFailed")).toBeGreaterThan(0);
    // Each alarm ran about when it was armed for, so the rounds kept the interval's pace, not
    // the hung probe's (each alarm then ran some 300 ms late).
    const alarms = delta("alarmsRun");
    expect(alarms).toBeGreaterThanOrEqual(5);
    expect(delta("alarmLateMs") / alarms).toBeLessThan((config.intervalMs as number) / 2);
  });

  it("refutes a forced suspicion at once with a higher incarnation", async () => {
    const nodes = await converged("probe-refute", 3);
    const [target] = await views("probe-refute", ["n1"]);
    const self = (target as NodeView).self;
    const ping = {
      t: "ping",
      v: PROTOCOL_VERSION,
      c: "probe-refute",
      f: "n0",
      g: 1,
      s: 1,
      n: [["n1", self.generation, self.incarnation, SUSPECT, self.maxVersion, "n0"]],
    };
    expect(await nodeStub("probe-refute", "n1").gossip(ping)).toMatchObject({ t: "ack" });
    await waitFor("every node to hold n1 alive at a higher incarnation", async () =>
      (await views("probe-refute", nodes)).every((view) => {
        const member = memberOf(view, "n1");
        return member?.status === "alive" && member.incarnation > self.incarnation;
      }),
    );
    for (const view of await views("probe-refute", ["n0", "n2"])) {
      expect(memberOf(view, "n1")?.status).toBe("alive");
    }
  });
});

describe("dissemination", () => {
  it("pushes a write and forwards it, reaching every node well within one round", async () => {
    // Long rounds: anti-entropy cannot explain a spread faster than one interval.
    const config = { ...TEST_CONFIG, intervalMs: 4000, probeTimeoutMs: 500 };
    const nodes = await converged("push-write", 6, config);
    const before = await views("push-write", nodes);
    const t0 = Date.now();
    await nodeStub("push-write", "n0").setKey("colour", "green");
    const after = await waitFor(
      "the write on every node",
      async () => {
        const all = await views("push-write", nodes);
        return all.every((view) => memberOf(view, "n0")?.state.colour === "green") ? all : undefined;
      },
      3000,
      20,
    );
    const ms = Date.now() - t0;
    console.log(`[probing] a write reached 6 nodes in ${ms} ms (interval 4000 ms)`);
    expect(ms).toBeLessThan(3000);
    expect(sum(after, "pushesSent")).toBeGreaterThan(sum(before, "pushesSent"));
  });

  it("ends quiet exchanges at the fingerprint: one small request and its answer", async () => {
    const nodes = await converged("quiet", 3);
    const before = await views("quiet", nodes);
    await waitFor("a few quiet exchanges", async () => {
      const all = await views("quiet", nodes);
      return sum(all, "exchangesQuiet") >= sum(before, "exchangesQuiet") + 6;
    });
    const after = await views("quiet", nodes);
    const exchanges = sum(after, "exchangesCompleted") - sum(before, "exchangesCompleted");
    const quiet = sum(after, "exchangesQuiet") - sum(before, "exchangesQuiet");
    expect(quiet).toBe(exchanges);
    const bytes = sum(after, "bytesSent") - sum(before, "bytesSent");
    const messages = sum(after, "messagesSent") - sum(before, "messagesSent");
    expect(bytes / messages).toBeLessThan(120);
  });
});
