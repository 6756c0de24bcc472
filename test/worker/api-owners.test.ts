/**
 * `GET`/`POST /v1/clusters/:cluster/owners` and the service binding's `owners` inside workerd:
 * a router asks who owns a key and gets the core's answer over one node's view, with that
 * view's fingerprint (the summary's viewHash); converged nodes name the same owners; weights
 * come from the `weight` key; a stopped owner is replaced once the mesh sees it dead; bad
 * input gets a 400 that names the rule.
 */
import { exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readServiceError } from "../../src/api/service.js";
import { type MemberView, OWNERS_MAX_KEYS, OWNERS_MAX_N, ownersOf, viewHash } from "../../src/core/index.js";
import { call, callJson, eventually, expectError } from "./support/api.js";

vi.setConfig({ testTimeout: 60_000 });

const CONFIG = { intervalMs: 200 };
const CLUSTER = "/v1/clusters/api-owners";
const OWNERS = `${CLUSTER}/owners`;
const NODES = ["n0", "n1", "n2", "n3", "n4"];
const KEYS = Array.from({ length: 200 }, (_, i) => `room-${i}`);

/** Asserts a refusal: status, code, and a message matching `message`. */
async function refused(response: Promise<Response>, status: number, code: string, message?: RegExp) {
  const res = await response;
  const body = expectError(await res.json());
  expect(res.status, body.message).toBe(status);
  expect(body.code).toBe(code);
  if (message) expect(body.message).toMatch(message);
}

async function viewOf(node: string): Promise<MemberView[]> {
  return (await callJson("GET", `${CLUSTER}/nodes/${node}`)).json.members as MemberView[];
}

beforeAll(async () => {
  const boot = await callJson("POST", `${CLUSTER}/bootstrap`, {
    body: { size: NODES.length, config: CONFIG },
  });
  expect(boot.status).toBe(200);
  expect((await callJson("PUT", `${CLUSTER}/nodes/n2/state/weight`, { body: { value: "3" } })).status).toBe(
    200,
  );
  await eventually(
    async () => {
      for (const node of NODES) {
        const view = await viewOf(node);
        if (view.length !== NODES.length || view.some((m) => m.status !== "alive")) return false;
        if (view.find((m) => m.node === "n2")?.state.weight !== "3") return false;
      }
      return true;
    },
    30_000,
    "every node to see every node alive and n2's weight",
  );
});

afterAll(async () => {
  for (const node of NODES) await call("POST", `${CLUSTER}/nodes/${node}/stop`);
});

describe("GET owners", () => {
  it("answers a key's owners in preference order, as the core computes them over the node's view", async () => {
    const { status, json } = await callJson("GET", `${OWNERS}?key=room-7&n=3&from=n0`, { token: null });
    expect(status).toBe(200);
    expect(json).toMatchObject({ cluster: "api-owners", key: "room-7", from: "n0" });
    expect(typeof json.at).toBe("number");
    expect(json.owners).toHaveLength(3);
    expect(new Set(json.owners.map((o: { node: string }) => o.node)).size).toBe(3);
    expect(json.owners).toEqual(ownersOf(await viewOf("n0"), "room-7", { n: 3 }));
    const n2 = ownersOf(await viewOf("n0"), "x", { n: NODES.length }).find((o) => o.node === "n2");
    expect(n2).toEqual({ node: "n2", kind: "node", region: null, weight: 3 });
  });

  it("carries the view's fingerprint, the one the summary reports for that node", async () => {
    const owners = (await callJson("GET", `${OWNERS}?key=a&from=n1`)).json;
    const summary = (await callJson("GET", CLUSTER)).json;
    const brief = summary.nodes.find((b: { node: string }) => b.node === "n1");
    expect(owners.fingerprint).toMatch(/^[0-9a-f]{14}$/);
    expect(owners.fingerprint).toBe(brief.viewHash);
  });

  it("defaults to 3 owners from any running node; kind=agent finds none here", async () => {
    const { json } = await callJson("GET", `${OWNERS}?key=room-1`);
    expect(NODES).toContain(json.from);
    expect(json.owners).toHaveLength(3);
    expect((await callJson("GET", `${OWNERS}?key=room-1&kind=agent`)).json.owners).toEqual([]);
    expect(
      (await callJson("GET", `${OWNERS}?key=room-1&kind=any&n=${OWNERS_MAX_N}`)).json.owners,
    ).toHaveLength(NODES.length);
  });

  it("refuses bad input with a 400 naming the rule", async () => {
    const bad: Array<[string, RegExp]> = [
      ["", /key is required/],
      ["?key=", /1 to 256 bytes/],
      [`?key=${"k".repeat(257)}`, /1 to 256 bytes/],
      ["?key=a&n=0", /n must be an integer between 1 and 16/],
      ["?key=a&n=17", /n must be an integer between 1 and 16/],
      ["?key=a&n=two", /n must be an integer/],
      ["?key=a&kind=robot", /kind must be one of node, agent, any/],
      ["?key=a&region=West%20EU", /region must be a location hint/],
      ["?key=a&from=N%2F0", /node name/],
    ];
    for (const [query, message] of bad)
      await refused(call("GET", `${OWNERS}${query}`), 400, "invalid_request", message);
    await refused(call("GET", "/v1/clusters/nowhere/owners?key=a"), 404, "not_found");
    await refused(call("GET", `${OWNERS}?key=a&from=n9`), 404, "not_found");
  });
});

