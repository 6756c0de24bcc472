/**
 * The soak's last step: its figures and verdicts from what the run recorded. Checks (a)-(d)
 * and, when the lifetime faults ran, their invariants with goals (any one missed fails the
 * soak).
 */
import { judgeDeaths, keysLost, membershipAgrees, writeCheck } from "./checks.js";
import type { LifetimeFaults } from "./lifetime/lifetime-faults.js";
import { countInvariant, type LifetimeResult, roundsInvariant } from "./lifetime/lifetime-result.js";
import type { Settled } from "./settle.js";
import type { EventFigures, SoakChecks, SoakResult } from "./soak-result.js";
import type { SoakRun } from "./soak-run.js";

/** Kept in the JSON per list. */
const LISTED = 50;

export interface Recorded {
  startedAt: string;
  chaosSeconds: number;
  afterChaos: Settled;
  /** The last settle (after the lifetime faults, or the one after the chaos). */
  final: Settled;
  faults: LifetimeFaults | null;
  events: { figures: EventFigures; unreadLogs: string[] };
}

export function verdict(run: SoakRun, recorded: Recorded): SoakResult {
  const { config, ledger } = run;
  const { final } = recorded;
  const writes = writeCheck(final.views, ledger);
  const deaths = judgeDeaths(run.logs.events, ledger, run.isProtected, config.intervalMs);
  const written = ledger.writes.acknowledged + ledger.writes.uncertain;
  const rows = run.counters.figures(config.rowsPerAlarmBound, run.names.length - 1, written);
  const { unreadLogs } = recorded.events;
  const checks: SoakChecks = {
    writesEverywhere: {
      ok:
        final.seconds !== null &&
        membershipAgrees(final.views, run.names) &&
        writes.missing.length === 0 &&
        writes.versionsBehind.length === 0,
      expectedPairs: ledger.expected.size,
      missing: writes.missing.slice(0, LISTED),
      versionsBehind: writes.versionsBehind.slice(0, LISTED),
    },
    protectedNeverDead: {
      ok: deaths.protectedDeaths.length === 0 && unreadLogs.length === 0,
      deaths: deaths.protectedDeaths.slice(0, LISTED),
      suspicions: deaths.suspicions,
      unreadLogs,
    },
    rowsBounded: { ok: rows.alarms > 0 && rows.gossipRowsPerAlarm <= rows.bound },
    allRunningRounds: { ok: final.idle.length === 0, idle: final.idle },
  };
  const falseDeaths = deaths.protectedDeaths.length + deaths.unexplained.length;
  const lifetime =
    recorded.faults &&
    lifetimeVerdict(recorded.faults, recorded.final, falseDeaths, keysLost(writes.missing));
  return {
    config,
    startedAt: recorded.startedAt,
    chaosSeconds: recorded.chaosSeconds,
    convergeSeconds: recorded.afterChaos.seconds,
    protectedNodes: run.protectedNames,
    actions: ledger.actions,
    writes: ledger.writes,
    faults: ledger.faults,
    events: recorded.events.figures,
    rows,
    checks,
    unexplainedDeaths: deaths.unexplained.slice(0, LISTED),
    lifetime,
    ok: Object.values(checks).every((check) => check.ok) && (lifetime === null || lifetimeOk(lifetime)),
  };
}

function lifetimeVerdict(
  faults: LifetimeFaults,
  final: Settled,
  falseDeaths: number,
  lost: number,
): LifetimeResult {
  const { hang, churn, survivor } = faults;
  return {
    invariants: {
      shunnedMaxRounds: roundsInvariant("shunnedMaxRounds", [
        ...(hang ? [hang.shunned] : []),
        ...(survivor ? [survivor.rejoin] : []),
      ]),
      falseDeaths: countInvariant("falseDeaths", falseDeaths),
      quietReturnMaxRounds: roundsInvariant("quietReturnMaxRounds", [
        ...(churn ? [churn.quietReturn] : []),
        ...(survivor ? [survivor.quietReturn] : []),
      ]),
      keysLost: countInvariant("keysLost", lost),
    },
    ...faults,
    finalConvergeSeconds: final.seconds,
    membershipBounded: churn === null || churn.membersMax <= churn.membersBound,
  };
}

/** Every invariant met, the hang resumed its generation, and the churn kept membership bounded. */
export function lifetimeOk(lifetime: LifetimeResult): boolean {
  return (
    Object.values(lifetime.invariants).every((invariant) => invariant.ok) &&
    lifetime.hang?.generationKept !== false &&
    lifetime.membershipBounded
  );
}
