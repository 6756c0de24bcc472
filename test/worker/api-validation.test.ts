/**
 * The API's guard rails, through the Worker's own fetch: auth (missing, wrong, no token
 * configured, READ_TOKEN), every input limit, malformed JSON, wrong content type, oversized
 * bodies, unknown routes, and the OpenAPI document. Every refusal is a 4xx in the one error
 * shape and changes nothing.
 */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { handleError } from "../../src/api/errors.js";
import { call, callJson, expectError } from "./support/api.js";

const NODE = "/v1/clusters/guard/nodes/n0";

describe("errors have one shape", () => {
  it("an unknown route is a 404 not_found", async () => {
    const { status, json } = await callJson("GET", "/v1/nope");
    expect(status).toBe(404);
    expect(expectError(json).code).toBe("not_found");
  });

  it("an unknown method on a known path is a 404 not_found", async () => {
    const { status, json } = await callJson("PATCH", NODE, { body: { seeds: [] } });
    expect(status).toBe(404);
    expect(expectError(json).code).toBe("not_found");
  });

  it("malformed JSON is a 400 invalid_json", async () => {
    const { status, json } = await callJson("PUT", NODE, { body: '{"seeds": [' });
    expect(status).toBe(400);
    expect(expectError(json).code).toBe("invalid_json");
  });

  it("a body that is not JSON is a 415", async () => {
    const { status, json } = await callJson("PUT", NODE, {
      body: "seeds=n1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(status).toBe(415);
    expect(expectError(json).code).toBe("unsupported_media_type");
  });

  it("a body over 64 KiB is a 413", async () => {
    const { status, json } = await callJson("PUT", `${NODE}/state/big`, {
      body: { value: "x".repeat(70_000) },
    });
    expect(status).toBe(413);
    expect(expectError(json).code).toBe("payload_too_large");
  });

  it("a missing body is a 400 naming the field", async () => {
    const { status, json } = await callJson("POST", "/v1/clusters/guard/bootstrap", {});
    expect(status).toBe(400);
    expect(expectError(json).message).toContain("body.size");
  });
});

describe("faults", () => {
  it("an internal fault is a 500 in the same shape, without a stack trace or the fault's text", async () => {
    // The app's own error handler, on a route that throws the way a bug would.
    const app = new Hono().onError(handleError);
    app.get("/boom", () => {
      throw new TypeError("cannot read properties of undefined (secret detail)");
    });
    const res = await app.request("/boom");
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "internal", message: "internal error" } });
    expect(text).not.toContain("secret detail");
    expect(text).not.toMatch(/\bat .*:\d+/);
  });
});

describe("auth", () => {
  it("a mutating call without a token is 401", async () => {
    const { status, headers, json } = await callJson("POST", `${NODE}/stop`, { token: null });
    expect(status).toBe(401);
    expect(expectError(json).code).toBe("unauthorized");
    expect(headers.get("www-authenticate")).toContain("Bearer");
  });

  it("a wrong token is 401", async () => {
    const { status, json } = await callJson("POST", `${NODE}/stop`, { token: "dev-tokeN" });
    expect(status).toBe(401);
    expect(expectError(json).message).toContain("wrong bearer token");
  });

  it("a non-bearer Authorization header is 401", async () => {
    const { status, json } = await callJson("POST", `${NODE}/stop`, {
      token: null,
      headers: { authorization: "Basic ZGV2LXRva2Vu" },
    });
    expect(status).toBe(401);
    expect(expectError(json).code).toBe("unauthorized");
  });

  it("auth is checked before the body, so a stranger learns nothing from validation", async () => {
    const { status } = await callJson("POST", "/v1/clusters/guard/bootstrap", {
      token: null,
      body: { size: 0 },
    });
    expect(status).toBe(401);
  });

  it("with no API_TOKEN configured, mutating calls are refused (fail closed)", async () => {
    const { status, json } = await callJson("POST", "/v1/clusters/guard/bootstrap", {
      body: { size: 1 },
      env: { API_TOKEN: undefined },
    });
    expect(status).toBe(403);
    const error = expectError(json);
    expect(error.code).toBe("no_token_configured");
    expect(error.message).toContain("no API_TOKEN configured");
    // Even a request that carries some token is refused.
    const empty = await callJson("POST", `${NODE}/stop`, { env: { API_TOKEN: "" } });
    expect(empty.status).toBe(403);
  });

  it("reads are public when READ_TOKEN is unset", async () => {
    const { status } = await callJson("GET", NODE, { token: null });
    expect(status).toBe(404); // passes auth, then the node is unknown
  });

  it("with READ_TOKEN set, reads need READ_TOKEN or API_TOKEN", async () => {
    const env = { READ_TOKEN: "reader" };
    expect((await callJson("GET", NODE, { token: null, env })).status).toBe(401);
    expect((await callJson("GET", NODE, { token: "nope", env })).status).toBe(401);
    expect((await callJson("GET", NODE, { token: "reader", env })).status).toBe(404);
    expect((await callJson("GET", NODE, { token: "dev-token", env })).status).toBe(404);
    expect((await callJson("GET", `${NODE}?access_token=reader`, { token: null, env })).status).toBe(404);
    // A URL takes READ_TOKEN only: the write token never travels in a URL.
    const writeInUrl = await callJson("GET", `${NODE}?access_token=dev-token`, { token: null, env });
    expect(writeInUrl.status).toBe(401);
    expect(expectError(writeInUrl.json).message).toContain("must be READ_TOKEN");
    // READ_TOKEN does not open mutating calls.
    expect((await callJson("POST", `${NODE}/stop`, { token: "reader", env })).status).toBe(401);
    // Health and the OpenAPI document stay public.
    expect((await call("GET", "/v1/health", { token: null, env })).status).toBe(200);
    expect((await call("GET", "/openapi.json", { token: null, env })).status).toBe(200);
  });
});

