/**
 * Shape checks of an owner write (a node trusts no caller, even though the API checks first).
 * Limits that depend on what the node holds (key count, stored bytes) are in node-runtime.ts.
 */
import { USER_KEY_PATTERN } from "../core/index.js";
import { MAX_VALUE_LENGTH } from "./limits.js";
import { NodeError } from "./node-error.js";

export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || !USER_KEY_PATTERN.test(key)) {
    throw new NodeError("invalid_key", `key must match ${USER_KEY_PATTERN.source}`);
  }
}

export function checkValue(value: unknown): asserts value is string {
  if (typeof value !== "string" || value.length > MAX_VALUE_LENGTH) {
    throw new NodeError("invalid_value", `value must be a string of at most ${MAX_VALUE_LENGTH} characters`);
  }
}
