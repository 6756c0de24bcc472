/**
 * The API at the platform's limits, as a client sees it: the cluster summary comes in pages
 * within one request's subrequest budget, states its limits and lets pages be added up; and
 * `DELETE .../nodes/:node` deregisters a node: gone from the summary, the registry and the
 * keeper, its storage and alarm cleared, reads of it 404, and its peers stop seeing it alive.
 * Bad input answers a JSON 4xx and changes nothing.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it, vi } from "vitest";
import { SUMMARY_MAX_LIMIT } from "../../src/api/convergence.js";
import { keepNodesRunning } from "../../src/node/keeper.js";
import { KEEPER_PAGE } from "../../src/node/subrequests.js";
import { call, callJson, expectError } from "./support/api.js";
import { nodeStub, waitFor } from "./support/nodes.js";

vi.setConfig({ testTimeout: 60_000 });

const CONFIG = { intervalMs: 200, probeTimeoutMs: 100, suspicionMult: 5 };
const NAME = "api-limits";
const CLUSTER = `/v1/clusters/${NAME}`;
const SIZE = 5;

afterAll(async () => {
  const { json } = await callJson("GET", CLUSTER);
  for (const node of json.nodes ?? []) await call("POST", `${CLUSTER}/nodes/${node.node}/stop`);
});

interface Summary {
  registered: number;
  live: number;
  converged: boolean;
  complete: boolean;
  limit: number;
  maxLimit: number;
  next: string | null;
  fingerprints: Record<string, number>;
  nodes: Array<{ node: string; live: boolean; viewHash: string | null; memberCount: number | null }>;
}

async function summary(query = ""): Promise<Summary> {
  const { status, json } = await callJson<Summary>("GET", `${CLUSTER}${query}`);
  expect(status).toBe(200);
  return json;
}

describe("the cluster summary in pages", () => {
  it("covers the cluster page by page; the pages' fingerprints add up to one when converged", async () => {
    expect(
      (await callJson("POST", `${CLUSTER}/bootstrap`, { body: { size: SIZE, config: CONFIG } })).status,
    ).toBe(200);
    const whole = await waitFor(
      "one converged page of every node",
      async () => {
        const s = await summary();
        return s.converged && s.live === SIZE ? s : undefined;
      },
      40_000,
      200,
    );
    expect(whole).toMatchObject({ registered: SIZE, complete: true, next: null, limit: SUMMARY_MAX_LIMIT });
    expect(whole.maxLimit).toBe(SUMMARY_MAX_LIMIT);
    expect(whole.nodes.every((n) => n.memberCount === SIZE)).toBe(true);

    // Pages of two: n0 n1 | n2 n3 | n4, each naming the next. Added up, the pages' fingerprints
    // count every node under one fingerprint (asked again should gossip move between pages).
    const pages = await waitFor("pages that add up to one fingerprint", async () => {
      const out: Summary[] = [];
      let cursor: string | null = null;
      do {
        const page = await summary(`?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
        out.push(page);
        cursor = page.next;
      } while (cursor !== null);
      const added: Record<string, number> = {};
      for (const page of out)
        for (const [hash, count] of Object.entries(page.fingerprints))
          added[hash] = (added[hash] ?? 0) + count;
      return Object.values(added).length === 1 && Object.values(added)[0] === SIZE ? out : undefined;
    });
    expect(pages.map((p) => p.nodes.map((n) => n.node))).toEqual([["n0", "n1"], ["n2", "n3"], ["n4"]]);
    expect(pages.map((p) => p.next)).toEqual(["n1", "n3", null]);
    for (const page of pages) expect(page).toMatchObject({ registered: SIZE, complete: false, limit: 2 });
  });

  it("refuses a bad limit or cursor with a JSON 400", async () => {
    for (const query of [
      "?limit=0",
      `?limit=${SUMMARY_MAX_LIMIT + 1}`,
      "?limit=two",
      "?limit=",
      "?cursor=Not_A_Name",
    ]) {
      const { status, json } = await callJson("GET", `${CLUSTER}${query}`);
      expect(status, query).toBe(400);
      expect(expectError(json).code).toBe("invalid_request");
    }
    const error = expectError((await callJson("GET", `${CLUSTER}?limit=0`)).json);
    expect(error.message).toContain(`between 1 and ${SUMMARY_MAX_LIMIT}`);
  });
});

describe("DELETE /v1/clusters/:cluster/nodes/:node", () => {
  it("answers a JSON 4xx for a missing token, a bad name, an unknown cluster or node, and changes nothing", async () => {
    const node = `${CLUSTER}/nodes/n4`;
    expect((await call("DELETE", node, { token: null })).status).toBe(401);
    const badName = await callJson("DELETE", `${CLUSTER}/nodes/Not_A_Name`);
    expect(badName.status).toBe(400);
    expect(expectError(badName.json).code).toBe("invalid_request");
    const unknownNode = await callJson("DELETE", `${CLUSTER}/nodes/nobody`);
    expect(unknownNode.status).toBe(404);
    expect(expectError(unknownNode.json)).toMatchObject({
      code: "not_found",
      message: expect.stringContaining("nobody"),
    });
    const unknownCluster = await callJson("DELETE", "/v1/clusters/no-such-cluster/nodes/n0");
    expect(unknownCluster.status).toBe(404);
    expect(expectError(unknownCluster.json)).toMatchObject({
      code: "not_found",
      message: expect.stringContaining("no-such-cluster"),
    });
    expect((await summary()).registered).toBe(SIZE);
    expect((await callJson("GET", node)).status).toBe(200);
  });

  it("deregisters a node: gone from the summary and the keeper, storage and alarm cleared, peers stop seeing it alive", async () => {
    const { status, json } = await callJson("DELETE", `${CLUSTER}/nodes/n4`);
    expect(status).toBe(200);
    expect(json).toEqual({ cluster: NAME, node: "n4", deregistered: true });

    const after = await summary();
    expect(after.registered).toBe(SIZE - 1);
    expect(after.nodes.map((n) => n.node)).toEqual(["n0", "n1", "n2", "n3"]);
    const view = await callJson("GET", `${CLUSTER}/nodes/n4`);
    expect(view.status).toBe(404);
    expect(expectError(view.json).code).toBe("not_found");
    expect((await callJson("PUT", `${CLUSTER}/nodes/n4/state/k`, { body: { value: "v" } })).status).toBe(404);
    // A second DELETE finds nothing to deregister.
    expect((await callJson("DELETE", `${CLUSTER}/nodes/n4`)).status).toBe(404);

    // Not in the registry, so the keeper never visits it.
    const registry = env.CLUSTER_REGISTRY.getByName("registry");
    const listed = await registry.all();
    expect(listed.some((e) => e.cluster === NAME && e.node === "n4")).toBe(false);
    const ticks = Math.ceil(listed.filter((e) => e.running).length / KEEPER_PAGE);
    for (let i = 0; i < ticks; i++) expect((await keepNodesRunning(env)).visited).not.toContain(`${NAME}/n4`);

    // Its storage is empty and no alarm is armed (the object resets itself as it answers).
    const stored = await waitFor("n4's object to be empty", async () => {
      try {
        return await runInDurableObject(nodeStub(NAME, "n4"), async (_node, state) => ({
          tables: state.storage.sql
            .exec<{ name: string }>(
              "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'",
            )
            .toArray(),
          alarm: await state.storage.getAlarm(),
        }));
      } catch {
        return undefined; // reset mid-call: ask again
      }
    });
    expect(stored).toEqual({ tables: [], alarm: null });

    // Its peers come to see it not alive (it refuses them), then dead or forgotten.
    await waitFor(
      "every peer to see n4 dead or forget it",
      async () => {
        const views = await Promise.all(
          ["n0", "n1", "n2", "n3"].map(async (n) => (await callJson("GET", `${CLUSTER}/nodes/${n}`)).json),
        );
        return views.every((v) => {
          const member = (v.members as Array<{ node: string; status: string }>).find((m) => m.node === "n4");
          return member === undefined || member.status === "dead";
        });
      },
      40_000,
    );
  });
});
