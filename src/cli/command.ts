/**
 * What a CLI command is: its name, usage, flags and a `run` that answers an exit code. The
 * entry point (main.ts) finds commands in the table (commands.ts), parses their flags and
 * hands them this small world: output lines, the environment, and a signal that fires on
 * SIGINT or SIGTERM for commands that end gracefully.
 */
import type { Flags, Values } from "./args.js";

export interface Io {
  /** One line to stdout. */
  out(line: string): void;
  /** One line to stderr. */
  err(line: string): void;
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT or SIGTERM (only for `graceful` commands; others just exit). */
  stop: AbortSignal;
}

export interface Command {
  name: string;
  /** One line for `hearsay --help`. */
  summary: string;
  /** The usage line after `Usage: `. */
  usage: string;
  flags: Flags;
  /** Handles SIGINT/SIGTERM itself through `io.stop` (else the process exits at once, 130). */
  graceful?: boolean;
  run(values: Values, io: Io): Promise<number>;
}
