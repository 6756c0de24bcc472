/**
 * Following the API's pages to the whole: a bootstrap of any size (each call starts a page of
 * nodes and names the `from` of the next), and the cluster summary (each page a slice of the
 * nodes, by name, with its `next` cursor) combined into one summary of every node. The
 * combined verdict is the one the summary documents: sum `fingerprints` over the pages, and
 * the cluster has converged when its live nodes hold exactly one. And the members directory,
 * page after page, joined.
 */
import type { components } from "./schema.js";

type BootstrapRequest = components["schemas"]["BootstrapRequest"];
type BootstrapResult = components["schemas"]["BootstrapResult"];
type ClusterSummary = components["schemas"]["ClusterSummary"];
type MembersPage = components["schemas"]["MembersPage"];
type NodeSummary = components["schemas"]["NodeSummary"];

/**
 * Calls `page` with `from` = body.from (or 0), then each answer's `next`, until `next` is null.
 * The answer lists every node the calls started, in order, with the first answer's seeds and
 * config; `complete` says every node n0..n{size-1} was started by these calls. `onPage` is told
 * of each answer as it comes (progress for a large cluster).
 */
export async function followBootstrap(
  page: (body: BootstrapRequest) => Promise<BootstrapResult>,
  body: BootstrapRequest,
  onPage?: (result: BootstrapResult) => void,
): Promise<BootstrapResult> {
  const first = body.from ?? 0;
  const answers: BootstrapResult[] = [];
  let from: number | null = first;
  while (from !== null) {
    // The first call is the body as given, so a cluster that fits one call is one plain call.
    const answer: BootstrapResult = await page(answers.length === 0 ? body : { ...body, from });
    onPage?.(answer);
    answers.push(answer);
    const next = answer.next ?? null;
    if (next !== null && next <= from) {
      throw new Error(`bootstrap paging went backwards: from ${from} answered next ${next}`);
    }
    from = next;
  }
  const head = answers[0] as BootstrapResult;
  const regions = answers.some((a) => a.regions)
    ? { regions: Object.assign({}, ...answers.map((a) => a.regions ?? {})) as Record<string, string> }
    : {};
  return {
    cluster: head.cluster,
    nodes: answers.flatMap((a) => a.nodes),
    seeds: head.seeds,
    config: head.config,
    ...regions,
    next: null,
    complete: first === 0,
  };
}

/**
 * Reads every page of the summary, `cursor` = each page's `next`, and combines them. Names
 * only grow from page to page (the registry is read in name order), so a cursor that does not
 * move forward is an error, never a loop.
 */
export async function followSummary(
  page: (cursor: string | undefined) => Promise<ClusterSummary>,
): Promise<ClusterSummary> {
  const pages: ClusterSummary[] = [];
  let cursor: string | undefined;
  for (;;) {
    const answer = await page(cursor);
    pages.push(answer);
    if (answer.next === null) break;
    if (cursor !== undefined && answer.next <= cursor) {
      throw new Error(`summary paging went backwards: after ${cursor} answered next ${answer.next}`);
    }
    cursor = answer.next;
  }
  return combineSummaryPages(pages);
}

/**
 * One summary of the nodes of every page: nodes concatenated (already in name order), live
 * counts and `fingerprints` summed, and the majority, `agrees`, `differing` and `converged`
 * worked out again over all of them, the way the API does on one page (most holders; on a
 * tie, the fingerprint of the first live node by name). `complete` when the pages ended and
 * hold as many nodes as the registry listed at the last page; `at` is the last page's time.
 */
export function combineSummaryPages(pages: readonly ClusterSummary[]): ClusterSummary {
  const head = pages[0];
  const last = pages.at(-1);
  if (!head || !last) throw new Error("no summary pages to combine");
  const fingerprints: Record<string, number> = {};
  for (const page of pages) {
    for (const [hash, count] of Object.entries(page.fingerprints)) {
      fingerprints[hash] = (fingerprints[hash] ?? 0) + count;
    }
  }
  const all = pages.flatMap((page) => page.nodes);
  let majorityHash: string | null = null;
  let majority = 0;
  for (const node of all) {
    const count = node.live && node.viewHash !== null ? (fingerprints[node.viewHash] ?? 0) : 0;
    if (count > majority) {
      majority = count;
      majorityHash = node.viewHash;
    }
  }
  const nodes: NodeSummary[] = all.map((node) => ({
    ...node,
    agrees: node.live ? node.viewHash === majorityHash : null,
  }));
  const live = nodes.filter((node) => node.live);
  const differing = live.filter((node) => !node.agrees).map((node) => node.node);
  return {
    cluster: head.cluster,
    at: last.at,
    registered: last.registered,
    live: live.length,
    converged: live.length > 0 && Object.keys(fingerprints).length === 1,
    differing,
    majority,
    nodes,
    limit: head.limit,
    maxLimit: head.maxLimit,
    next: null,
    complete: last.next === null && nodes.length === last.registered,
    fingerprints,
  };
}

/**
 * Reads every page of the members directory, `cursor` = each page's `next`, and joins them: the
 * first page's answer with every page's members and `next` null. Pages after the first are
 * asked `from` the node that answered the first, so all come from one view. At most `maxPages`.
 */
export async function followMembers(
  page: (cursor: string | undefined, from: string | undefined) => Promise<MembersPage>,
  maxPages = 1_000,
): Promise<MembersPage> {
  const pages: MembersPage[] = [];
  let cursor: string | undefined;
  do {
    const answer = await page(cursor, pages[0]?.from);
    pages.push(answer);
    if (answer.next != null && answer.next === cursor)
      throw new Error(`members paging did not move: cursor ${cursor} answered it again`);
    cursor = answer.next ?? undefined;
  } while (cursor !== undefined && pages.length < maxPages);
  const head = pages[0] as MembersPage;
  return { ...head, members: pages.flatMap((p) => p.members), next: null };
}
