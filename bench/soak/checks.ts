/**
 * The soak's judgements of the mesh against the driver's record: (a) every acknowledged write
 * in every view, (b) no protected node declared dead and which deaths the driver cannot
 * explain, and whether every view agrees on who is alive. Pure: views and records in, verdicts
 * out.
 */
import type { MemberView } from "../../src/core/index.js";
import type { NodeView } from "../../src/node/rpc-types.js";
import type { LoggedEvent } from "./event-logs.js";
import type { SoakLedger } from "./ledger.js";
import type { Death, Missing } from "./soak-result.js";

export function memberOf(view: NodeView, node: string): MemberView | undefined {
  return view.members.find((member) => member.node === node);
}

/** Every view lists every node alive, in the generation that node's own view reports. */
export function membershipAgrees(views: readonly NodeView[], names: readonly string[]): boolean {
  const own = new Map(views.map((view) => [view.node, view.generation]));
  return (
    views.length === names.length &&
    views.every((view) =>
      names.every((name) => {
        const member = memberOf(view, name);
        return member?.status === "alive" && member.generation === own.get(name);
      }),
    )
  );
}

/**
 * Check (a) over these views: each node/key's latest acknowledged value (or a later write of
 * unknown outcome) in every view, and no view showing a node below a version it acknowledged.
 */
export function writeCheck(
  views: readonly NodeView[],
  ledger: SoakLedger,
): { missing: Missing[]; versionsBehind: string[] } {
  const missing: Missing[] = [];
  const versionsBehind: string[] = [];
  for (const view of views) {
    for (const [id, expectation] of ledger.expected) {
      const [owner, key] = id.split("/") as [string, string];
      const actual = memberOf(view, owner)?.state[key] ?? null;
      const fine = actual === expectation.value || (actual !== null && expectation.maybe.includes(actual));
      if (!fine) missing.push({ observer: view.node, owner, key, expected: expectation.value, actual });
    }
    for (const [owner, version] of ledger.highestVersion) {
      const member = memberOf(view, owner);
      if (member && member.maxVersion < version)
        versionsBehind.push(`${view.node} sees ${owner} at max version ${member.maxVersion} < ${version}`);
    }
  }
  return { missing, versionsBehind };
}

/** Node/key pairs some view misses: acknowledged writes lost (the `keysLost` invariant). */
export function keysLost(missing: readonly Missing[]): number {
  return new Set(missing.map((miss) => `${miss.owner}/${miss.key}`)).size;
}

export interface DeathVerdicts {
  /** Dead declarations of protected nodes while the driver had them running. */
  protectedDeaths: Death[];
  /** Dead declarations of unprotected nodes the driver had running in that generation. */
  unexplained: Death[];
  /** Suspicions of protected nodes (refuted: not failed on). */
  suspicions: number;
}

/**
 * Sorts every logged dead declaration: the truth (the node was down, or an older generation),
 * or false, of a protected node or not. `slackMs`: news of a start may lag the start this long.
 */
export function judgeDeaths(
  events: readonly LoggedEvent[],
  ledger: SoakLedger,
  isProtected: ReadonlySet<string>,
  slackMs: number,
): DeathVerdicts {
  const verdicts: DeathVerdicts = { protectedDeaths: [], unexplained: [], suspicions: 0 };
  for (const { observer, event } of events) {
    if (event.type === "suspect" && isProtected.has(event.node)) verdicts.suspicions++;
    if (event.type !== "dead") continue;
    if (ledger.explainsDeath(event.node, event.generation, event.at, slackMs)) continue;
    const death: Death = {
      observer,
      node: event.node,
      generation: event.generation,
      at: new Date(event.at).toISOString(),
      seq: event.seq,
    };
    (isProtected.has(event.node) ? verdicts.protectedDeaths : verdicts.unexplained).push(death);
  }
  return verdicts;
}
