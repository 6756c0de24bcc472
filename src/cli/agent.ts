/**
 * `hearsay agent`: heartbeats into the mesh as agent NAME for any process on any machine, in
 * the spirit of `consul agent`. An optional HTTP or command check runs on its own schedule and
 * its result is published in the agent's state as `health` and `health_output` (health.ts).
 * With --leave-when-critical the agent leaves while critical and comes back once passing.
 * SIGINT or SIGTERM: a graceful leave, then exit 0. One log line per change of health or
 * registration; an unreachable API is said once while the loop backs off with jitter.
 */
import { type AgentClaim, type AgentLoop, HearsayApiError } from "../client/index.js";
import { CONNECTION_FLAGS, connect, integer, optional, pairs, required, UsageError } from "./args.js";
import { type Check, commandCheck, httpCheck } from "./checks.js";
import type { Command } from "./command.js";
import { type CheckResult, healthState } from "./health.js";

/** Answers that no retry will change: the agent says why and exits 1. */
const FATAL_STATUSES = new Set([400, 401, 403, 404]);
/** Longest an HTTP or command check may take, ms (Consul's default timeout). */
const CHECK_TIMEOUT_MAX_MS = 10_000;

export const agentCommand: Command = {
  name: "agent",
  summary: "Heartbeat into the mesh as an agent, with an optional health check.",
  usage: "hearsay agent --url URL --cluster C --name NAME [options]",
  graceful: true,
  flags: {
    ...CONNECTION_FLAGS,
    name: { type: "string", value: "NAME", help: "this agent's name in the mesh" },
    "interval-ms": { type: "string", value: "MS", default: "1000", help: "heartbeat period" },
    node: {
      type: "string",
      value: "HOME",
      help: "the home node to ask for (default: the API's stable choice)",
    },
    state: { type: "string", multiple: true, value: "k=v", help: "a state key to publish" },
    "check-http": {
      type: "string",
      value: "URL",
      help: "health check: GET URL (2xx passing, 429 warning, else critical)",
    },
    "check-cmd": {
      type: "string",
      value: "CMD",
      help: "health check: sh -c CMD (exit 0 passing, 1 warning, else critical)",
    },
    "check-every-ms": { type: "string", value: "MS", default: "5000", help: "how often the check runs" },
    "leave-when-critical": {
      type: "boolean",
      help: "leave while the check is critical; come back once passing",
    },
  },

  async run(values, io) {
    const url = required(values, "url");
    const cluster = required(values, "cluster");
    const name = required(values, "name");
    const intervalMs = integer(values, "interval-ms");
    const everyMs = integer(values, "check-every-ms");
    const node = optional(values, "node");
    const base = pairs(values, "state");
    const checkHttp = optional(values, "check-http");
    const checkCmd = optional(values, "check-cmd");
    if (checkHttp && checkCmd) throw new UsageError("give --check-http or --check-cmd, not both");
    const timeoutMs = Math.min(everyMs, CHECK_TIMEOUT_MAX_MS);
    const check: Check | undefined = checkHttp
      ? httpCheck(checkHttp, timeoutMs)
      : checkCmd
        ? commandCheck(checkCmd, timeoutMs)
        : undefined;
    const leaveWhenCritical = values["leave-when-critical"] === true;
    if (leaveWhenCritical && !check)
      throw new UsageError("--leave-when-critical needs --check-http or --check-cmd");

    const client = connect(values);
    const log = (line: string) => io.out(`${new Date().toISOString()} ${name}: ${line}`);
    let result: CheckResult | undefined = check ? await check() : undefined;
    let unreachable = false;
    let fatal: string | undefined;
    let endNow = () => {};
    const ended = new Promise<void>((resolve) => {
      io.stop.addEventListener("abort", () => resolve(), { once: true });
      endNow = resolve;
    });

    const onBeat = (claim: AgentClaim) => {
      if (unreachable) log("the API answers again");
      unreachable = false;
      if (claim.outcome !== "heartbeat")
        log(
          `${claim.outcome} at home ${claim.node} (generation ${claim.generation}, incarnation ${claim.incarnation})`,
        );
    };
    const onError = (error: unknown) => {
      if (error instanceof HearsayApiError && FATAL_STATUSES.has(error.status)) {
        fatal = error.message;
        endNow();
        return;
      }
      if (unreachable) return;
      unreachable = true;
      const reason = error instanceof Error ? error.message : String(error);
      log(`the API is unreachable (${reason}); retrying with back-off`);
    };
    const start = (): AgentLoop =>
      client.startAgent({
        cluster,
        agent: name,
        intervalMs,
        state: { ...base, ...(result ? healthState(result) : {}) },
        ...(node ? { node } : {}),
        onBeat,
        onError,
      });
    const leave = async (current: AgentLoop, why: string) => {
      try {
        await current.stop({ leave: true });
        log(`left (${why})`);
      } catch (error) {
        log(
          `leave failed (${error instanceof Error ? error.message : String(error)}); the mesh will judge the silence`,
        );
      }
    };

    if (result) log(`health: ${result.health}`);
    let loop: AgentLoop | undefined =
      leaveWhenCritical && result?.health === "critical" ? undefined : start();
    if (!loop) log("not joining while critical");
    log(`heartbeating ${cluster} at ${url} every ${intervalMs} ms`);

    /** Runs the check on its schedule until the agent ends, publishing each change. */
    const checking = (async () => {
      if (!check) return;
      while (!io.stop.aborted && fatal === undefined) {
        const timer = new Promise<void>((resolve) => setTimeout(resolve, everyMs));
        await Promise.race([timer, ended]);
        if (io.stop.aborted || fatal !== undefined) return;
        const next = await check();
        const before = result;
        result = next;
        if (next.health !== before?.health) log(`health: ${before?.health ?? "none"} -> ${next.health}`);
        if (leaveWhenCritical && next.health === "critical" && loop) {
          const current = loop;
          loop = undefined;
          await leave(current, "critical");
        } else if (leaveWhenCritical && next.health === "passing" && !loop && !io.stop.aborted) {
          loop = start();
        } else if (loop && (next.health !== before?.health || next.output !== before?.output)) {
          loop.setState(healthState(next));
        }
      }
    })();

    await ended;
    // A check in flight may take its whole timeout: it is not waited for (the process exits).
    const last = loop;
    loop = undefined;
    if (fatal !== undefined) {
      await last?.stop();
      io.err(`hearsay agent: ${fatal}`);
    } else if (last) await leave(last, "signal");
    void checking;
    return fatal === undefined ? 0 : 1;
  },
};
