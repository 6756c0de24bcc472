/**
 * The node's own check of a configure request keeps every gossip field the API accepts: a
 * field it dropped would be accepted over HTTP and then silently run at its default.
 */
import { describe, expect, it } from "vitest";
import { resolveSettings } from "../../src/node/start-request.js";

describe("configure request", () => {
  it("keeps the detector, mode and numeric tunables", () => {
    const settings = resolveSettings({
      cluster: "c",
      node: "n0",
      seeds: ["n0"],
      config: { detector: "phi", mode: "pull", fanout: 3 },
    });
    expect(settings.config.detector).toBe("phi");
    expect(settings.config.mode).toBe("pull");
    expect(settings.config.fanout).toBe(3);
  });

  it("refuses an unknown detector", () => {
    expect(() =>
      resolveSettings({ cluster: "c", node: "n0", seeds: [], config: { detector: "gut-feeling" } }),
    ).toThrow(/detector/);
  });
});
