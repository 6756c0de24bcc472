/**
 * A bootstrap larger than one call may start, as a client sees it: each call starts a page of
 * nodes within the subrequest budget (counted here by wrapping the Durable Object bindings),
 * says where the next call starts (`next`) and that it alone did not start the cluster
 * (`complete`); following `next` starts every node, with the same seeds and round-robin
 * regions as one call would have. The typed client's `bootstrapAll` and `summaryAll` follow the
 * pages themselves. A bad `from` is a JSON 400 and changes nothing. Nodes run at a long
 * interval so they barely gossip: this is about who is started, not convergence.
 */
import { env, exports } from "cloudflare:workers";
import { afterAll, describe, expect, it, vi } from "vitest";
import { BOOTSTRAP_PAGE } from "../../src/api/bootstrap-plan.js";
import { createHearsayClient } from "../../src/client/index.js";
import { NODES_PER_INVOCATION, SUBREQUEST_BUDGET } from "../../src/node/subrequests.js";
import { BASE, callJson, expectError, TOKEN } from "./support/api.js";
import { names, stopAll } from "./support/nodes.js";

vi.setConfig({ testTimeout: 90_000 });

const NAME = "api-boot-pages";
const CLUSTER = `/v1/clusters/${NAME}`;
/** Two full pages and one node more. */
const SIZE = 2 * BOOTSTRAP_PAGE + 1;
const CONFIG = { intervalMs: 60_000 };
const REGIONS = ["weur", "enam", "apac"];

const client = createHearsayClient({
  baseUrl: BASE,
  token: TOKEN,
  fetch: (input, init) => exports.default.fetch(new Request(input, init)),
});

const started: Array<[string, number]> = [];
afterAll(async () => {
  for (const [cluster, size] of started) await stopAll(cluster, names(size));
});

/** Durable Object calls the Worker makes through its bindings, counted per request. */
function countingBindings() {
  const count = { node: 0, registry: 0 };
  const counted = <T extends object>(stub: T, key: keyof typeof count): T =>
    new Proxy(stub, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          count[key]++;
          // Reflect.apply: an RPC method's own `.apply` would be a remote call.
          return Reflect.apply(value, target, args);
        };
      },
    });
  const bindings = {
    GOSSIP_NODE: {
      getByName: (name: string, options?: DurableObjectNamespaceGetDurableObjectOptions) =>
        counted(env.GOSSIP_NODE.getByName(name, options), "node"),
    },
    CLUSTER_REGISTRY: {
      getByName: (name: string) => counted(env.CLUSTER_REGISTRY.getByName(name), "registry"),
    },
  } as unknown as Partial<Cloudflare.Env>;
  return { count, bindings };
}

interface BootstrapAnswer {
  cluster: string;
  nodes: string[];
  seeds: string[];
  config: Record<string, unknown>;
  regions?: Record<string, string>;
  next: number | null;
  complete: boolean;
}

