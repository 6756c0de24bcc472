/**
 * The typed client's whole-cluster calls against a fake API that answers in pages:
 * `summaryAll` asks page after page by cursor and combines them, so two pages that each agree
 * within themselves but hold different views are not converged, and the odd nodes out are
 * named; `bootstrapAll` sends the same body with `from` moved to each answer's `next` and lists
 * every node started; `membersAll` follows the directory's cursor from one node's view. A page
 * that fails throws the API's error.
 */
import { describe, expect, it } from "vitest";
import {
  type BootstrapRequest,
  type ClusterSummary,
  createHearsayClient,
  HearsayApiError,
} from "../../src/client/index.js";

type NodeSummary = ClusterSummary["nodes"][number];

function brief(node: string, viewHash: string | null, live = true): NodeSummary {
  return {
    node,
    configured: true,
    running: live,
    status: "alive",
    generation: 1,
    heartbeat: 1,
    maxVersion: 0,
    members: { alive: 5 },
    memberCount: 5,
    rounds: 3,
    wakeRounds: 16,
    live,
    agrees: live ? true : null,
    viewHash,
  };
}

/** A summary page as the API builds one: its verdict over its own nodes only. */
function page(nodes: NodeSummary[], registered: number, next: string | null): ClusterSummary {
  const fingerprints: Record<string, number> = {};
  for (const n of nodes)
    if (n.live) fingerprints[n.viewHash as string] = (fingerprints[n.viewHash as string] ?? 0) + 1;
  return {
    cluster: "big",
    at: 1000,
    registered,
    live: nodes.filter((n) => n.live).length,
    converged: Object.keys(fingerprints).length === 1,
    differing: [],
    majority: nodes.length,
    nodes,
    limit: 2,
    maxLimit: 40,
    next,
    complete: next === null && nodes.length === registered,
    fingerprints,
  };
}

/** A fake API serving `pages` by cursor, recording every URL asked for. */
function fakeSummaryApi(pages: ClusterSummary[]) {
  const asked: string[] = [];
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    asked.push(request.url);
    const cursor = new URL(request.url).searchParams.get("cursor");
    const index = cursor === null ? 0 : pages.findIndex((_page, i) => i > 0 && pages[i - 1]?.next === cursor);
    const answer = pages[index];
    if (!answer)
      return Response.json({ error: { code: "invalid_request", message: "bad cursor" } }, { status: 400 });
    return Response.json(answer);
  };
  return {
    asked,
    client: createHearsayClient({ baseUrl: "http://mesh.test", fetch: fetch as typeof globalThis.fetch }),
  };
}

describe("summaryAll", () => {
  it("combines pages: each page agrees within itself, but the cluster holds two views", async () => {
    const { asked, client } = fakeSummaryApi([
      page([brief("n0", "aa"), brief("n1", "aa")], 5, "n1"),
      page([brief("n2", "bb"), brief("n3", "aa")], 5, "n3"),
      page([brief("n4", "aa", false)], 5, null),
    ]);
    const whole = await client.summaryAll("big", { limit: "2" });
    expect(asked).toEqual([
      "http://mesh.test/v1/clusters/big?limit=2",
      "http://mesh.test/v1/clusters/big?limit=2&cursor=n1",
      "http://mesh.test/v1/clusters/big?limit=2&cursor=n3",
    ]);
    expect(whole.nodes.map((n) => n.node)).toEqual(["n0", "n1", "n2", "n3", "n4"]);
    expect(whole).toMatchObject({
      registered: 5,
      live: 4,
      converged: false,
      differing: ["n2"],
      majority: 3,
      fingerprints: { aa: 3, bb: 1 },
      next: null,
      complete: true,
    });
    expect(whole.nodes.map((n) => n.agrees)).toEqual([true, true, false, true, null]);
  });

  it("is converged when the fingerprints summed over every page are one", async () => {
    const { client } = fakeSummaryApi([
      page([brief("n0", "aa"), brief("n1", "aa")], 3, "n1"),
      page([brief("n2", "aa")], 3, null),
    ]);
    expect(await client.summaryAll("big")).toMatchObject({
      live: 3,
      converged: true,
      differing: [],
      majority: 3,
      fingerprints: { aa: 3 },
      complete: true,
    });
  });

  it("is not complete when the registry listed more nodes than the pages held", async () => {
    // A node registered between the pages, under a name the cursor had already passed.
    const { client } = fakeSummaryApi([
      page([brief("n0", "aa")], 2, "n0"),
      page([brief("n1", "aa")], 3, null),
    ]);
    expect(await client.summaryAll("big")).toMatchObject({ registered: 3, complete: false });
  });

  it("throws the API's error when a page fails", async () => {
    // The first page names a cursor the fake serves no page for: it answers 400.
    const { client } = fakeSummaryApi([page([brief("n0", "aa")], 2, "n0")]);
    const failure = await client.summaryAll("big").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HearsayApiError);
    expect(failure).toMatchObject({ status: 400, code: "invalid_request" });
  });
});

