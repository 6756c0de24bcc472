/**
 * `GET /v1/clusters/:cluster/members` inside workerd: the directory a user reads instead of a
 * node's whole view. Filters, projection of state keys, paging with a cursor that covers every
 * member once, the ETag that holds until something changes (304), short caching that is
 * private when reads need a token, the default node that skips stopped nodes, and bad queries
 * refused with a 400 that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { call, callJson, eventually, expectError } from "./support/api.js";

vi.setConfig({ testTimeout: 40_000 });

const CONFIG = { intervalMs: 200 };
const CLUSTER = "/v1/clusters/api-dir";
const MEMBERS = `${CLUSTER}/members`;
const SIZE = 4;
const NODES = ["n0", "n1", "n2", "n3"];

interface Member {
  node: string;
  kind: string;
  status: string;
  incarnation: number;
  generation: number;
  state?: Record<string, string>;
}

beforeAll(async () => {
  const boot = await callJson("POST", `${CLUSTER}/bootstrap`, { body: { size: SIZE, config: CONFIG } });
  expect(boot.status).toBe(200);
  await callJson("PUT", `${CLUSTER}/nodes/n1/state/load`, { body: { value: "0.5" } });
  await callJson("PUT", `${CLUSTER}/nodes/n1/state/other`, { body: { value: "x" } });
  // Every node sees every member alive, and n1's keys.
  await eventually(
    async () => {
      for (const node of NODES) {
        const { json } = await callJson("GET", `${MEMBERS}?from=${node}&keys=load`);
        const members = json.members as Member[];
        if (members.length !== SIZE || members.some((m) => m.status !== "alive")) return false;
        if (members.find((m) => m.node === "n1")?.state?.load !== "0.5") return false;
      }
      return true;
    },
    20_000,
    "every node to see the whole cluster alive",
  );
});

afterAll(async () => {
  for (const node of NODES) await call("POST", `${CLUSTER}/nodes/${node}/stop`);
});

describe("the directory", () => {
  it("lists every member as a lean record, sorted, with no state unless asked", async () => {
    const { status, headers, json } = await callJson("GET", MEMBERS, { token: null });
    expect(status).toBe(200);
    expect(json.cluster).toBe("api-dir");
    expect(NODES).toContain(json.from);
    expect(typeof json.at).toBe("number");
    expect(json.next).toBeNull();
    expect(json.members.map((m: Member) => m.node)).toEqual(NODES);
    for (const member of json.members as Member[]) {
      expect(member).toMatchObject({ kind: "node", status: "alive", incarnation: 0 });
      expect(member.generation).toBeGreaterThan(0);
      expect(member).not.toHaveProperty("state");
      expect(member).not.toHaveProperty("heartbeat");
      expect(member).not.toHaveProperty("phi");
    }
    expect(headers.get("cache-control")).toBe("public, max-age=2");
    expect(headers.get("etag")).toMatch(/^"[0-9a-f]{40}"$/);
  });

  it("includes only the asked keys, or all with *", async () => {
    const some = (await callJson("GET", `${MEMBERS}?from=n0&keys=load,missing`)).json;
    const n1 = some.members.find((m: Member) => m.node === "n1");
    expect(n1.state).toEqual({ load: "0.5" });
    expect(some.members.find((m: Member) => m.node === "n0").state).toEqual({});
    const all = (await callJson("GET", `${MEMBERS}?from=n0&keys=*`)).json;
    expect(all.members.find((m: Member) => m.node === "n1").state).toEqual({ load: "0.5", other: "x" });
  });

  it("filters by status and kind", async () => {
    expect((await callJson("GET", `${MEMBERS}?status=alive,suspect`)).json.members).toHaveLength(SIZE);
    expect((await callJson("GET", `${MEMBERS}?status=dead`)).json.members).toEqual([]);
    expect((await callJson("GET", `${MEMBERS}?kind=node`)).json.members).toHaveLength(SIZE);
    expect((await callJson("GET", `${MEMBERS}?kind=agent`)).json.members).toEqual([]);
    expect((await callJson("GET", `${MEMBERS}?region=weur`)).json.members).toEqual([]);
  });

  it("pages with limit and an opaque cursor, every member exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
      const { status, json } = await callJson("GET", `${MEMBERS}?from=n2&limit=3${query}`);
      expect(status).toBe(200);
      expect(json.members.length).toBeLessThanOrEqual(3);
      seen.push(...json.members.map((m: Member) => m.node));
      cursor = json.next;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(2);
    expect(seen).toEqual(NODES);
  });

  it("answers 304 to If-None-Match until something changes, then a new ETag", async () => {
    const first = await call("GET", `${MEMBERS}?from=n1&keys=load`);
    const tag = first.headers.get("etag") as string;
    expect(first.status).toBe(200);
    const again = await call("GET", `${MEMBERS}?from=n1&keys=load`, { headers: { "if-none-match": tag } });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(tag);
    expect(again.headers.get("cache-control")).toBe("public, max-age=2");
    expect(await again.text()).toBe("");
    // Another node with the same view gives the same ETag: it is not about who answered.
    const other = await call("GET", `${MEMBERS}?from=n3&keys=load`, { headers: { "if-none-match": tag } });
    expect(other.status).toBe(304);

    await callJson("PUT", `${CLUSTER}/nodes/n1/state/load`, { body: { value: "0.9" } });
    // A page may be reused for a second: the change shows within that.
    const changed = await eventually(
      async () => {
        const res = await callJson("GET", `${MEMBERS}?from=n1&keys=load`, {
          headers: { "if-none-match": tag },
        });
        return res.status === 200 && res;
      },
      5_000,
      "a 200 after the write",
    );
    expect(changed.headers.get("etag")).not.toBe(tag);
    expect(changed.json.members.find((m: Member) => m.node === "n1").state).toEqual({ load: "0.9" });
  });

  it("is private cache when reads need READ_TOKEN", async () => {
    const env = { READ_TOKEN: "reader" };
    expect((await call("GET", MEMBERS, { token: null, env })).status).toBe(401);
    const res = await call("GET", MEMBERS, { token: "reader", env });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, max-age=2");
  });
});

describe("who answers", () => {
  it("a named stopped node refuses; by default a running node answers", async () => {
    await call("POST", `${CLUSTER}/nodes/n3/stop`);
    const named = await callJson("GET", `${MEMBERS}?from=n3`);
    expect(named.status).toBe(409);
    expect(expectError(named.json).code).toBe("node_stopped");
    const froms = new Set<string>();
    for (let i = 0; i < 12; i++) {
      // Twelve different queries, so none is answered from the Worker's one-second reuse.
      const { status, json } = await callJson("GET", `${MEMBERS}?limit=${200 + i}`);
      expect(status).toBe(200);
      froms.add(json.from);
    }
    expect(froms.has("n3")).toBe(false);
    // Load spreads: more than one node answered.
    expect(froms.size).toBeGreaterThan(1);
    await call("POST", `${CLUSTER}/nodes/n3/start`);
  });
});

describe("bad queries", () => {
  const bad: Array<[string, string, number, string]> = [
    ["an unknown status", "?status=alive,sleepy", 400, "invalid_request"],
    ["an unknown kind", "?kind=robot", 400, "invalid_request"],
    ["a bad key", "?keys=no%20spaces", 400, "invalid_request"],
    ["limit 0", "?limit=0", 400, "invalid_request"],
    ["limit above 1000", "?limit=1001", 400, "invalid_request"],
    ["limit not a number", "?limit=ten", 400, "invalid_request"],
    ["a made-up cursor", "?cursor=bm9wZQ", 400, "invalid_request"],
    ["a bad region", "?region=West%20EU", 400, "invalid_request"],
    ["an unknown from", "?from=n99", 404, "not_found"],
  ];
  for (const [what, query, status, code] of bad) {
    it(`${what} is ${status} ${code}`, async () => {
      const res = await callJson("GET", `${MEMBERS}${query}`);
      expect(res.status).toBe(status);
      expect(expectError(res.json).code).toBe(code);
    });
  }

  it("an unknown cluster is 404", async () => {
    const res = await callJson("GET", "/v1/clusters/no-such-cluster/members");
    expect(res.status).toBe(404);
    expect(expectError(res.json).code).toBe("not_found");
  });
});
