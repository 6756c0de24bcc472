#!/usr/bin/env node
/**
 * Builds the npm package into dist/ (`npm run build`; `npm pack` and `npm publish` run it
 * through prepack): a clean dist, tsc for the Worker-side entries and for the CLI, and the
 * client's generated types (src/client/schema.d.ts), which tsc does not copy.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
rmSync("dist", { recursive: true, force: true });
for (const project of ["tsconfig.build.json", "tsconfig.build-cli.json"])
  execFileSync(process.execPath, [tsc, "-p", project], { stdio: "inherit" });
copyFileSync("src/client/schema.d.ts", "dist/client/schema.d.ts");
