/**
 * The chaos soak, short: the same code as `npm run soak` (bench/soak), about 40 s of chaos on
 * 8 nodes in a real `wrangler dev`, with the same checks. Deadlines are generous and every
 * wait is a poll, so a loaded 2-core CI box passes it too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SoakClient } from "../../bench/soak/client.js";
import { runSoak, type SoakConfig, soakDefaults } from "../../bench/soak/soak.js";
import { report } from "../../bench/soak/soak-report.js";
import { startWranglerDev, type WranglerDev } from "../../tools/wrangler-dev.js";

const CONFIG: SoakConfig = {
  ...soakDefaults(8),
  cluster: "soak-short",
  durationMs: 40_000,
  seed: 20261126,
  protectedNodes: 2,
  keeperEveryMs: 8_000,
  convergeTimeoutMs: 120_000,
  // The lifetime faults, short: a hang past the dead grace then a start, 10 s of agents coming
  // and going, and a survivor. The 10-minute soak runs them longer.
  lifetime: ["hang", "churn", "survivor"],
  agentChurnMs: 10_000,
};

describe("chaos soak (short)", () => {
  let dev: WranglerDev;

  beforeAll(async () => {
    dev = await startWranglerDev();
  });

  afterAll(async () => {
    await dev?.stop();
  });

  it("loses no acknowledged write, declares no protected node dead, bounds rows per alarm, takes back a shunned node and quiets again", async () => {
    const client = new SoakClient(dev.url, dev.token, CONFIG.cluster);
    const result = await runSoak(client, CONFIG);
    const text = report(result).join("\n");
    console.log(text);
    // The faults really happened, and the keeper really ran.
    expect(result.writes.acknowledged, text).toBeGreaterThan(20);
    expect(result.actions.evict + result.actions.deleteAlarm + result.actions.restart, text).toBeGreaterThan(
      3,
    );
    expect(result.actions.keeper, text).toBeGreaterThan(1);
    expect(result.events.read, text).toBeGreaterThan(0);
    expect(result.checks.writesEverywhere, text).toMatchObject({ ok: true, missing: [], versionsBehind: [] });
    expect(result.checks.protectedNeverDead, text).toMatchObject({ ok: true, deaths: [] });
    expect(result.checks.rowsBounded.ok, text).toBe(true);
    expect(result.checks.allRunningRounds, text).toMatchObject({ ok: true, idle: [] });
    // The lifetime invariants were measured, each within its goal.
    for (const [name, invariant] of Object.entries(result.lifetime?.invariants ?? {}))
      expect(invariant, `${name}\n${text}`).toMatchObject({ measured: true, ok: true });
    expect(Object.keys(result.lifetime?.invariants ?? {}).sort(), text).toEqual([
      "falseDeaths",
      "keysLost",
      "quietReturnMaxRounds",
      "shunnedMaxRounds",
    ]);
    expect(result.ok, text).toBe(true);
  }, 420_000);
});
