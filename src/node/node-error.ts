/**
 * Errors a GossipNode throws across RPC, and how callers read them back.
 * Cloudflare RPC keeps an error's message (and the name of standard Error types) but drops
 * custom properties such as `code`, so the code travels in the message: `"<code>: <text>"`.
 * `readNodeError` turns any caught error back into `{ code, message }` (or null).
 */
import type { NodeErrorShape } from "./rpc-types.js";

export type NodeErrorCode = NodeErrorShape["code"];

const CODES: readonly NodeErrorCode[] = [
  "not_configured",
  "invalid_config",
  "invalid_key",
  "invalid_value",
  "too_many_keys",
  "stopped",
  "left",
];

export class NodeError extends Error {
  constructor(
    readonly code: NodeErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = "NodeError";
  }
}

const PREFIX = new RegExp(`^(?:[A-Za-z]*Error: )?(${CODES.join("|")}): ([\\s\\S]*)$`);

/** Reads a NodeError thrown by a node, locally or across RPC. Null for any other error. */
export function readNodeError(error: unknown): NodeErrorShape | null {
  if (!(error instanceof Error)) return null;
  const match = PREFIX.exec(error.message);
  if (!match) return null;
  return { code: match[1] as NodeErrorCode, message: match[2] as string };
}
