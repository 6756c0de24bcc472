/**
 * Scoped tokens inside workerd: minting (admin only, needs TOKEN_SECRET), what each scope
 * opens and refuses (403 `forbidden` naming the scope), expired (401 `token_expired`),
 * forged, `alg: none` and other-secret tokens (401), revocation (at once here, within the
 * epoch cache's time on an isolate that did not revoke), and the OpenAPI's scope statements.
 */
import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOKEN_EPOCH_CACHE_MS } from "../../src/api/token-epochs.js";
import { clusterRegistry } from "../../src/node/registries.js";
import { call, callJson, eventually, expectError } from "./support/api.js";

const A = "tok-a";
const B = "tok-b";
const SECRET = "dev-token-secret";

async function mint(body: Record<string, unknown>): Promise<string> {
  const { status, json } = await callJson("POST", "/v1/tokens", { body });
  expect(status, JSON.stringify(json)).toBe(200);
  return json.token as string;
}

function b64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

beforeAll(async () => {
  for (const cluster of [A, B]) {
    const boot = await callJson("POST", `/v1/clusters/${cluster}/bootstrap`, {
      body: { size: 1, config: { intervalMs: 1000 } },
    });
    expect(boot.status).toBe(200);
  }
});

afterAll(async () => {
  for (const cluster of [A, B]) await call("POST", `/v1/clusters/${cluster}/nodes/n0/stop`);
});

describe("minting", () => {
  it("answers the token, its scope, cluster, agent and expiry (30 days by default)", async () => {
    const before = Date.now();
    const { status, json } = await callJson("POST", "/v1/tokens", { body: { scope: "read", cluster: A } });
    expect(status).toBe(200);
    expect(json).toMatchObject({ scope: "read", cluster: A, agent: null });
    expect(json.token.split(".")).toHaveLength(3);
    const days = (Date.parse(json.expiresAt) - before) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThan(30.01);
  });

  it("refuses bad requests: agent scope without agent, agent on another scope, ttl over a year", async () => {
    for (const body of [
      { scope: "agent", cluster: A },
      { scope: "read", cluster: A, agent: "x1" },
      { scope: "write", cluster: A, ttlSeconds: 366 * 86_400 },
      { scope: "admin", cluster: A },
      { scope: "read", cluster: "Bad Name" },
    ]) {
      const { status, json } = await callJson("POST", "/v1/tokens", { body });
      expect(status, JSON.stringify(body)).toBe(400);
      expect(expectError(json).code).toBe("invalid_request");
    }
  });

  it("only the admin token mints; a scoped token, even write, cannot", async () => {
    const write = await mint({ scope: "write", cluster: A });
    const { status, json } = await callJson("POST", "/v1/tokens", {
      token: write,
      body: { scope: "write", cluster: A },
    });
    expect(status).toBe(403);
    expect(expectError(json)).toMatchObject({ code: "forbidden" });
    expect(expectError(json).message).toContain("write token");
    expect(
      (await callJson("POST", "/v1/tokens", { token: null, body: { scope: "read", cluster: A } })).status,
    ).toBe(401);
  });

  it("with no TOKEN_SECRET, minting is refused and scoped tokens are not accepted", async () => {
    const write = await mint({ scope: "write", cluster: A });
    const noSecret = { TOKEN_SECRET: undefined };
    const minted = await callJson("POST", "/v1/tokens", {
      body: { scope: "read", cluster: A },
      env: noSecret,
    });
    expect(minted.status).toBe(403);
    expect(expectError(minted.json)).toMatchObject({ code: "no_token_configured" });
    expect(expectError(minted.json).message).toContain("TOKEN_SECRET");
    const used = await callJson("POST", `/v1/clusters/${A}/nodes/n0/evict`, { token: write, env: noSecret });
    expect(used.status).toBe(401);
  });
});

