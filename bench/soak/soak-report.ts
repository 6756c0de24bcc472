/**
 * The soak's figures, checks and lifetime invariants as the lines `npm run soak` prints (and
 * the e2e test shows when it fails).
 */
import type { LifetimeResult, RoundsWaited } from "./lifetime/lifetime-result.js";
import type { SoakResult } from "./soak-result.js";

/** The figures and checks as lines of text. */
export function report(result: SoakResult): string[] {
  const { config, writes, rows, checks } = result;
  const lines = [
    `config: ${config.nodes} nodes, interval ${config.intervalMs} ms, chaos ${(config.durationMs / 60_000).toFixed(2)} min, step ${config.stepMs} ms, seed ${config.seed}, protected ${result.protectedNodes.join(",")}, keeper every ${config.keeperEveryMs / 1000} s`,
    `chaos: ${result.chaosSeconds.toFixed(0)} s; actions ${Object.entries(result.actions)
      .map(([name, count]) => `${name} ${count}`)
      .join(", ")}; fault calls failed ${result.faults.failed}`,
    `writes: ${writes.acknowledged} acknowledged, ${writes.refused} refused (${Object.entries(
      writes.refusedBy,
    )
      .map(([code, count]) => `${code} ${count}`)
      .join(", ")}), ${writes.uncertain} uncertain`,
    `converged: ${result.convergeSeconds === null ? "NO (deadline passed)" : `${result.convergeSeconds.toFixed(1)} s after the chaos`}`,
    `events read: ${result.events.read} over ${result.events.connects} stream connections (stream errors ${JSON.stringify(result.events.streamErrors)}; ${result.events.evictionsSkipped} evictions skipped, stream not open), ${result.events.deaths} dead declarations among them`,
    `rows: ${rows.rowsWritten} written over ${rows.alarms} alarms = ${rows.rowsPerAlarm.toFixed(2)} per alarm, ${rows.gossipRowsPerAlarm.toFixed(2)} of them the gossip's (bound ${rows.bound.toFixed(2)}: ${rows.boundPerAlarm} a round and one per other node a write; ${rows.peerRowsPerWrite.toFixed(1)} peer rows a write); by reason ${Object.entries(
      rows.byReason,
    )
      .map(([reason, count]) => `${reason} ${count}`)
      .join(
        ", ",
      )}; worst node (gossip rows) ${rows.maxNodeRowsPerAlarm ? `${rows.maxNodeRowsPerAlarm.node} ${rows.maxNodeRowsPerAlarm.rowsPerAlarm.toFixed(2)} over ${rows.maxNodeRowsPerAlarm.alarms} alarms` : "n/a"}; counter resets ${rows.counterResets}`,
    `(a) ${mark(checks.writesEverywhere.ok)} every acknowledged write in every view: ${checks.writesEverywhere.expectedPairs} node/key pairs x ${config.nodes} views, ${checks.writesEverywhere.missing.length} missing, ${checks.writesEverywhere.versionsBehind.length} versions behind`,
    `(b) ${mark(checks.protectedNeverDead.ok)} no protected node declared dead: ${checks.protectedNeverDead.deaths.length} dead declarations (${checks.protectedNeverDead.suspicions} suspicions, refuted); logs unread at the end: ${checks.protectedNeverDead.unreadLogs.length}`,
    `(c) ${mark(checks.rowsBounded.ok)} gossip rows per alarm ${rows.gossipRowsPerAlarm.toFixed(2)} <= ${rows.bound.toFixed(2)}`,
    `(d) ${mark(checks.allRunningRounds.ok)} every node runs rounds at the end (lost alarms re-armed): ${checks.allRunningRounds.idle.length} idle`,
    `unexplained dead declarations of running unprotected nodes (${result.lifetime ? "in falseDeaths" : "not a check without the lifetime faults"}): ${result.unexplainedDeaths.length}`,
  ];
  for (const missing of checks.writesEverywhere.missing.slice(0, 10))
    lines.push(
      `  missing: ${missing.observer} sees ${missing.owner}/${missing.key} = ${missing.actual} (expected ${missing.expected})`,
    );
  for (const behind of checks.writesEverywhere.versionsBehind.slice(0, 10)) lines.push(`  behind: ${behind}`);
  for (const death of checks.protectedNeverDead.deaths.slice(0, 10))
    lines.push(
      `  dead: ${death.observer} declared ${death.node} (generation ${death.generation}) dead at ${death.at}`,
    );
  for (const death of result.unexplainedDeaths.slice(0, 10))
    lines.push(
      `  unexplained: ${death.observer} declared ${death.node} (generation ${death.generation}) dead at ${death.at}`,
    );
  if (checks.allRunningRounds.idle.length > 0)
    lines.push(`  idle: ${checks.allRunningRounds.idle.join(", ")}`);
  for (const error of result.faults.lastErrors.slice(-5)) lines.push(`  fault error: ${error}`);
  if (result.lifetime) lines.push(...lifetimeLines(result.lifetime));
  lines.push(result.ok ? "soak: PASS" : "soak: FAIL");
  return lines;
}

