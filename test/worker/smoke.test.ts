/**
 * Smoke test of the Worker inside workerd: the HTTP entry answers and a
 * GossipNode stub answers RPC.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("worker smoke", () => {
  it("GET /v1/health answers {ok:true}", async () => {
    const res = await exports.default.fetch("http://hearsay.test/v1/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("binds the local API token (vitest.config.ts overrides any .dev.vars)", () => {
    expect(env.API_TOKEN).toBe("dev-token");
  });

  it("a GossipNode stub answers ping() over RPC", async () => {
    const stub = env.GOSSIP_NODE.getByName("smoke/n0");
    expect(await stub.ping()).toBe("pong");
  });
});
