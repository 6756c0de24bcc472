/**
 * Blocking members queries inside workerd (`GET .../members?index=<etag>&wait=`): an index that
 * is not the current page's answers at once; a change on another node answers the waiting
 * request as soon as the answering node records it; a quiet wait ends with a 304 carrying the
 * same ETag and costs the node a connect and a read, not a poll; bad `wait` is a 400.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MEMBERS_WAIT_MAX_MS } from "../../src/api/wait-duration.js";
import { call, callJson, eventually, expectError } from "./support/api.js";

vi.setConfig({ testTimeout: 40_000 });

const CONFIG = { intervalMs: 200, probeTimeoutMs: 100, suspicionMult: 5 };
const CLUSTER = "/v1/clusters/api-wait";
const PAGE = `${CLUSTER}/members?from=n0&keys=color`;

/** The page's ETag; a query of its own misses the Worker's one-second page cache. */
async function etagNow(page = PAGE): Promise<string> {
  const res = await call("GET", page, { token: null });
  expect(res.status).toBe(200);
  await res.body?.cancel();
  return res.headers.get("etag") as string;
}

beforeAll(async () => {
  expect((await callJson("POST", `${CLUSTER}/bootstrap`, { body: { size: 2, config: CONFIG } })).status).toBe(
    200,
  );
  await eventually(
    async () => {
      const { json } = await callJson("GET", PAGE);
      return (
        json.members?.length === 2 && json.members.every((m: { status: string }) => m.status === "alive")
      );
    },
    20_000,
    "n0 to see both nodes alive",
  );
});

afterAll(async () => {
  for (const node of ["n0", "n1"]) await call("POST", `${CLUSTER}/nodes/${node}/stop`);
});

describe("blocking members queries", () => {
  it("answer at once when the index is not the current page's", async () => {
    const res = await callJson("GET", `${PAGE}&index=${encodeURIComponent('"stale"')}&wait=30s`, {
      token: null,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(await etagNow());
  });

  it("answer as soon as a write on another node reaches the answering node", async () => {
    const etag = await etagNow();
    const started = Date.now();
    const waiting = callJson("GET", `${PAGE}&index=${encodeURIComponent(etag)}&wait=30s`, { token: null });
    await callJson("PUT", `${CLUSTER}/nodes/n1/state/color`, { body: { value: "blue" } });
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).not.toBe(etag);
    expect(res.json.members.find((m: { node: string }) => m.node === "n1").state.color).toBe("blue");
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("end a quiet wait with a 304 and the same ETag, costing the node no poll", async () => {
    const quiet = `${PAGE}&limit=50`;
    const etag = await etagNow(quiet);
    const apiCalls = async () => {
      const { counters } = (await callJson("GET", `${CLUSTER}/nodes/n0`)).json;
      return (counters.rpcCallsAnswered - counters.peerCallsAnswered) as number;
    };
    const before = await apiCalls();
    const started = Date.now();
    // The index as a bare opaque string (no quotes) names the same page.
    const res = await call("GET", `${quiet}&index=${etag.replaceAll('"', "")}&wait=3s`, { token: null });
    expect(res.status).toBe(304);
    expect(res.headers.get("etag")).toBe(etag);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    // At most a read of the page, the watch's connect, one read after it, and this test's read:
    // a poll twice a second would have made six more.
    expect((await apiCalls()) - before).toBeLessThanOrEqual(4);
  });

  it("refuse a malformed or too long wait, and a wait without an index, with a 400", async () => {
    const tooLong = `${MEMBERS_WAIT_MAX_MS / 60_000 + 1}m`;
    for (const query of ["index=x&wait=soon", `index=x&wait=${tooLong}`, "wait=30s"]) {
      const res = await callJson("GET", `${CLUSTER}/members?${query}`, { token: null });
      expect(res.status).toBe(400);
      expect(expectError(res.json).message).toContain("wait");
    }
  });
});
