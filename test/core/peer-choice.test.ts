/**
 * peer-choice.ts: a joining node goes to every seed, then waits pauses that double while no
 * one answers; a joined node exchanges with `fanout` live members, skipping rounds while
 * anti-entropy pauses; k peers are distinct and never the ones skipped; with a region, most
 * partners are of the node's own region.
 */
import { describe, expect, it } from "vitest";
import { REGION_KEY } from "../../src/core/keys.js";
import { exchangePeers, pickPeers, REACHABLE } from "../../src/core/peer-choice.js";
import { engine, names } from "./support/engine.js";

describe("peer choice", () => {
  it("sends a joining node to every seed, then after pauses that double", () => {
    const { ctx } = engine({ seeds: ["s1", "s2", "s3"], config: { deadPeerProbability: 0 } });
    const tries: number[] = [];
    for (let round = 1; round <= 40; round++) if (exchangePeers(ctx, 1).length > 0) tries.push(round);
    expect(exchangePeers(engine({ seeds: ["s1", "s2", "s3"] }).ctx, 1).sort()).toEqual(["s1", "s2", "s3"]);
    const gaps = tries.slice(1).map((round, i) => round - (tries[i] as number));
    expect(tries[0]).toBe(1);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1] as number);
    expect(gaps.at(-1)).toBeGreaterThan(gaps[0] as number);
  });

  it("exchanges with fanout live members when due, and with none while anti-entropy pauses", () => {
    const { ctx } = engine({ peers: names(20), config: { deadPeerProbability: 0, seedProbability: 0 } });
    const first = exchangePeers(ctx, 1);
    expect(first).toHaveLength(ctx.config.fanout);
    ctx.aePause = 4;
    ctx.aeWait = 4;
    expect(exchangePeers(ctx, 1)).toEqual([]);
    expect(exchangePeers(ctx, 3)).toHaveLength(ctx.config.fanout);
  });

  it("picks k distinct peers, none of them skipped", () => {
    const { ctx } = engine({ peers: names(10) });
    for (let i = 0; i < 50; i++) {
      const picked = pickPeers(ctx, REACHABLE, 4, (name) => name === "p3");
      expect(picked).toHaveLength(4);
      expect(new Set(picked).size).toBe(4);
      expect(picked).not.toContain("p3");
    }
  });

  it("prefers members of its own region", () => {
    const peers = names(20);
    const { ctx } = engine({ peers });
    ctx.state.self.set(REGION_KEY, "r0");
    peers.forEach((peer, i) => {
      const member = ctx.state.get(peer);
      member?.set(REGION_KEY, i % 2 === 0 ? "r0" : "r1");
    });
    let own = 0;
    let all = 0;
    for (let i = 0; i < 200; i++) {
      for (const peer of pickPeers(ctx, REACHABLE, 2)) {
        all++;
        if (ctx.state.get(peer)?.get(REGION_KEY) === "r0") own++;
      }
    }
    expect(own / all).toBeGreaterThan(0.75);
  });
});
