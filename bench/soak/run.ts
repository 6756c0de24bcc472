/**
 * `npm run soak`: the chaos soak (soak.ts) against a fresh local `wrangler dev`. Prints its
 * configuration and figures, writes them as JSON, and exits non-zero when a check fails.
 * See docs/soak.md.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startWranglerDev, type WranglerDev } from "../../tools/wrangler-dev.js";
import { SoakClient } from "./client.js";
import { runSoak, type SoakConfig, soakDefaults } from "./soak.js";
import { LIFETIME_FAULTS, type LifetimeFault } from "./soak-config.js";
import { report } from "./soak-report.js";

const USAGE = `Usage: npm run soak -- [options]

  --minutes <m>        how long the chaos runs (default 10; fractions allowed)
  --nodes <n>          nodes in the mesh (default 16)
  --interval <ms>      the nodes' gossip interval (default 1000)
  --step <ms>          pause between two driver steps (default 150)
  --seed <n>           seed of the driver's choices (default: from the clock, printed)
  --protected <n>      nodes n0..n{n-1} the chaos never faults (default max(2, nodes/4))
  --keeper-every <s>   fire the cron keeper this often (default 15)
  --rows-bound <r>     check (c): mesh-wide rows the gossip writes per alarm at most
                       (alarm, heartbeat, membership, peers' keys; default 5), beside
                       one row at each other node for each write
  --dead-grace <r>     the mesh's dead grace in rounds (default 10): a hang outlasts it
  --churn-seconds <s>  how long agents come and go (default 30)
  --churn-agents <n>   agents coming and going at once (default 4)
  --lifetime <faults>  lifetime faults after the chaos, comma-separated, or none
                       (default hang,churn,survivor)
  --out <dir>          result directory (default bench/results)
  --help               this text
`;

function positive(name: string, raw: string | undefined, fallback: number, integer = true): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
    throw new Error(`--${name} must be a positive ${integer ? "integer" : "number"}, got ${raw}`);
  return value;
}

function lifetimeFaults(raw: string | undefined, fallback: readonly LifetimeFault[]): LifetimeFault[] {
  if (raw === undefined) return [...fallback];
  if (raw === "none") return [];
  const names = raw.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !(LIFETIME_FAULTS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`--lifetime takes ${LIFETIME_FAULTS.join(", ")} or none, not ${unknown.join(", ")}`);
  return LIFETIME_FAULTS.filter((fault) => names.includes(fault));
}

function parse(argv: readonly string[]): { config: SoakConfig; outDir: string } | "help" {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      minutes: { type: "string" },
      nodes: { type: "string" },
      interval: { type: "string" },
      step: { type: "string" },
      seed: { type: "string" },
      protected: { type: "string" },
      "keeper-every": { type: "string" },
      "rows-bound": { type: "string" },
      "dead-grace": { type: "string" },
      "churn-seconds": { type: "string" },
      "churn-agents": { type: "string" },
      lifetime: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return "help";
  const nodes = positive("nodes", values.nodes, 16);
  if (nodes < 3) throw new Error("--nodes must be at least 3");
  const defaults = soakDefaults(nodes);
  const protectedNodes = positive("protected", values.protected, defaults.protectedNodes);
  if (protectedNodes >= nodes) throw new Error("--protected must leave at least one node to fault");
  const config: SoakConfig = {
    ...defaults,
    durationMs: positive("minutes", values.minutes, 10, false) * 60_000,
    intervalMs: positive("interval", values.interval, defaults.intervalMs),
    stepMs: positive("step", values.step, defaults.stepMs),
    seed: values.seed === undefined ? Date.now() % 2 ** 31 : positive("seed", values.seed, 1),
    protectedNodes,
    keeperEveryMs:
      positive("keeper-every", values["keeper-every"], defaults.keeperEveryMs / 1000, false) * 1000,
    rowsPerAlarmBound: positive("rows-bound", values["rows-bound"], defaults.rowsPerAlarmBound, false),
    deadGraceRounds: positive("dead-grace", values["dead-grace"], defaults.deadGraceRounds),
    agentChurnMs:
      positive("churn-seconds", values["churn-seconds"], defaults.agentChurnMs / 1000, false) * 1000,
    churnAgents: positive("churn-agents", values["churn-agents"], defaults.churnAgents),
    lifetime: lifetimeFaults(values.lifetime, defaults.lifetime),
  };
  return { config, outDir: values.out ?? "bench/results" };
}

async function main(): Promise<number> {
  const parsed = parse(process.argv.slice(2));
  if (parsed === "help") {
    console.log(USAGE);
    return 0;
  }
  const { config, outDir } = parsed;
  console.log(`soak configuration: ${JSON.stringify(config)}`);
  let dev: WranglerDev | undefined;
  try {
    console.log("starting wrangler dev on 127.0.0.1 ...");
    dev = await startWranglerDev({ startTimeoutMs: 90_000 });
    const client = new SoakClient(dev.url, dev.token, config.cluster);
    const result = await runSoak(client, config, (line) => console.log(line));
    for (const line of report(result)) console.log(line);
    await mkdir(outDir, { recursive: true });
    const file = join(outDir, `soak-${result.startedAt.replace(/[:.]/g, "-")}.json`);
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`figures written to ${file}`);
    return result.ok ? 0 : 1;
  } finally {
    await dev?.stop();
  }
}

// Ctrl-C or a kill: exit through process.exit so the exit hook stops wrangler.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(2);
  },
);
