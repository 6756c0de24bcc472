/**
 * Shape checks of an owner write (a node trusts no caller, even though the API checks first).
 * Limits that depend on what the node holds (key count, stored bytes) are in node-runtime.ts.
 */
import { USER_KEY_PATTERN, USER_KEY_RULE } from "../core/index.js";
import { MAX_VALUE_BYTES } from "./limits.js";
import { NodeError } from "./node-error.js";

const utf8 = new TextEncoder();

export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || !USER_KEY_PATTERN.test(key)) {
    throw new NodeError("invalid_key", `key must be ${USER_KEY_RULE}`);
  }
}

export function checkValue(value: unknown): asserts value is string {
  if (typeof value !== "string" || utf8.encode(value).byteLength > MAX_VALUE_BYTES) {
    throw new NodeError(
      "invalid_value",
      `value must be a string of at most ${MAX_VALUE_BYTES} bytes of UTF-8`,
    );
  }
}