describe("POST owners", () => {
  it("answers every key from one view, and converged nodes name the same owners", async () => {
    await eventually(
      async () => {
        const answers = await Promise.all(
          NODES.map(
            async (from) => (await callJson("POST", OWNERS, { body: { keys: KEYS, n: 2, from } })).json,
          ),
        );
        if (new Set(answers.map((a) => a.fingerprint)).size !== 1) return false;
        for (const answer of answers) expect(answer.owners).toEqual(answers[0].owners);
        return true;
      },
      20_000,
      "every node to hold the same view",
    );
    // The answer must be the core's function over the very view it names by fingerprint (on a
    // loaded machine a member can turn suspect between the two reads: read both again then).
    const [json, view] = await eventually(
      async () => {
        const { json } = await callJson("POST", OWNERS, { body: { keys: KEYS, n: 2, from: "n3" } });
        const view = await viewOf("n3");
        return viewHash(view) === json.fingerprint ? ([json, view] as const) : false;
      },
      20_000,
      "an answer and a view read with the same fingerprint",
    );
    for (const key of KEYS) expect(json.owners[key]).toEqual(ownersOf(view, key, { n: 2 }));
  });

  it("takes up to 1000 keys, odd ones included, in one call", async () => {
    const keys = [...Array.from({ length: OWNERS_MAX_KEYS - 2 }, (_, i) => `k${i}`), "__proto__", "ключ 🔑"];
    const { status, json } = await callJson("POST", OWNERS, { body: { keys, n: 1 }, token: null });
    expect(status).toBe(200);
    expect(Object.keys(json.owners)).toHaveLength(OWNERS_MAX_KEYS);
    expect(Object.hasOwn(json.owners, "__proto__")).toBe(true);
    expect(json.owners["ключ 🔑"]).toHaveLength(1);
  });

  it("refuses bad bodies with a 400 and answers nothing", async () => {
    const tooMany = Array.from({ length: OWNERS_MAX_KEYS + 1 }, (_, i) => `${i}`);
    const bad: Array<[unknown, RegExp]> = [
      [{ keys: [] }, /keys must hold 1 to 1000 keys/],
      [{ keys: tooMany }, /keys must hold 1 to 1000 keys/],
      [{ keys: "a" }, /keys must be an array/],
      [{ keys: ["a", 7] }, /1 to 256 bytes/],
      [{ keys: ["a"], n: 2.5 }, /n must be an integer/],
      [{ keys: ["a"], extra: true }, /extra/],
    ];
    for (const [body, message] of bad)
      await refused(call("POST", OWNERS, { body }), 400, "invalid_request", message);
  });
});

describe("through the service binding", () => {
  it("env.HEARSAY.owners answers as POST does, with the same error codes", async () => {
    const service = exports.HearsayService;
    const answer = await service.owners("api-owners", { keys: ["room-3"], n: 2, from: "n4" });
    expect(answer.owners["room-3"]).toEqual(ownersOf(await viewOf("n4"), "room-3", { n: 2 }));
    const error = await service.owners("api-owners", { keys: [], n: 2 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(readServiceError(error)?.code).toBe("invalid_request");
  });
});

describe("when an owner stops", () => {
  it("its keys move to the next owners once the node's view has it dead, and no other key moves", async () => {
    const before = (await callJson("POST", OWNERS, { body: { keys: KEYS, n: 1, from: "n0" } })).json.owners;
    const victim = "n4";
    expect((await call("POST", `${CLUSTER}/nodes/${victim}/stop`)).status).toBe(200);
    const after = await eventually(
      async () => {
        const { json } = await callJson("POST", OWNERS, { body: { keys: KEYS, n: 1, from: "n0" } });
        const owners = Object.values(json.owners as Record<string, Array<{ node: string }>>);
        return owners.every((list) => list[0]?.node !== victim) ? json.owners : false;
      },
      30_000,
      "n0 to stop naming the stopped node",
    );
    for (const key of KEYS) if (before[key][0].node !== victim) expect(after[key]).toEqual(before[key]);
    await refused(call("GET", `${OWNERS}?key=a&from=${victim}`), 409, "node_stopped");
  });
});
