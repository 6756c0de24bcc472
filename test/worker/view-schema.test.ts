/**
 * The OpenAPI schemas of a node's view carry every field a real view has: a view with a
 * region, a key and a hosted agent, read over the API, survives parsing by `NodeViewSchema`
 * unchanged (zod drops fields a schema lacks, so a dropped field shows as a difference), and
 * `GET /openapi.json` lists `incarnation` as a required member field.
 */
import { afterAll, describe, expect, it } from "vitest";
import { NodeViewSchema } from "../../src/api/view-schemas.js";
import { call, callJson } from "./support/api.js";

const NODE = "/v1/clusters/view-schema/nodes/n0";

afterAll(async () => {
  await call("DELETE", "/v1/clusters/view-schema/agents/a0");
  await call("POST", `${NODE}/stop`);
});

describe("the view's schema", () => {
  it("parses a real view without losing a field", async () => {
    const started = await callJson("PUT", NODE, {
      body: { seeds: [], region: "weur", config: { intervalMs: 1000 } },
    });
    expect(started.status).toBe(200);
    expect((await callJson("PUT", `${NODE}/state/load`, { body: { value: "0.5" } })).status).toBe(200);
    const agent = await callJson("PUT", "/v1/clusters/view-schema/agents/a0", {
      body: { intervalMs: 1000, node: "n0", state: { role: "cache" } },
    });
    expect(agent.status).toBe(200);

    const read = await callJson("GET", NODE, { token: null });
    expect(read.status).toBe(200);
    const members = read.json.members as Array<Record<string, unknown>>;
    expect(members.find((m) => m.node === "a0")).toMatchObject({ kind: "agent", home: "n0" });
    expect(read.json.self).toMatchObject({ region: "weur", state: { load: "0.5" } });
    expect(read.json.self).toHaveProperty("incarnation");

    const parsed = NodeViewSchema.safeParse(read.json);
    expect(parsed.error).toBeUndefined();
    expect(parsed.data).toEqual(read.json);
  });

  it("documents incarnation as a required member field", async () => {
    const doc = await callJson("GET", "/openapi.json", { token: null });
    const member = doc.json.components.schemas.MemberView;
    expect(member.properties).toHaveProperty("incarnation");
    expect(member.required).toContain("incarnation");
  });
});