describe("input limits", () => {
  const bad: Array<[string, string, string, unknown]> = [
    ["cluster name with capitals", "PUT", "/v1/clusters/Guard/nodes/n0", { seeds: [] }],
    ["cluster name starting with -", "PUT", "/v1/clusters/-guard/nodes/n0", { seeds: [] }],
    ["node name of 64 characters", "PUT", `/v1/clusters/guard/nodes/${"a".repeat(64)}`, { seeds: [] }],
    ["node name with a dot", "PUT", "/v1/clusters/guard/nodes/n.0", { seeds: [] }],
    ["seeds not an array", "PUT", NODE, { seeds: "n1" }],
    ["a bad seed name", "PUT", NODE, { seeds: ["N1"] }],
    ["repeated seeds", "PUT", NODE, { seeds: ["n1", "n1"] }],
    ["65 seeds", "PUT", NODE, { seeds: Array.from({ length: 65 }, (_, i) => `n${i}`) }],
    ["an unknown body field", "PUT", NODE, { seeds: [], color: "red" }],
    ["intervalMs below 10", "PUT", NODE, { seeds: [], config: { intervalMs: 5 } }],
    ["fanout above 16", "PUT", NODE, { seeds: [], config: { fanout: 17 } }],
    ["fractional fanout", "PUT", NODE, { seeds: [], config: { fanout: 1.5 } }],
    ["jitter above 1", "PUT", NODE, { seeds: [], config: { jitter: 2 } }],
    ["an unknown mode", "PUT", NODE, { seeds: [], config: { mode: "gossip" } }],
    ["an unknown config field", "PUT", NODE, { seeds: [], config: { interval: 100 } }],
    ["a string number in config", "PUT", NODE, { seeds: [], config: { intervalMs: "100" } }],
    ["bootstrap size 0", "POST", "/v1/clusters/guard/bootstrap", { size: 0 }],
    ["bootstrap size 1001", "POST", "/v1/clusters/guard/bootstrap", { size: 1001 }],
    ["fractional bootstrap size", "POST", "/v1/clusters/guard/bootstrap", { size: 2.5 }],
    ["bootstrap size as a string", "POST", "/v1/clusters/guard/bootstrap", { size: "3" }],
    ["a seed outside n0..n{size-1}", "POST", "/v1/clusters/guard/bootstrap", { size: 3, seeds: ["n3"] }],
    ["empty bootstrap seeds", "POST", "/v1/clusters/guard/bootstrap", { size: 3, seeds: [] }],
    ["a key of 129 bytes", "PUT", `${NODE}/state/${"k".repeat(129)}`, { value: "v" }],
    ["a key with a space", "PUT", `${NODE}/state/a%20b`, { value: "v" }],
    ["a key with a non-ASCII letter", "PUT", `${NODE}/state/%C3%A9`, { value: "v" }],
    ["a value over 4096 bytes", "PUT", `${NODE}/state/k`, { value: "x".repeat(4097) }],
    [
      "a value over 4096 UTF-8 bytes but fewer characters",
      "PUT",
      `${NODE}/state/k`,
      { value: "é".repeat(2049) },
    ],
    ["a non-string value", "PUT", `${NODE}/state/k`, { value: 42 }],
    ["a bad key on delete", "DELETE", `${NODE}/state/${"k".repeat(129)}`, undefined],
    ["a bad since on events", "GET", "/v1/clusters/guard/nodes/n0/events?since=-1", undefined],
    ["a bad digests flag", "GET", "/v1/clusters/guard?digests=yes", undefined],
  ];

  for (const [what, method, path, body] of bad) {
    it(`refuses ${what} with a 400 invalid_request`, async () => {
      const { status, json } = await callJson(method, path, body === undefined ? {} : { body });
      expect(status).toBe(400);
      const error = expectError(json);
      expect(error.code).toBe("invalid_request");
      expect(error.message.length).toBeGreaterThan(0);
    });
  }

  it("reports each problem once, naming the field", async () => {
    const { json } = await callJson("PUT", NODE, {
      body: { seeds: [], config: { intervalMs: 5, fanot: 3 } },
    });
    const message = expectError(json).message;
    expect(message.match(/intervalMs/g)).toHaveLength(2); // "body.config.intervalMs: intervalMs must be ..."
    expect(message).toContain("fanot");
  });

  it("accepts the largest key and value (then finds no such node)", async () => {
    const { status, json } = await callJson("PUT", `${NODE}/state/${"k".repeat(128)}`, {
      body: { value: "é".repeat(2048) },
    });
    expect(status).toBe(404);
    expect(expectError(json).code).toBe("not_found");
  });

  it("a refused bootstrap changes nothing", async () => {
    await callJson("POST", "/v1/clusters/untouched/bootstrap", { body: { size: 1001 } });
    const { status } = await callJson("GET", "/v1/clusters/untouched");
    expect(status).toBe(404);
  });
});

