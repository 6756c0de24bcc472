/**
 * tools/poll.ts, the one way tests, the bench and the soak wait: it asks until the answer is
 * truthy, keeps asking at once when `everyMs` is 0 (the check waits itself), and at the
 * deadline fails naming what it waited for and the last error a check threw.
 */
import { describe, expect, it } from "vitest";
import { PollTimeout, pollUntil, waitFor } from "../../tools/poll.js";

describe("polling", () => {
  it("returns the first truthy answer and says how many attempts it took", async () => {
    let calls = 0;
    const result = await pollUntil(async () => (++calls >= 3 ? "done" : undefined), {
      what: "three calls",
      timeoutMs: 5_000,
      everyMs: 1,
    });
    expect(result).toMatchObject({ value: "done", attempts: 3 });
    expect(result.at).toBeGreaterThanOrEqual(result.startedAt);
  });

  it("asks again at once with everyMs 0, until the deadline", async () => {
    let calls = 0;
    const value = await waitFor(
      "a check that waits itself",
      async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return calls >= 10;
      },
      5_000,
      0,
    );
    expect(value).toBe(true);
    expect(calls).toBe(10);
  });

  it("fails at the deadline naming what it waited for and the last error", async () => {
    const failing = waitFor(
      "the impossible",
      async () => {
        throw new Error("not yet: 42");
      },
      50,
      10,
    );
    await expect(failing).rejects.toThrow(PollTimeout);
    await expect(failing).rejects.toThrow(/waiting for the impossible: Error: not yet: 42/);
  });
});
