/**
 * A node judges the agents it knows only through their homes: when a home is dead or gone, it
 * suspects the home's agents. It checks the homes when something changed (an agent learned, a
 * member dead or left), not on every wake: a mesh with many agents would otherwise pay for all
 * of them on every quiet round of every node.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ClusterState } from "../../src/core/cluster-state.js";
import { pair } from "./support/pair.js";

const AGENTS = 300;

function knowingAgents() {
  const { n0: observer, n1: home, exchange, advance } = pair();
  for (let i = 0; i < AGENTS; i++) home.hostHeartbeat(`agent-${i}`, 10_000, {}, () => {});
  home.takeOutbox();
  exchange(home, observer);
  observer.takeOutbox();
  return { observer, advance };
}

afterEach(() => vi.restoreAllMocks());

describe("the agents a node knows, on its quiet rounds", () => {
  it("are not visited one by one when nothing changed", () => {
    const { observer, advance } = knowingAgents();
    expect(observer.statusOf(`agent-${AGENTS - 1}`)).toBe("alive");
    observer.beginRound();
    const lookups = vi.spyOn(ClusterState.prototype, "get");
    for (let i = 0; i < 10; i++) {
      advance(100);
      observer.beginRound();
    }
    expect(lookups.mock.calls.length).toBeLessThan(AGENTS);
  });

  it("are not visited one by one when an agent wrote, its home the same", () => {
    const { n0: observer, n1: home, exchange, advance } = pair();
    for (let i = 0; i < AGENTS; i++) home.hostHeartbeat(`agent-${i}`, 10_000, { load: "1" }, () => {});
    home.takeOutbox();
    exchange(home, observer);
    observer.takeOutbox();
    observer.beginRound();
    for (let i = 0; i < 5; i++) {
      advance(100);
      home.hostHeartbeat(`agent-${i}`, 10_000, { load: String(i + 2) }, () => {});
    }
    home.takeOutbox();
    exchange(home, observer);
    observer.takeOutbox();
    expect(observer.stateOf("agent-4")?.get("load")).toBe("6");
    const lookups = vi.spyOn(ClusterState.prototype, "get");
    advance(100);
    observer.beginRound();
    expect(lookups.mock.calls.length).toBeLessThan(AGENTS);
  });

  it("are suspected once their home is dead", () => {
    const { observer, advance } = knowingAgents();
    observer.beginRound();
    for (let i = 0; i < 3 && observer.statusOf("n1") !== "dead"; i++) {
      advance(100);
      observer.probeResult("n1", "silent");
      for (let r = 0; r < 100 && observer.statusOf("n1") === "suspect"; r++) {
        advance(100);
        observer.beginRound();
      }
    }
    expect(observer.statusOf("n1")).toBe("dead");
    advance(100);
    observer.beginRound();
    expect(observer.statusOf("agent-0")).toBe("suspect");
    expect(observer.statusOf(`agent-${AGENTS - 1}`)).toBe("suspect");
  });
});
