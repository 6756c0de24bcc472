/**
 * Runs the SWIM peer (npm `swim`) in a child process with a hard deadline, so a hung member or
 * a stuck socket can never keep the bench alive. Resolves with the figures, or with a clear
 * reason why the peer is unavailable or failed.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type TrialStats, trialStats } from "../trials.js";
import type { SwimChildMessage, SwimFigures, SwimRunConfig } from "./swim-types.js";

/** swim's detection over the kills, as {n, p50, p90, max} in ms (each kill is in the figures). */
export interface SwimTrials {
  detectNonAlive: TrialStats;
  detectFaulty: TrialStats;
  asked: number;
}

/** The summary over the kills the child measured; undefined when it measured none as trials. */
export function swimTrials(figures: SwimFigures, asked: number): SwimTrials | undefined {
  const kills = figures.trials;
  if (!kills) return undefined;
  return {
    detectNonAlive: trialStats(kills.map((kill) => kill.detectNonAliveMs)),
    detectFaulty: trialStats(kills.map((kill) => kill.detectFaultyMs)),
    asked,
  };
}

export type SwimOutcome =
  | { status: "ok"; figures: SwimFigures; trials?: SwimTrials }
  | { status: "unavailable"; reason: string }
  | { status: "failed"; reason: string };

const childEntry = fileURLToPath(new URL("./swim-cluster.ts", import.meta.url));

/** Phases of a SWIM run: cold start, two for the first kill, the join; three per further kill. */
export function swimPhases(trials: number): number {
  return 4 + 3 * Math.max(0, trials - 1);
}

/** Longest a SWIM run may take: its phases, the steady window and start-up slack. */
export function swimDeadlineMs(config: SwimRunConfig): number {
  return swimPhases(config.trials ?? 1) * config.phaseTimeoutMs + config.steadyMs + 20_000;
}

export function runSwim(config: SwimRunConfig): Promise<SwimOutcome> {
  return new Promise((resolve) => {
    const child = fork(childEntry, [JSON.stringify(config)], {
      // --no-deprecation: swim 0.6 uses `new Buffer()`, which only warns.
      execArgv: ["--import", "tsx", "--no-deprecation"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let outcome: SwimOutcome | undefined;
    // If the bench itself dies (hard deadline, Ctrl-C), the members die with it.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    const timer = setTimeout(() => {
      outcome ??= { status: "failed", reason: `no result within ${swimDeadlineMs(config)} ms (killed)` };
      child.kill("SIGKILL");
    }, swimDeadlineMs(config));
    child.on("message", (message: SwimChildMessage) => {
      if (message.type === "result") {
        const trials = swimTrials(message.figures, config.trials ?? 1);
        outcome ??= { status: "ok", figures: message.figures, ...(trials ? { trials } : {}) };
      } else if (message.type === "unavailable")
        outcome ??= { status: "unavailable", reason: message.reason };
      else outcome ??= { status: "failed", reason: message.message };
    });
    child.on("error", (error) => {
      outcome ??= { status: "failed", reason: error.message };
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      process.removeListener("exit", killOnExit);
      resolve(
        outcome ?? { status: "failed", reason: `swim child exited (${signal ?? code}) without a result` },
      );
    });
  });
}
