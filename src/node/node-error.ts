/**
 * Errors a GossipNode throws across RPC, and how callers read them back.
 * Cloudflare RPC keeps an error's message (and the name of standard Error types) but drops
 * custom properties such as `code`, so the code travels in the message: `"<code>: <text>"`.
 * `readNodeError` turns any caught error back into `{ code, message }` (or null).
 */

/** Every code a node throws: the one list (rpc-types.ts and the API derive theirs from it). */
export const NODE_ERROR_CODES = [
  "not_configured",
  "invalid_config",
  "invalid_key",
  "invalid_value",
  "too_many_keys",
  "state_budget_exceeded",
  "leave_unconfirmed",
  "stopped",
  "left",
  "too_many_agents",
  "too_many_departed_agents",
  "name_taken",
  "unknown_agent",
  "upgrade_required",
  "too_many_watchers",
  "registry_unavailable",
] as const;

export type NodeErrorCode = (typeof NODE_ERROR_CODES)[number];

/** Error thrown across RPC for a call that makes no sense in the node's state. */
export interface NodeErrorShape {
  code: NodeErrorCode;
  message: string;
}

export class NodeError extends Error {
  constructor(
    readonly code: NodeErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = "NodeError";
  }
}

const PREFIX = new RegExp(`^(?:[A-Za-z]*Error: )?(${NODE_ERROR_CODES.join("|")}): ([\\s\\S]*)$`);

/** Reads a NodeError thrown by a node, locally or across RPC. Null for any other error. */
export function readNodeError(error: unknown): NodeErrorShape | null {
  if (!(error instanceof Error)) return null;
  const match = PREFIX.exec(error.message);
  if (!match) return null;
  return { code: match[1] as NodeErrorCode, message: match[2] as string };
}
