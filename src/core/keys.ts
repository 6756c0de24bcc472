/**
 * The rule for user keys, declared once: the API's schemas, the node and the dashboard derive
 * from it.
 */

/** Longest user key, in characters (ASCII only, so also bytes). */
export const USER_KEY_MAX = 128;

/** Keys users may write: 1..128 characters of [A-Za-z0-9._:-]. */
export const USER_KEY_PATTERN = new RegExp(`^[A-Za-z0-9._:-]{1,${USER_KEY_MAX}}$`);

export const USER_KEY_RULE = `1-${USER_KEY_MAX} characters of A-Z, a-z, 0-9, ".", "_", ":" and "-"`;

export function checkUserKey(key: string): void {
  if (!USER_KEY_PATTERN.test(key))
    throw new RangeError(`invalid key ${JSON.stringify(key)}: ${USER_KEY_RULE}`);
}

/** What every reserved key begins with: users cannot write such keys, and views never show them. */
export const RESERVED_KEY_PREFIX = "~";

export function isReservedKey(key: string): boolean {
  return key.startsWith(RESERVED_KEY_PREFIX);
}

/**
 * Reserved state key under which a member publishes its region (users cannot write `~` keys,
 * and views never show them): it travels with the member's state, so no wire change.
 */
export const REGION_KEY = `${RESERVED_KEY_PREFIX}region`;
