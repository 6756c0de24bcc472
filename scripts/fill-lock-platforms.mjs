#!/usr/bin/env node
/**
 * Fills package-lock.json with the entries `npm install` leaves out when the
 * registry answers 404 for other platforms' binary packages (the proxy in our
 * build environment serves linux builds only). Without them `npm ci` refuses the
 * lock ("Missing: <pkg>@ from lock file"). Each added entry is what npm itself
 * would write, minus `integrity`: exact version, os/cpu/libc, optional. npm
 * skips such packages on other platforms without fetching them.
 *
 * Run after adding or upgrading a dependency: `npm run lock:platforms`.
 * `--check` only reports (exit 1 if something is missing). Optional argument: a lock path.
 */
import { readFileSync, writeFileSync } from "node:fs";

const LOCK =
  process.argv.slice(2).find((a) => !a.startsWith("--")) ?? new URL("../package-lock.json", import.meta.url);
/** @type {Record<string, string>} */
const OS = {
  darwin: "darwin",
  linux: "linux",
  win32: "win32",
  windows: "win32",
  android: "android",
  freebsd: "freebsd",
};
/** @type {Record<string, string>} */
const CPU = { arm64: "arm64", x64: "x64", 64: "x64", arm: "arm", ia32: "ia32" };
// e.g. cli-darwin-arm64, workerd-windows-64, msgpackr-extract-linux-x64, cli-linux-x64-musl
const PLATFORM =
  /-(darwin|linux|win32|windows|android|freebsd)-(arm64|x64|64|arm|ia32)(?:-(musl|gnu|msvc|gnueabihf))?$/;

const check = process.argv.includes("--check");
const lock = JSON.parse(readFileSync(LOCK, "utf8"));
/** @typedef {{version?: string, dev?: boolean, optional?: boolean, os?: string[], cpu?: string[], libc?: string[], optionalDependencies?: Record<string, string>}} LockEntry */
/** @type {Record<string, LockEntry>} */
const packages = lock.packages;
/** @type {string[]} */
const added = [];

for (const [key, entry] of Object.entries(packages)) {
  const optional = Object.entries(entry.optionalDependencies ?? {});
  for (const [name, spec] of optional) {
    const match = PLATFORM.exec(name);
    if (!match || !/^\d+\.\d+\.\d+(?:[-+][\w.-]+)?$/.test(spec)) continue;
    if (resolve(key, name, spec)) continue;
    const [, os = "", cpu = "", libc] = match;
    // Place it beside a sibling platform package that did install (where npm hoisted it).
    const sibling = optional
      .map(([other, otherSpec]) => ({ other, at: resolve(key, other, otherSpec) }))
      .find(({ at }) => at !== undefined);
    const nested = `${key ? `${key}/` : ""}node_modules/${name}`;
    const beside =
      sibling?.at && `${sibling.at.slice(0, -`node_modules/${sibling.other}`.length)}node_modules/${name}`;
    const at = beside && !packages[beside] ? beside : nested;
    packages[at] = {
      version: spec,
      cpu: [CPU[cpu] ?? cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(libc === "musl" ? { libc: ["musl"] } : {}),
      optional: true,
      os: [OS[os] ?? os],
    };
    added.push(`${name}@${spec}`);
  }
}

if (added.length === 0) {
  console.log("lock:platforms: nothing missing");
} else if (check) {
  console.error(`lock:platforms: missing from package-lock.json:\n  ${added.join("\n  ")}`);
  process.exitCode = 1;
} else {
  const sorted = [
    "",
    ...Object.keys(packages)
      .filter((k) => k !== "")
      .sort(),
  ];
  lock.packages = Object.fromEntries(sorted.map((k) => [k, packages[k]]));
  writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`lock:platforms: added ${added.length} entries:\n  ${added.join("\n  ")}`);
}

/**
 * Where `name`, required from lock entry `key`, resolves to version `spec` (or undefined).
 * @param {string} key
 * @param {string} name
 * @param {string} spec
 * @returns {string | undefined}
 */
function resolve(key, name, spec) {
  let dir = key;
  for (;;) {
    const at = `${dir ? `${dir}/` : ""}node_modules/${name}`;
    const found = packages[at];
    if (found) return found.version === spec ? at : undefined;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf("node_modules/");
    dir = cut <= 0 ? "" : dir.slice(0, cut - 1);
  }
}
