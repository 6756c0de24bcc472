/**
 * End-to-end smoke test: a real `wrangler dev` answers GET /v1/health.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "../../tools/wrangler-dev.js";

describe("wrangler dev", () => {
  let dev: WranglerDev;

  beforeAll(async () => {
    dev = await startWranglerDev();
  });

  afterAll(async () => {
    await dev?.stop();
  });

  it("GET /v1/health answers {ok:true}", async () => {
    const res = await fetch(`${dev.url}/v1/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});
