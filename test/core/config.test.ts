/**
 * Configuration: derived defaults are valid for every interval up to its maximum, every field
 * is checked against its rule, and the cross-field rules reject combinations that would stall
 * or blind a node with a ConfigError naming the field.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CONFIG_LIMITS,
  ConfigError,
  type GossipConfig,
  hotFanoutFor,
  MESSAGE_OVERHEAD_BYTES,
  resolveConfig,
} from "../../src/core/index.js";

/** The cross-field rules, restated: what every resolved config must satisfy. */
function consistent(config: GossipConfig): boolean {
  return (
    config.probeTimeoutMs * 2 <= config.intervalMs &&
    config.roundsPerWake <= config.maxBackoffRounds &&
    config.maxMessageBytes >= 2 * config.maxDeltaBytes + config.maxPiggybackBytes + MESSAGE_OVERHEAD_BYTES
  );
}

function withinRules(config: GossipConfig): boolean {
  return Object.entries(CONFIG_LIMITS).every(([field, rule]) => {
    const value = config[field as keyof GossipConfig] as number;
    return value >= rule.min && value <= rule.max && (!rule.integer || Number.isInteger(value));
  });
}

describe("resolveConfig", () => {
  it("fills defaults, deriving the time periods from the interval", () => {
    const config = resolveConfig({ intervalMs: 200 });
    expect(config).toMatchObject({
      intervalMs: 200,
      detector: "swim",
      mode: "push-pull",
      fanout: 2,
      probesPerRound: 1.5,
      roundsPerWake: 16,
      indirectChecks: 3,
      suspicionMult: 1.5,
      suspicionMaxMult: 4,
      probeTimeoutMs: 40,
      minStdDevMs: 100,
      acceptablePauseMs: 200,
      firstIntervalEstimateMs: 200,
      deadGraceMs: 720_000,
    });
    expect(resolveConfig({}).probeTimeoutMs).toBe(200);
    expect(resolveConfig({ intervalMs: 10_000 }).probeTimeoutMs).toBe(500);
  });

  it("derives valid defaults for every interval up to its maximum", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: CONFIG_LIMITS.intervalMs.min, max: CONFIG_LIMITS.intervalMs.max }),
          fc.double({ min: CONFIG_LIMITS.intervalMs.min, max: CONFIG_LIMITS.intervalMs.max, noNaN: true }),
          fc.constantFrom(10, 719_999, 720_000, 720_001, 3_600_000),
        ),
        (intervalMs) => {
          const config = resolveConfig({ intervalMs });
          expect(withinRules(config)).toBe(true);
          expect(consistent(config)).toBe(true);
        },
      ),
    );
  });

  it("either resolves to a consistent config or throws a ConfigError, for any fields in their ranges", () => {
    const fields = Object.entries(CONFIG_LIMITS).map(([field, rule]) =>
      fc.tuple(
        fc.constant(field),
        rule.integer
          ? fc.integer({ min: rule.min, max: rule.max })
          : fc.double({ min: rule.min, max: rule.max, noNaN: true }),
      ),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(...fields), { maxLength: 6 }), (pairs) => {
        const input = Object.fromEntries(pairs);
        try {
          const config = resolveConfig(input);
          expect(withinRules(config)).toBe(true);
          expect(consistent(config)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect(["probeTimeoutMs", "maxMessageBytes", "roundsPerWake"]).toContain(
            (error as ConfigError).field,
          );
        }
      }),
    );
  });

  it.each([
    [{ intervalMs: 0 }, "intervalMs"],
    [{ intervalMs: 3_600_001 }, "intervalMs"],
    [{ fanout: 2.5 }, "fanout"],
    [{ fanout: 0 }, "fanout"],
    [{ mode: "broadcast" }, "mode"],
    [{ detector: "heartbeat" }, "detector"],
    [{ phiThreshold: Number.NaN }, "phiThreshold"],
    [{ jitter: 2 }, "jitter"],
    [{ maxDeltaBytes: "big" }, "maxDeltaBytes"],
    [{ probesPerRound: -1 }, "probesPerRound"],
    [{ suspicionConfirmations: 0 }, "suspicionConfirmations"],
    [{ deadGraceMs: 31 * 86_400_000 }, "deadGraceMs"],
  ])("rejects %j naming the field", (input, field) => {
    expect(() => resolveConfig(input as never)).toThrow(ConfigError);
    expect(() => resolveConfig(input as never)).toThrow(new RegExp(`^${field}: `));
  });

  it("rejects a probe timeout above half the interval, saying so", () => {
    expect(() => resolveConfig({ intervalMs: 1000, probeTimeoutMs: 501 })).toThrow(
      "probeTimeoutMs: must be at most half of intervalMs (500)",
    );
    expect(resolveConfig({ intervalMs: 1000, probeTimeoutMs: 500 }).probeTimeoutMs).toBe(500);
    // A short interval given alone brings its derived probe timeout down with it.
    expect(resolveConfig({ intervalMs: 20 }).probeTimeoutMs).toBe(4);
  });

  it("rejects a message limit that the node's own deltas would exceed, saying why", () => {
    const input = { maxDeltaBytes: 1_048_576, maxPiggybackBytes: 2048, maxMessageBytes: 2_000_000 };
    expect(() => resolveConfig(input)).toThrow(ConfigError);
    expect(() => resolveConfig(input)).toThrow(
      /^maxMessageBytes: must be at least 2 x maxDeltaBytes \+ maxPiggybackBytes \+ 65536 \(2164736\), or peers reject what this node sends$/,
    );
    expect(resolveConfig({ ...input, maxMessageBytes: 2_164_736 }).maxMessageBytes).toBe(2_164_736);
  });

  it("ignores unknown fields (a newer peer's config)", () => {
    expect(resolveConfig({ futureKnob: 3 } as never)).toEqual(resolveConfig({}));
  });
});

describe("hotFanoutFor", () => {
  it("derives ceil(log2(N + 1)) + 1 when 0, else takes the number given", () => {
    const derived = resolveConfig({});
    expect([1, 3, 100, 1000].map((n) => hotFanoutFor(derived, n))).toEqual([2, 3, 8, 11]);
    expect(hotFanoutFor(resolveConfig({ hotFanout: 4 }), 1000)).toBe(4);
  });
});