const mark = (ok: boolean) => (ok ? "PASS" : "FAIL");
const waited = (wait: RoundsWaited | null) =>
  wait === null
    ? "not measured"
    : `${wait.rounds.toFixed(1)} rounds${wait.reached ? "" : " (deadline, NOT reached)"}`;

/** The lifetime faults: what each that ran saw, then each invariant beside its goal. */
function lifetimeLines(lifetime: LifetimeResult): string[] {
  const { hang, churn, survivor } = lifetime;
  const lines: string[] = [];
  if (hang)
    lines.push(
      `hang past the dead grace: ${hang.node} forgotten by all after ${hang.forgottenAfterRounds === null ? "NEVER" : `${hang.forgottenAfterRounds.toFixed(1)} rounds`}; start ${hang.generationKept ? "resumed its generation" : "did NOT resume its generation"}; alive everywhere after ${waited(hang.shunned)}${hang.shunnedBy.length > 0 ? `; still shunned by ${hang.shunnedBy.join(",")}` : ""}`,
    );
  if (churn)
    lines.push(
      `agents coming and going: ${churn.agents.length} agents, ${churn.registered} registrations, ${churn.heartbeats} heartbeats, ${churn.left} leaves (refused ${JSON.stringify(churn.refusedBy)}, failed ${churn.failed}); busy in ${churn.busyPolls} polls; quiet again after ${waited(churn.quietReturn)}${churn.notQuiet.length > 0 ? `; not quiet: ${churn.notQuiet.join(",")}` : ""}; members at most ${churn.membersMax} (bound ${churn.membersBound})`,
    );
  if (survivor)
    lines.push(
      `survivor: ${survivor.node} alone, quiet ${waited(survivor.quietReturn)} after the last change it saw, ${waited(survivor.quietAfterLastStop)} after the last stop (wakeRounds ${survivor.wakeRoundsAtEnd}); the other ${survivor.stopped.length} started, all alive everywhere after ${waited(survivor.rejoin)}`,
    );
  lines.push(
    `converged ${lifetime.finalConvergeSeconds === null ? "NO (deadline passed)" : `${lifetime.finalConvergeSeconds.toFixed(1)} s`} after the lifetime faults`,
  );
  for (const [name, invariant] of Object.entries(lifetime.invariants))
    lines.push(
      `${mark(invariant.ok)} ${name} ${invariant.value} (goal <= ${invariant.goal})${invariant.measured ? "" : " not measured: its faults did not run"}`,
    );
  if (churn) lines.push(`${mark(lifetime.membershipBounded)} membership bounded under agent churn`);
  if (hang && !hang.generationKept) lines.push("FAIL the hung node's start made a new generation");
  return lines;
}