describe("scopes", () => {
  const READ_ENV = { READ_TOKEN: "reader" };

  it("read: the GETs of its cluster only", async () => {
    const read = await mint({ scope: "read", cluster: A });
    expect((await callJson("GET", `/v1/clusters/${A}`, { token: read, env: READ_ENV })).status).toBe(200);
    expect((await callJson("GET", `/v1/clusters/${A}/nodes/n0`, { token: read, env: READ_ENV })).status).toBe(
      200,
    );
    const other = await callJson("GET", `/v1/clusters/${B}`, { token: read, env: READ_ENV });
    expect(other.status).toBe(403);
    expect(expectError(other.json).message).toContain(`cannot act on cluster ${B}`);
    const write = await callJson("PUT", `/v1/clusters/${A}/nodes/n0/state/k`, {
      token: read,
      body: { value: "v" },
    });
    expect(write.status).toBe(403);
    expect(expectError(write.json)).toMatchObject({ code: "forbidden" });
    expect(expectError(write.json).message).toContain("a read token");
  });

  it("write: every call on its cluster, stop and start included; not another cluster, not tokens", async () => {
    const write = await mint({ scope: "write", cluster: A });
    const put = await callJson("PUT", `/v1/clusters/${A}/nodes/n0/state/k`, {
      token: write,
      body: { value: "v" },
    });
    expect(put.status).toBe(200);
    expect((await callJson("POST", `/v1/clusters/${A}/nodes/n0/stop`, { token: write })).status).toBe(200);
    expect((await callJson("POST", `/v1/clusters/${A}/nodes/n0/start`, { token: write })).status).toBe(200);
    const other = await callJson("POST", `/v1/clusters/${B}/nodes/n0/stop`, { token: write });
    expect(other.status).toBe(403);
    expect((await callJson("POST", `/v1/clusters/${A}/tokens/revoke`, { token: write })).status).toBe(403);
    // Reads of its cluster too, when reads need a token.
    expect((await callJson("GET", `/v1/clusters/${A}`, { token: write, env: READ_ENV })).status).toBe(200);
  });

  it("agent: PUT and DELETE of its own agent, and reads of its cluster; nothing else", async () => {
    const agent = await mint({ scope: "agent", cluster: A, agent: "edge-1" });
    const beat = await callJson("PUT", `/v1/clusters/${A}/agents/edge-1`, {
      token: agent,
      body: { intervalMs: 60_000 },
    });
    expect(beat.status, JSON.stringify(beat.json)).toBe(200);
    const otherAgent = await callJson("PUT", `/v1/clusters/${A}/agents/edge-2`, {
      token: agent,
      body: { intervalMs: 60_000 },
    });
    expect(otherAgent.status).toBe(403);
    expect(expectError(otherAgent.json).message).toContain("cannot act for agent edge-2");
    expect(
      (
        await callJson("PUT", `/v1/clusters/${B}/agents/edge-1`, {
          token: agent,
          body: { intervalMs: 60_000 },
        })
      ).status,
    ).toBe(403);
    expect((await callJson("POST", `/v1/clusters/${A}/nodes/n0/stop`, { token: agent })).status).toBe(403);
    expect((await callJson("GET", `/v1/clusters/${A}`, { token: agent, env: READ_ENV })).status).toBe(200);
    expect((await callJson("DELETE", `/v1/clusters/${A}/agents/edge-1`, { token: agent })).status).toBe(200);
  });

  it("READ_TOKEN and API_TOKEN keep working", async () => {
    expect((await callJson("GET", `/v1/clusters/${B}`, { token: "reader", env: READ_ENV })).status).toBe(200);
    expect((await callJson("GET", `/v1/clusters/${B}`, { env: READ_ENV })).status).toBe(200);
  });
});

