/**
 * Running a health check, the process part: an HTTP GET, or a shell command, each with a
 * timeout, reduced to a CheckResult by the pure rules in health.ts.
 */
import { spawn } from "node:child_process";
import { type CheckResult, commandHealth, HEALTH_OUTPUT_MAX_BYTES, httpHealth } from "./health.js";

/** A check the agent runs on its schedule. */
export type Check = () => Promise<CheckResult>;

/** GET `url`: its status decides, its body (or the failure) is the output. */
export function httpCheck(url: string, timeoutMs: number): Check {
  return async () => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
      const body = await response.text().catch(() => "");
      return {
        health: httpHealth(response.status),
        output: `HTTP GET ${url}: ${response.status} ${response.statusText} Output: ${body}`,
      };
    } catch (error) {
      const reason =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      return { health: httpHealth(null), output: `HTTP GET ${url}: ${reason}` };
    }
  };
}

/** `sh -c command`: its exit code decides, its stdout and stderr (as they came) are the output. */
export function commandCheck(command: string, timeoutMs: number): Check {
  return () =>
    new Promise<CheckResult>((resolve) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const child = spawn("sh", ["-c", command], { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
      const keep = (chunk: Buffer) => {
        // Only the start is published: keep a little more than that, not a runaway's output.
        if (kept < 4 * HEALTH_OUTPUT_MAX_BYTES) chunks.push(chunk);
        kept += chunk.length;
      };
      child.stdout.on("data", keep);
      child.stderr.on("data", keep);
      child.once("error", (error) => resolve({ health: commandHealth(null), output: error.message }));
      child.once("close", (code, signal) => {
        const output = Buffer.concat(chunks).toString("utf8");
        resolve({
          health: commandHealth(signal === null ? code : null),
          output: signal === null ? output : `${output}${output ? "\n" : ""}killed by ${signal}`,
        });
      });
    });
}
