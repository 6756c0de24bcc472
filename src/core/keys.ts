/**
 * The rule for user keys, declared once: the API's schemas, the node and the dashboard derive
 * from it.
 */

/** Keys users may write: 1..128 characters of [A-Za-z0-9._:-]. */
export const USER_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export const USER_KEY_RULE = "1..128 characters of [A-Za-z0-9._:-]";

export function checkUserKey(key: string): void {
  if (!USER_KEY_PATTERN.test(key))
    throw new RangeError(`invalid key ${JSON.stringify(key)}: ${USER_KEY_RULE}`);
}

/**
 * Reserved state key under which a member publishes its region (users cannot write `~` keys,
 * and views never show them): it travels with the member's state, so no wire change.
 */
export const REGION_KEY = "~region";
