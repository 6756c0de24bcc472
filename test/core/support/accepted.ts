/** Narrows an engine answer to a message: false for a rejection (`{ok: false}`). */
export function isAccepted<T>(answer: T | { ok: false; reason: string }): answer is T {
  return !(typeof answer === "object" && answer !== null && "ok" in answer && answer.ok === false);
}
