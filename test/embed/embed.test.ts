/**
 * examples/embed in workerd: a Worker of one's own that mounts the mesh under /mesh. Its own
 * routes answer beside the mesh; the mesh's API works under the prefix (bootstrap, an agent's
 * heartbeat, the OpenAPI document, the JSON errors); and the example's own /backends route
 * reads the mesh through the typed client.
 *
 *   npx vitest run --project embed
 */
import { exports } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../../tools/poll.js";

const TOKEN = "dev-token";
const CLUSTER = "embedded";
const NODES = ["n0", "n1", "n2"];

function call(method: string, path: string, body?: unknown): Promise<Response> {
  const headers = new Headers({ authorization: `Bearer ${TOKEN}` });
  if (body !== undefined) headers.set("content-type", "application/json");
  return exports.default.fetch(
    new Request(`http://app.test${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

// biome-ignore lint/suspicious/noExplicitAny: the test reads answers of several shapes.
async function json(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await call(method, path, body);
  return { status: res.status, body: await res.json() };
}

describe("examples/embed", () => {
  afterAll(async () => {
    for (const node of NODES) await call("POST", `/mesh/v1/clusters/${CLUSTER}/nodes/${node}/stop`);
  });

  it("answers its own routes beside the mounted mesh", async () => {
    const own = await call("GET", "/");
    expect(own.status).toBe(200);
    expect(await own.text()).toContain("An app of my own");
    expect(await json("GET", "/mesh/v1/health")).toMatchObject({ status: 200, body: { ok: true } });
    // Not under the prefix: the app's, not the mesh's.
    expect((await call("GET", "/v1/health")).status).toBe(404);
  });

  it("runs the mesh under /mesh and reads it back through the client in its own route", async () => {
    const boot = await json("POST", `/mesh/v1/clusters/${CLUSTER}/bootstrap`, {
      size: NODES.length,
      config: { intervalMs: 200 },
    });
    expect(boot.status).toBe(200);
    const beat = await json("PUT", `/mesh/v1/clusters/${CLUSTER}/agents/web-1`, {
      intervalMs: 1000,
      state: { endpoint: "10.0.0.7:443" },
    });
    expect(beat).toMatchObject({ status: 200, body: { outcome: "registered" } });
    // The mesh's errors keep their shape under the prefix.
    expect(await json("PUT", `/mesh/v1/clusters/${CLUSTER}/agents/web-1`, { intervalMs: 5 })).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_request" } },
    });

    const backends = await waitFor(
      "web-1 in /backends",
      async () => {
        await call("PUT", `/mesh/v1/clusters/${CLUSTER}/agents/web-1`, { intervalMs: 1000 });
        const answer = await json("GET", `/backends?cluster=${CLUSTER}`);
        return answer.status === 200 && answer.body.backends.length === 1 && answer.body;
      },
      20_000,
      100,
    );
    expect(backends.backends).toEqual([{ name: "web-1", endpoint: "10.0.0.7:443" }]);
    expect(await json("GET", "/backends?cluster=nope")).toMatchObject({
      status: 404,
      body: { error: { code: "not_found" } },
    });
  });

  it("serves the OpenAPI document under the prefix", async () => {
    const doc = await json("GET", "/mesh/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.body.paths["/v1/clusters/{cluster}/members"]).toBeDefined();
  });
});