describe("a bootstrap of more nodes than one call starts", () => {
  it("starts a page per call within the budget, and following `next` starts every node", async () => {
    started.push([NAME, SIZE]);
    const pages: BootstrapAnswer[] = [];
    let from: number | null = 0;
    while (from !== null) {
      const body: Record<string, unknown> = { size: SIZE, config: CONFIG, regions: REGIONS };
      if (from > 0) body.from = from;
      const { count, bindings } = countingBindings();
      const answer = await callJson<BootstrapAnswer>("POST", `${CLUSTER}/bootstrap`, { body, env: bindings });
      const { status, json } = answer;
      expect(status, `from ${from}`).toBe(200);
      expect(count.node, `node calls of the call from ${from}`).toBeLessThanOrEqual(NODES_PER_INVOCATION);
      expect(count.node).toBe(json.nodes.length);
      expect(count.node + count.registry).toBeLessThanOrEqual(SUBREQUEST_BUDGET);
      pages.push(json);
      expect(pages.length, "pages").toBeLessThanOrEqual(Math.ceil(SIZE / BOOTSTRAP_PAGE));
      from = json.next;
    }

    // n0..n39 | n40..n79 | n80: each call names the next, and none alone is the whole cluster.
    expect(pages.map((p) => [p.nodes[0], p.nodes.at(-1), p.nodes.length])).toEqual([
      ["n0", `n${BOOTSTRAP_PAGE - 1}`, BOOTSTRAP_PAGE],
      [`n${BOOTSTRAP_PAGE}`, `n${2 * BOOTSTRAP_PAGE - 1}`, BOOTSTRAP_PAGE],
      [`n${SIZE - 1}`, `n${SIZE - 1}`, 1],
    ]);
    expect(pages.map((p) => p.next)).toEqual([BOOTSTRAP_PAGE, 2 * BOOTSTRAP_PAGE, null]);
    expect(pages.map((p) => p.complete)).toEqual([false, false, false]);
    expect(pages.flatMap((p) => p.nodes)).toEqual(names(SIZE));
    // The same seeds and config on every page; regions round-robin by the node's index.
    for (const page of pages) {
      expect(page.seeds).toEqual(["n0", "n1"]);
      expect(page.config).toEqual(pages[0]?.config);
      expect(Object.keys(page.regions ?? {})).toEqual(page.nodes);
    }
    const regionOf = Object.assign({}, ...pages.map((p) => p.regions));
    for (let i = 0; i < SIZE; i++) expect(regionOf[`n${i}`]).toBe(REGIONS[i % REGIONS.length]);

    // Every node registered, configured and running, as the whole summary (all its pages) says.
    const summary = await client.summaryAll(NAME);
    expect(summary).toMatchObject({ registered: SIZE, complete: true, next: null });
    expect(summary.nodes.map((n) => n.node).sort()).toEqual(names(SIZE).sort());
    expect(summary.nodes.filter((n) => !(n.configured && n.running)).map((n) => n.node)).toEqual([]);
    // A node of the last page was started exactly as one of the first.
    const last = await client.node(NAME, `n${SIZE - 1}`);
    expect(last.seeds).toEqual(["n0", "n1"]);
    expect(last.self.region).toBe(REGIONS[(SIZE - 1) % REGIONS.length]);
    expect(last.config).toEqual(pages[0]?.config);
  });

  it("refuses a bad `from` with a JSON 400 and changes nothing", async () => {
    const before = await client.summaryAll(NAME);
    const generations = new Map(before.nodes.map((n) => [n.node, n.generation]));
    for (const from of [SIZE, SIZE + 7, -1, 1.5, "40", null]) {
      const { status, json } = await callJson("POST", `${CLUSTER}/bootstrap`, {
        body: { size: SIZE, config: CONFIG, from },
      });
      expect(status, `from ${JSON.stringify(from)}`).toBe(400);
      expect(expectError(json).code).toBe("invalid_request");
    }
    const tooFar = expectError(
      (await callJson("POST", `${CLUSTER}/bootstrap`, { body: { size: SIZE, from: SIZE } })).json,
    );
    expect(tooFar.message).toContain(`from must be below size (${SIZE})`);

    const after = await client.summaryAll(NAME);
    expect(new Map(after.nodes.map((n) => [n.node, n.generation]))).toEqual(generations);
    // A new cluster refused for its `from` has no node at all.
    const none = await callJson("POST", "/v1/clusters/api-boot-none/bootstrap", {
      body: { size: 3, from: 3 },
    });
    expect(none.status).toBe(400);
    expect((await callJson("GET", "/v1/clusters/api-boot-none")).status).toBe(404);
  });

  it("bootstrapAll follows the pages from the client, and a small cluster is one complete call", async () => {
    const cluster = "api-boot-all";
    const size = BOOTSTRAP_PAGE + 2;
    started.push([cluster, size]);
    const seen: Array<number | null> = [];
    const all = await client.bootstrapAll(cluster, { size, config: CONFIG }, (page) => seen.push(page.next));
    expect(seen).toEqual([BOOTSTRAP_PAGE, null]);
    expect(all).toMatchObject({
      cluster,
      nodes: names(size),
      seeds: ["n0", "n1"],
      next: null,
      complete: true,
    });
    expect((await client.summaryAll(cluster)).registered).toBe(size);

    const small = "api-boot-small";
    started.push([small, 3]);
    const one = await client.bootstrap(small, { size: 3, config: CONFIG });
    expect(Object.keys(one)).toEqual(["cluster", "nodes", "seeds", "config", "next", "complete"]);
    expect(one).toMatchObject({ nodes: ["n0", "n1", "n2"], next: null, complete: true });
  });
});
