/**
 * member-views.ts: what a node shows of its view hides reserved keys but shows the region,
 * lists every member sorted by name, and tells an unknown member from a known one.
 */
import { describe, expect, it } from "vitest";
import { REGION_KEY } from "../../src/core/keys.js";
import { membership, memberView, statusOf, view } from "../../src/core/member-views.js";
import { engine } from "./support/engine.js";

describe("member views", () => {
  it("shows user keys and the region, never a reserved key", () => {
    const { ctx } = engine();
    ctx.state.self.set("colour", "red");
    ctx.state.self.set(REGION_KEY, "eu");
    expect(memberView(ctx, "a")).toMatchObject({ node: "a", state: { colour: "red" }, region: "eu" });
  });

  it("lists every member sorted by name, itself included, and saves the others with their claims", () => {
    const { ctx } = engine({ name: "m", peers: ["z", "b"] });
    expect(view(ctx).map((member) => member.node)).toEqual(["b", "m", "z"]);
    expect(
      membership(ctx)
        .map((entry) => [entry.name, entry.status])
        .sort(),
    ).toEqual([
      ["b", "alive"],
      ["z", "alive"],
    ]);
  });

  it("answers undefined for a member it does not know, and its own status for itself", () => {
    const { ctx } = engine({ peers: ["b"] });
    expect(memberView(ctx, "nobody")).toBeUndefined();
    expect(statusOf(ctx, "nobody")).toBeUndefined();
    expect(statusOf(ctx, "a")).toBe("alive");
    expect(statusOf(ctx, "b")).toBe("alive");
  });
});
