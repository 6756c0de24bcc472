#!/usr/bin/env node
/**
 * The `hearsay` command: `hearsay <command> [flags]`, commands from the table in commands.ts.
 * Bad usage prints one line to stderr and exits 2; a failure from the API exits 1. Settings
 * come from flags, or HEARSAY_URL and HEARSAY_TOKEN.
 */
import { helpText, parseFlags, UsageError } from "./args.js";
import { COMMANDS } from "./commands.js";

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    "Usage: hearsay <command> [options]",
    "",
    "A gossip mesh on Cloudflare's edge: join it as an agent, or read it.",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    "Run `hearsay <command> --help` for a command's options.",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(overview());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)} (try hearsay --help)`);
  const values = parseFlags(command.flags, rest, process.env);
  if (values.help === true) {
    console.log(helpText(command.usage, command.summary, command.flags));
    return 0;
  }
  const stop = new AbortController();
  const onSignal = () => {
    if (!command.graceful || stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return command.run(values, {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    env: process.env,
    stop: stop.signal,
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`hearsay: ${error.message}`);
      process.exit(2);
    }
    console.error(`hearsay: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
