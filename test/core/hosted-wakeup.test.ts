/**
 * An agent's home after a wake-up (issue 19, item 7): the last heartbeat read back is when it
 * was saved, possibly many intervals before the home went down. The first heartbeat after the
 * wake-up must not be sampled as a gap of that length, or the agent's window is poisoned: a
 * later silence is then judged against an inflated mean and the agent is suspected far later
 * than a home that never slept would suspect it.
 */
import { describe, expect, it } from "vitest";
import { HostedAgent, NodeState } from "../../src/core/index.js";

const INTERVAL = 100;
const PHI_WINDOW = 100;

function agent(lastHeartbeat?: number): HostedAgent {
  return new HostedAgent(new NodeState("a", 1), INTERVAL, PHI_WINDOW, 0, lastHeartbeat);
}

describe("a hosted agent read back after a wake-up", () => {
  it("judges its heartbeats after the wake-up exactly as a home that never slept would", () => {
    const savedAt = 1_000_000;
    const restored = agent(savedAt);
    const fresh = agent();
    // The agent kept beating while the home was down; the home wakes 5 s after the save.
    let t = savedAt + 5_000;
    for (let i = 0; i < 10; i++, t += INTERVAL) {
      restored.arrived(t, INTERVAL);
      fresh.arrived(t, INTERVAL);
    }
    const last = t - INTERVAL;
    for (const silence of [100, 200, 300, 500, 1_000]) {
      expect(restored.phi(last + silence)).toBeCloseTo(fresh.phi(last + silence), 9);
    }
    // and a silence of a few intervals is still suspected (phi 8 is the default threshold)
    expect(restored.phi(last + 5 * INTERVAL)).toBeGreaterThanOrEqual(8);
  });

  it("counts phi from the saved time until the first heartbeat after the wake-up", () => {
    const restored = agent(1_000_000);
    expect(restored.lastHeartbeat).toBe(1_000_000);
    expect(restored.phi(1_000_000 + 10 * INTERVAL)).toBeGreaterThanOrEqual(8);
  });
});