describe("unknown clusters and nodes", () => {
  it("GET an unknown cluster is 404", async () => {
    const { status, json } = await callJson("GET", "/v1/clusters/nobody");
    expect(status).toBe(404);
    expect(expectError(json).code).toBe("not_found");
  });

  for (const [method, path] of [
    ["GET", NODE],
    ["GET", `${NODE}/events`],
    ["PUT", `${NODE}/state/k`],
    ["DELETE", `${NODE}/state/k`],
    ["POST", `${NODE}/leave`],
    ["POST", `${NODE}/stop`],
    ["POST", `${NODE}/start`],
  ] as const) {
    it(`${method} ${path.replace(NODE, "<unknown node>")} is 404`, async () => {
      const { status, json } = await callJson(method, path, method === "PUT" ? { body: { value: "v" } } : {});
      expect(status).toBe(404);
      expect(expectError(json).code).toBe("not_found");
    });
  }
});

describe("headers and documents", () => {
  it("every response carries secure headers, errors included", async () => {
    for (const path of ["/v1/health", "/v1/nope"]) {
      const res = await call("GET", path);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
    }
  });

  it("reads answer CORS; the preflight allows no mutating method", async () => {
    const res = await call("GET", "/v1/health", { headers: { origin: "https://elsewhere.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const preflight = await call("OPTIONS", NODE, {
      token: null,
      headers: { origin: "https://elsewhere.example", "access-control-request-method": "PUT" },
    });
    expect(preflight.headers.get("access-control-allow-methods")).not.toContain("PUT");
  });

  // GET / (the dashboard) is static assets, which workerd tests cannot see: the page and its
  // CSP are checked against wrangler dev in test/e2e/dashboard.test.ts.

  it("GET /openapi.json documents every route with the limits the checks use", async () => {
    const { status, json } = await callJson("GET", "/openapi.json", { token: null });
    expect(status).toBe(200);
    expect(json.openapi).toMatch(/^3\./);
    const paths = Object.keys(json.paths).sort();
    expect(paths).toEqual(
      [
        "/v1/health",
        "/v1/clusters/{cluster}",
        "/v1/clusters/{cluster}/agents/{agent}",
        "/v1/clusters/{cluster}/bootstrap",
        "/v1/clusters/{cluster}/members",
        "/v1/clusters/{cluster}/metrics",
        "/v1/clusters/{cluster}/nodes/{node}",
        "/v1/clusters/{cluster}/nodes/{node}/alarm",
        "/v1/clusters/{cluster}/nodes/{node}/events",
        "/v1/clusters/{cluster}/nodes/{node}/evict",
        "/v1/clusters/{cluster}/nodes/{node}/hang",
        "/v1/clusters/{cluster}/nodes/{node}/leave",
        "/v1/clusters/{cluster}/nodes/{node}/start",
        "/v1/clusters/{cluster}/nodes/{node}/state/{key}",
        "/v1/clusters/{cluster}/nodes/{node}/stop",
        "/v1/clusters/{cluster}/nodes/{node}/watch",
        "/v1/clusters/{cluster}/owners",
        "/v1/clusters/{cluster}/tokens/revoke",
        "/v1/tokens",
      ].sort(),
    );
    expect(json.paths["/v1/clusters/{cluster}/nodes/{node}"].put.security).toEqual([{ bearerAuth: [] }]);
    const bootstrap = json.components.schemas.BootstrapRequest;
    expect(bootstrap.properties.size).toMatchObject({ minimum: 1, maximum: 1000 });
    const config = json.components.schemas.GossipConfigInput;
    expect(config.properties.fanout).toMatchObject({ minimum: 1, maximum: 16 });
    expect(config.properties.mode.enum).toEqual(["push", "pull", "push-pull"]);
    expect(config.additionalProperties).toBe(false);
    const agent = json.components.schemas.AgentHeartbeatRequest;
    expect(agent.properties.intervalMs).toMatchObject({ minimum: 100, maximum: 60000 });
    expect(json.paths["/v1/clusters/{cluster}/agents/{agent}"].put.security).toEqual([{ bearerAuth: [] }]);
    const owners = json.components.schemas.OwnersRequest;
    expect(owners.properties.keys).toMatchObject({ minItems: 1, maxItems: 1000 });
    expect(owners.properties.n).toMatchObject({ minimum: 1, maximum: 16 });
    expect(owners.properties.kind.enum).toEqual(["node", "agent", "any"]);
  });
});