describe("bootstrapAll", () => {
  function fakeBootstrapApi(size: number, pageSize: number) {
    const bodies: BootstrapRequest[] = [];
    const fetch = async (input: Request | string | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const body = (await request.json()) as BootstrapRequest;
      bodies.push(body);
      const from = body.from ?? 0;
      const end = Math.min(size, from + pageSize);
      const nodes = Array.from({ length: end - from }, (_, i) => `n${from + i}`);
      const next = end < size ? end : null;
      return Response.json({
        cluster: "big",
        nodes,
        seeds: ["n0", "n1"],
        config: { intervalMs: 1000 },
        next,
        complete: from === 0 && next === null,
      });
    };
    const client = createHearsayClient({
      baseUrl: "http://mesh.test",
      fetch: fetch as typeof globalThis.fetch,
    });
    return { bodies, client };
  }

  it("sends the same body with `from` at each `next` until null, and lists every node", async () => {
    const { bodies, client } = fakeBootstrapApi(7, 3);
    const whole = await client.bootstrapAll("big", { size: 7, config: { intervalMs: 1000 } });
    expect(bodies).toEqual([
      { size: 7, config: { intervalMs: 1000 } },
      { size: 7, config: { intervalMs: 1000 }, from: 3 },
      { size: 7, config: { intervalMs: 1000 }, from: 6 },
    ]);
    expect(whole).toEqual({
      cluster: "big",
      nodes: ["n0", "n1", "n2", "n3", "n4", "n5", "n6"],
      seeds: ["n0", "n1"],
      config: { intervalMs: 1000 },
      next: null,
      complete: true,
    });
  });

  it("resumes from a given `from`, and then does not claim the whole cluster", async () => {
    const { bodies, client } = fakeBootstrapApi(7, 3);
    const rest = await client.bootstrapAll("big", { size: 7, from: 3 });
    expect(bodies.map((b) => b.from)).toEqual([3, 6]);
    expect(rest).toMatchObject({ nodes: ["n3", "n4", "n5", "n6"], complete: false });
  });
});

describe("membersAll", () => {
  it("follows `next` from the node that answered the first page, and joins the members", async () => {
    const asked: URL[] = [];
    const pages: Record<string, { members: string[]; next: string | null }> = {
      "": { members: ["n0", "n1"], next: "n1" },
      n1: { members: ["n2", "web-1"], next: "web-1" },
      "web-1": { members: ["web-2"], next: null },
    };
    const fetch = async (input: Request | string | URL) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      asked.push(url);
      const page = pages[url.searchParams.get("cursor") ?? ""];
      if (!page)
        return Response.json({ error: { code: "invalid_request", message: "bad cursor" } }, { status: 400 });
      const members = page.members.map((node) => ({
        node,
        kind: "node",
        status: "alive",
        incarnation: 0,
        generation: 1,
      }));
      return Response.json({ cluster: "demo", from: "n3", at: 1, members, next: page.next });
    };
    const client = createHearsayClient({
      baseUrl: "http://mesh.test",
      fetch: fetch as typeof globalThis.fetch,
    });
    const all = await client.membersAll("demo", { status: "alive" });
    expect(all.members.map((m) => m.node)).toEqual(["n0", "n1", "n2", "web-1", "web-2"]);
    expect(all.next).toBeNull();
    expect(asked.map((u) => u.search)).toEqual([
      "?status=alive",
      "?status=alive&from=n3&cursor=n1",
      "?status=alive&from=n3&cursor=web-1",
    ]);
  });
});
