/**
 * The subrequest budget's figures as the docs state them in prose: how many nodes one
 * invocation calls (a bootstrap call, a summary page, a cron tick), what the budget is, and
 * what follows for 1,000 nodes. Each is derived from its one declaration in src/ and written
 * inline between `<!-- fact:NAME -->` and `<!-- /fact -->` (invisible in rendered Markdown), so
 * `npm run docs:figures -- --check` fails when a doc says a number the code no longer does.
 * Also the news queue's bound, the hot forwards' budget, the metrics route's counter series, and renders the api.md example of a bootstrap that takes two calls.
 */
import { BOOTSTRAP_PAGE } from "../../src/api/bootstrap-plan.js";
import { SUMMARY_MAX_LIMIT } from "../../src/api/convergence.js";
import { NODE_COUNTERS } from "../../src/api/metrics-text.js";
import { MAX_QUEUED } from "../../src/core/broadcast.js";
import { FORWARD_BURST } from "../../src/core/dissemination.js";
import {
  KEEPER_TICK_SUBREQUESTS,
  MIGRATED_PER_TICK,
  NODES_PER_INVOCATION,
  RESERVED_SUBREQUESTS,
  SUBREQUEST_LIMITS,
} from "../../src/node/subrequests.js";

const count = (value: number) => value.toLocaleString("en-US");

/** Every fact a doc may state inline, by name, as it is written. */
export const PAGE_FACTS: Record<string, string> = {
  /** Nodes one invocation calls at most: a bootstrap call, a summary page, a cron tick (KEEPER_PAGE). */
  "nodes-per-invocation": count(NODES_PER_INVOCATION),
  "bootstrap-page": count(BOOTSTRAP_PAGE),
  "summary-max-limit": count(SUMMARY_MAX_LIMIT),
  /** A summary page or a cron tick: the registry, then one call per node of the page. */
  "page-subrequests": count(NODES_PER_INVOCATION + 1),
  "subrequests-free": count(SUBREQUEST_LIMITS.free),
  "subrequests-paid": count(SUBREQUEST_LIMITS.paid),
  "subrequests-reserved": count(RESERVED_SUBREQUESTS),
  /** Bootstrap calls (or keeper minutes) that 1,000 nodes take. */
  "pages-of-1000": count(Math.ceil(1000 / NODES_PER_INVOCATION)),
  /** A cron tick's subrequests at most, and the clusters whose old registry rows it copies. */
  "keeper-tick-subrequests": count(KEEPER_TICK_SUBREQUESTS),
  "keeper-migrated-per-tick": count(MIGRATED_PER_TICK),
  /** Items a node's news queue holds at most. */
  "max-queued": count(MAX_QUEUED),
  /** Hot forwards a node sends at once before its budget refills one a round. */
  "forward-burst": count(FORWARD_BURST),
  /** The per-node counter series of the metrics route, as one brace pattern. */
  "node-counter-series": `\`hearsay_node_{${NODE_COUNTERS.map(([name]) => name.replace(/^node_/, "")).join(",")}}_total\``,
};

const FACT = /<!-- fact:([a-z0-9-]+) -->(.*?)<!-- \/fact -->/g;

/** Rewrites every inline fact of a document; an unknown name throws. */
export function rewriteFacts(text: string, document: string): { text: string; changed: string[] } {
  const changed: string[] = [];
  const out = text.replace(FACT, (whole, name: string) => {
    const value = PAGE_FACTS[name];
    if (value === undefined) throw new Error(`${document}: unknown fact:${name}`);
    const fact = `<!-- fact:${name} -->${value}<!-- /fact -->`;
    if (fact !== whole) changed.push(`fact:${name}`);
    return fact;
  });
  const opened = text.match(/<!-- fact:/g)?.length ?? 0;
  const closed = text.match(FACT)?.length ?? 0;
  if (opened !== closed)
    throw new Error(`${document}: a <!-- fact:NAME --> has no <!-- /fact --> on its line`);
  return { text: out, changed };
}

/** `figures:bootstrap-pages` (docs/api.md): a cluster five nodes past one page takes two calls. */
export function bootstrapPagesBlock(): string {
  const page = BOOTSTRAP_PAGE;
  const size = page + 5;
  const body = (from?: number) =>
    JSON.stringify({ size, config: { intervalMs: 5000 }, ...(from === undefined ? {} : { from }) }).replace(
      /([:,])/g,
      "$1 ",
    );
  const curl = (from?: number) =>
    `curl -s -X POST $HEARSAY/v1/clusters/big/bootstrap -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '${body(from)}'`;
  const rest = Array.from({ length: size - page }, (_, i) => `n${page + i}`);
  return [
    `${size} nodes take two calls:`,
    "",
    "```sh",
    `${curl()} | jq -c '{first: .nodes[0], last: .nodes[-1], next, complete}'`,
    `${curl(page)} | jq -c '{nodes, next, complete}'`,
    "```",
    "```json",
    JSON.stringify({ first: "n0", last: `n${page - 1}`, next: page, complete: false }),
    JSON.stringify({ nodes: rest, next: null, complete: false }),
    "```",
  ].join("\n");
}
