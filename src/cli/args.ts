/**
 * The CLI's flags, declared once per command as a table of `Flag`s: the parser (node:util
 * parseArgs, strict) and the `--help` text are both derived from it. A bad flag or value is a
 * UsageError, which the entry point prints as one line and answers with exit code 2.
 */
import { parseArgs } from "node:util";
import { createHearsayClient, type HearsayClient } from "../client/index.js";

export interface Flag {
  type: "string" | "boolean";
  /** May be given more than once (values collect into a list). */
  multiple?: boolean;
  /** The value's placeholder in the help, e.g. `URL`. */
  value?: string;
  help: string;
  /** Environment variable read when the flag is absent. */
  env?: string;
  /** Default when neither the flag nor its variable is given (shown in the help). */
  default?: string;
}

export type Flags = Record<string, Flag>;

/** A command's parsed flags, environment fallbacks and defaults applied. */
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Bad usage: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The flags every command that talks to the API takes. */
export const CONNECTION_FLAGS: Flags = {
  url: {
    type: "string",
    value: "URL",
    env: "HEARSAY_URL",
    help: "the hearsay API, e.g. http://127.0.0.1:8787",
  },
  token: {
    type: "string",
    value: "TOKEN",
    env: "HEARSAY_TOKEN",
    help: "bearer token (API_TOKEN, READ_TOKEN or a scoped token)",
  },
  cluster: { type: "string", value: "C", help: "the cluster" },
};

/** The client that CONNECTION_FLAGS describe. */
export function connect(values: Values): HearsayClient {
  const token = optional(values, "token");
  return createHearsayClient({ baseUrl: required(values, "url"), ...(token ? { token } : {}) });
}

const HELP_FLAG: Flags = { help: { type: "boolean", help: "show this help" } };

/** Parses `argv` against `flags` (plus --help); env fallbacks and defaults applied. */
export function parseFlags(flags: Flags, argv: string[], env: Record<string, string | undefined>): Values {
  const all = { ...flags, ...HELP_FLAG };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(
        Object.entries(all).map(([name, flag]) => [
          name,
          { type: flag.type, multiple: flag.multiple ?? false },
        ]),
      ),
    });
  } catch (error) {
    // parseArgs explains at length; the first sentence says what was wrong.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split(/\.\s/)[0]?.replace(/\.$/, "") ?? message);
  }
  const values: Values = { ...parsed.values };
  for (const [name, flag] of Object.entries(flags)) {
    if (values[name] !== undefined) continue;
    const fromEnv = flag.env ? env[flag.env] : undefined;
    values[name] = fromEnv !== undefined && fromEnv !== "" ? fromEnv : flag.default;
  }
  return values;
}

/** A string flag that must be there. */
export function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

/** A string flag, or undefined. */
export function optional(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A whole number of at least `min`. */
export function integer(values: Values, name: string, min = 1): number {
  const text = required(values, name);
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || value < min)
    throw new UsageError(`--${name} must be a whole number >= ${min}, not ${JSON.stringify(text)}`);
  return value;
}

/** `k=v` pairs (a multiple flag) as a record. */
export function pairs(values: Values, name: string): Record<string, string> {
  const list = values[name];
  const out: Record<string, string> = {};
  for (const item of Array.isArray(list) ? list : []) {
    if (typeof item !== "string") continue;
    const at = item.indexOf("=");
    if (at <= 0) throw new UsageError(`--${name} takes key=value, not ${JSON.stringify(item)}`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

/** The help text of a command: usage line, summary, then one line per flag. */
export function helpText(usage: string, summary: string, flags: Flags): string {
  const rows = Object.entries({ ...flags, ...HELP_FLAG }).map(([name, flag]) => {
    const left = `  --${name}${flag.value ? ` ${flag.value}` : ""}`;
    const extra = [
      flag.multiple ? "repeatable" : "",
      flag.env ? `or $${flag.env}` : "",
      flag.default !== undefined ? `default ${flag.default}` : "",
    ].filter(Boolean);
    return [left, `${flag.help}${extra.length > 0 ? ` (${extra.join("; ")})` : ""}`] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [`Usage: ${usage}`, "", summary, "", "Options:", ...rows.map(([l, r]) => l.padEnd(width) + r)].join(
    "\n",
  );
}
