/**
 * `npm run docs:figures`: rewrites the generated blocks of the docs from result files, so no
 * figure is ever copied by hand.
 *
 *   npm run docs:figures                 rewrite the blocks
 *   npm run docs:figures -- --check      exit 1 when a block differs from what would be written
 *   npm run docs:figures -- --results D  read D/<date>.json and D/sim/*.json (default bench/results)
 *
 * Sources: the newest `bench/results/<YYYY-MM-DD>.json` (`npm run bench`), the newest of
 * `bench/results/nodes-128/` (the cold start at the goal's size) and of `bench/results/tradeoff/`
 * (`npm run bench -- --tradeoff ... --out bench/results/tradeoff`), every
 * `bench/results/sim/*.json` (`npm run sim -- ... --json <file>`), the core's config
 * declaration, the core cluster test's bounds and the subrequest budget (inline
 * `<!-- fact:NAME -->` values, scripts/docs-figures/page-facts.ts). Reads files only: no network, no clock, about a second.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { COLD_GOAL } from "../bench/cold-goal.js";
import { rewriteFacts } from "./docs-figures/page-facts.js";
import {
  type BenchSource,
  BLOCKS,
  type BlockName,
  newestBenchFile,
  parseBenchResult,
  parseSimReport,
  rewriteBlocks,
  type Sources,
} from "./docs-figures/render.js";
import { newestWatchFile, parseWatchResult } from "./docs-figures/watch-block.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The documents with generated blocks, and the blocks each must have. */
const DOCUMENTS: Record<string, BlockName[]> = {
  "README.md": ["summary", "tradeoff"],
  "docs/benchmarks.md": ["bench", "bench-usage", "watch"],
  "docs/simulator.md": ["sim"],
  "docs/operations.md": ["config"],
  "docs/protocol.md": ["core-bounds"],
  "docs/api.md": ["bootstrap-pages"],
};

/** Every document checked: those above, and any other that states a fact inline. */
function documents(): Array<[string, BlockName[]]> {
  const docs = readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`);
  return [...new Set(["README.md", ...Object.keys(DOCUMENTS), ...docs])].map((doc) => [
    doc,
    DOCUMENTS[doc] ?? [],
  ]);
}

function posix(path: string): string {
  return path.split("\\").join("/");
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${posix(relative(ROOT, path))}: ${(error as Error).message}`);
  }
}

/** The newest dated bench result in `dir` that `keep` accepts, parsed; null when there is none. */
function newestIn(
  dir: string,
  keep: (result: BenchSource["result"]) => boolean = () => true,
): BenchSource | null {
  let names = existsSync(dir) ? readdirSync(dir) : [];
  for (let newest = newestBenchFile(names); newest; newest = newestBenchFile(names)) {
    const file = join(dir, newest);
    const path = posix(relative(ROOT, file));
    const result = parseBenchResult(path, readJson(file));
    if (keep(result)) return { path, result };
    names = names.filter((name) => name !== newest);
  }
  return null;
}

function loadSources(resultsDir: string): Sources {
  const names = existsSync(resultsDir) ? readdirSync(resultsDir) : [];
  const bench = newestIn(resultsDir);
  const simDir = join(resultsDir, "sim");
  const simNames = existsSync(simDir)
    ? readdirSync(simDir)
        .filter((name) => name.endsWith(".json"))
        .sort()
    : [];
  const sims = simNames.map((name) => {
    const file = join(simDir, name);
    const path = posix(relative(ROOT, file));
    return { path, report: parseSimReport(path, readJson(file)) };
  });
  // The cold start at the goal's size, and the trade-off run on its own: the newest of each folder.
  const cold = newestIn(join(resultsDir, `nodes-${COLD_GOAL.nodes}`));
  // A main run without the trade-off leaves the last run that had one in the README.
  const withRows = (result: BenchSource["result"]) => (result.figures.tradeoff?.length ?? 0) > 0;
  const tradeoff = newestIn(join(resultsDir, "tradeoff")) ?? newestIn(resultsDir, withRows);
  const newestWatch = newestWatchFile(names);
  const watch = newestWatch
    ? (() => {
        const path = posix(relative(ROOT, join(resultsDir, newestWatch)));
        return { path, result: parseWatchResult(path, readJson(join(resultsDir, newestWatch))) };
      })()
    : null;
  return { bench, sims, watch, cold, tradeoff };
}

function main(): number {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      check: { type: "boolean", default: false },
      results: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      "Usage: npm run docs:figures -- [--check] [--results DIR]\n" +
        "  rewrites the <!-- figures:NAME --> blocks of README.md and docs/ from bench/results\n" +
        "  --check        change nothing; exit 1 if a block is stale\n" +
        "  --results DIR  read DIR/<date>.json and DIR/sim/*.json [bench/results]\n",
    );
    return 0;
  }
  const sources = loadSources(resolve(ROOT, values.results ?? "bench/results"));
  const stale: string[] = [];
  for (const [document, required] of documents()) {
    const file = join(ROOT, document);
    const before = readFileSync(file, "utf8");
    const target = { root: "../".repeat(document.split("/").length - 1) };
    const rewritten = rewriteBlocks(before, (name) => BLOCKS[name](sources, target), document);
    const { blocks } = rewritten;
    const facts = rewriteFacts(rewritten.text, document);
    const { text } = facts;
    const changed = [...rewritten.changed, ...facts.changed];
    const missing = required.filter((name) => !blocks.includes(name));
    if (missing.length) {
      throw new Error(
        `${document}: missing block(s) ${missing.map((n) => `<!-- figures:${n} -->`).join(", ")}`,
      );
    }
    if (text === before) continue;
    stale.push(`${document} (${changed.join(", ")})`);
    if (!values.check) writeFileSync(file, text);
  }
  const from = [sources.bench?.path ?? "no bench result", `${sources.sims.length} simulator report(s)`].join(
    ", ",
  );
  if (values.check) {
    if (stale.length) {
      process.stderr.write(`docs:figures: stale: ${stale.join("; ")}. Run npm run docs:figures.\n`);
      return 1;
    }
    process.stdout.write(`docs:figures: every block is current (${from})\n`);
    return 0;
  }
  process.stdout.write(
    stale.length
      ? `docs:figures: rewrote ${stale.join("; ")} from ${from}\n`
      : `docs:figures: nothing to change (${from})\n`,
  );
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`docs:figures: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