describe("refusals", () => {
  const path = `/v1/clusters/${A}/nodes/n0/state/k`;
  const body = { value: "v" };

  it("an expired token is 401 token_expired", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign(
      { scope: "write", cluster: A, ep: 0, iat: now - 120, exp: now - 60 },
      SECRET,
      "HS256",
    );
    const { status, json } = await callJson("PUT", path, { token: expired, body });
    expect(status).toBe(401);
    expect(expectError(json).code).toBe("token_expired");
  });

  it("a bad signature, alg none, another secret or a changed claim is 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { scope: "write", cluster: A, ep: 1_000, iat: now, exp: now + 600 };
    const good = await mint({ scope: "write", cluster: A });
    const [header, payload, signature] = good.split(".") as [string, string, string];
    const forged = [
      `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`,
      await sign(claims, "another-secret", "HS256"),
      await sign(claims, SECRET, "HS512"),
      `${header}.${b64url({ ...JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))), cluster: B })}.${signature}`,
      `${header}.${payload}.${signature.slice(0, -2)}AA`,
    ];
    for (const token of forged) {
      const { status, json } = await callJson("PUT", path, { token, body });
      expect(status, token).toBe(401);
      expect(expectError(json).code).toBe("unauthorized");
    }
  });
});

describe("revocation", () => {
  it("refuses earlier tokens at once on the isolate that revoked; later tokens work", async () => {
    const cluster = "tok-rev";
    const write = await mint({ scope: "write", cluster });
    const boot = await callJson("POST", `/v1/clusters/${cluster}/bootstrap`, {
      token: write,
      body: { size: 1 },
    });
    expect(boot.status).toBe(200);
    const revoked = await callJson("POST", `/v1/clusters/${cluster}/tokens/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.json.epoch).toBeGreaterThanOrEqual(1);
    const refused = await callJson("POST", `/v1/clusters/${cluster}/nodes/n0/stop`, { token: write });
    expect(refused.status).toBe(401);
    expect(expectError(refused.json).message).toContain("revoked");
    const fresh = await mint({ scope: "write", cluster });
    expect((await callJson("POST", `/v1/clusters/${cluster}/nodes/n0/stop`, { token: fresh })).status).toBe(
      200,
    );
    // Tokens of other clusters are untouched.
    const other = await mint({ scope: "write", cluster: B });
    expect((await callJson("POST", `/v1/clusters/${B}/nodes/n0/evict`, { token: other })).status).toBe(200);
  });

  it("an isolate that did not revoke refuses earlier tokens within 10 s", async () => {
    expect(TOKEN_EPOCH_CACHE_MS).toBeLessThanOrEqual(10_000);
    const cluster = "tok-rev-2";
    const write = await mint({ scope: "write", cluster });
    const at = `/v1/clusters/${cluster}/nodes/n0`;
    // Used once, so this isolate holds the epoch in its cache.
    expect((await callJson("PUT", at, { token: write, body: { seeds: [] } })).status).toBe(200);
    // Raised straight in the registry, as another isolate's revoke would be.
    await clusterRegistry(env, cluster).raiseTokenEpoch(cluster);
    const started = Date.now();
    await eventually(
      async () => (await callJson("POST", `${at}/stop`, { token: write })).status === 401,
      12_000,
      "the old token to be refused",
    );
    expect(Date.now() - started).toBeLessThanOrEqual(10_000 + 1_000);
    await call("POST", `${at}/stop`);
  });
});

describe("OpenAPI", () => {
  it("states each guarded route's access and the scopes that open it", async () => {
    const { json } = await callJson("GET", "/openapi.json");
    const op = (path: string, method: string) => json.paths[path][method];
    expect(op("/v1/tokens", "post")["x-hearsay-scopes"]).toEqual([]);
    expect(op("/v1/tokens", "post")["x-hearsay-access"]).toBe("admin");
    expect(op("/v1/clusters/{cluster}/agents/{agent}", "put")["x-hearsay-scopes"]).toEqual([
      "write",
      "agent",
    ]);
    expect(op("/v1/clusters/{cluster}/nodes/{node}/stop", "post")["x-hearsay-scopes"]).toEqual(["write"]);
    expect(op("/v1/clusters/{cluster}", "get")["x-hearsay-scopes"]).toEqual(["read", "write", "agent"]);
    expect(op("/v1/health", "get")["x-hearsay-scopes"]).toBeUndefined();
  });
});
