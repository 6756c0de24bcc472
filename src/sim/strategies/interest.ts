/**
 * How an infective node loses interest in a rumor, as in Demers et al. (1987), section 1.4.
 * Shared by the asynchronous and the synchronous runs, so the two differ only in timing.
 * - `feedback`: only an unnecessary contact (the partner already knew) counts; a necessary one
 *   resets the counter, so a node stops after k unnecessary contacts in a row. The paper's
 *   traffic bounds say so: every unnecessary message comes within k cycles of a necessary one
 *   or of the node learning the update.
 * - `blind`: every contact counts, whatever the partner knew.
 * - `counter`: removed when the count reaches k; `coin`: removed with probability 1/k at each
 *   counted contact.
 */
import type { Rng } from "../../core/index.js";

export interface InterestRule {
  interest: "feedback" | "blind";
  stop: "counter" | "coin";
  k: number;
}

/**
 * Node `i` took part in a contact; `needless`: its partner already knew (null when the node
 * cannot know, which only `blind` allows). Returns true when `i` loses interest now.
 */
export function losesInterest(
  rule: InterestRule,
  counters: Uint16Array,
  i: number,
  needless: boolean | null,
  rng: Rng,
): boolean {
  if (rule.interest === "feedback" && needless !== true) {
    counters[i] = 0;
    return false;
  }
  if (rule.stop === "coin") return rng() < 1 / rule.k;
  counters[i] = (counters[i] as number) + 1;
  return (counters[i] as number) >= rule.k;
}
