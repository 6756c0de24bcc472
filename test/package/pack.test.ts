/**
 * The package as a user gets it: `npm pack` (prepack builds dist/ on a clean clone), the
 * tarball's contents, then an install of that tarball into an empty directory (dependencies
 * from the npm cache or registry), a consumer that imports every entry point type-checked
 * there with tsc, the client imported by plain Node, and `npx hearsay --help`.
 *
 *   npx vitest run --project package
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const rootPackage = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const INSTALL_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"];

/** A consumer's code: every entry point, used the way the docs say. */
const CONSUMER = `
import { createClient, startAgent, combineSummaryPages, HearsayApiError, type MembersPage } from "hearsay";
import { resolveConfig, NodeState } from "hearsay/core";
import { ClusterRegistry, GossipNode, HearsayService, hearsayApi, keepNodesRunning, type HearsayEnv } from "hearsay/worker";
import { Hono } from "hono";

const client = createClient({ baseUrl: "https://mesh.example", token: "t" });
export const page: Promise<MembersPage> = client.members("demo", { status: "alive", keys: "endpoint" });
export const stopAgent = () => startAgent({ baseUrl: "https://mesh.example", cluster: "demo", agent: "a", intervalMs: 1000 }).stop({ leave: true });
export const combine = combineSummaryPages;
export const isApiError = (e: unknown) => e instanceof HearsayApiError && e.code === "not_found";
export const interval: number = resolveConfig({}).intervalMs;
export type Snapshot = NodeState;

const app = new Hono<{ Bindings: HearsayEnv }>();
app.get("/", (c) => c.text("mine"));
app.route("/mesh", hearsayApi);
export { ClusterRegistry, GossipNode, HearsayService };
export default {
  fetch: app.fetch,
  scheduled: async (_c: ScheduledController, env: HearsayEnv) => { await keepNodesRunning(env); },
} satisfies ExportedHandler<HearsayEnv>;
`;

const TSCONFIG = {
  compilerOptions: {
    target: "ES2023",
    module: "ESNext",
    moduleResolution: "bundler",
    lib: ["ES2023"],
    types: ["@cloudflare/workers-types"],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
  files: ["consumer.ts"],
};

describe("the npm package", () => {
  let work: string;
  let tarball: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "hearsay-pack-"));
    const { stdout } = await run(npm, ["pack", "--json", "--pack-destination", work], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    // prepack's own output comes first; npm's JSON answer is the array that starts a line.
    const [packed] = JSON.parse(stdout.slice(stdout.search(/^\[/m))) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    if (!packed) throw new Error(`npm pack said nothing: ${stdout}`);
    tarball = join(work, packed.filename);
    await writeFile(join(work, "files.json"), JSON.stringify(packed.files.map((f) => f.path)));
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("holds the built entries, README and LICENSE, and no sources, tests or results", async () => {
    const files = JSON.parse(await readFile(join(work, "files.json"), "utf8")) as string[];
    for (const path of [
      "LICENSE",
      "README.md",
      "package.json",
      "dist/client/index.js",
      "dist/client/index.d.ts",
      "dist/client/schema.d.ts",
      "dist/core/index.js",
      "dist/core/index.d.ts",
      "dist/worker.js",
      "dist/worker.d.ts",
      "dist/cli/main.js",
    ])
      expect(files).toContain(path);
    expect(files.filter((f) => !/^(dist\/|LICENSE$|README\.md$|package\.json$)/.test(f))).toEqual([]);
    expect(files.filter((f) => /\.test\.|(^|\/)(test|bench|results)\//.test(f))).toEqual([]);
  });

  it("installs into an empty project, type-checks a consumer of every entry, and runs the bin", async () => {
    const app = join(work, "app");
    await run("mkdir", ["-p", app]);
    await writeFile(
      join(app, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }),
    );
    const workersTypes = rootPackage.devDependencies["@cloudflare/workers-types"];
    await run(npm, ["install", tarball, `@cloudflare/workers-types@${workersTypes}`, ...INSTALL_FLAGS], {
      cwd: app,
      maxBuffer: 64 * 1024 * 1024,
    });
    // What the install brought: the package's runtime dependencies, never the bench's peer.
    const installed = JSON.parse(
      await readFile(join(app, "node_modules", "hearsay", "package.json"), "utf8"),
    ) as { optionalDependencies?: Record<string, string> };
    expect(installed.optionalDependencies ?? {}).toEqual({});
    await expect(readFile(join(app, "node_modules", "swim", "package.json"), "utf8")).rejects.toThrow();
    await writeFile(join(app, "consumer.ts"), CONSUMER);
    await writeFile(join(app, "tsconfig.json"), JSON.stringify(TSCONFIG));
    const checked = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: app }).catch(
      (error: { stdout?: string }) => ({ stdout: `tsc failed:\n${error.stdout ?? String(error)}` }),
    );
    expect(checked.stdout).toBe("");

    // The client and the core run in plain Node as installed.
    const imported = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'const h = await import("hearsay"); const c = await import("hearsay/core"); console.log(typeof h.createClient, typeof h.startAgent, typeof c.resolveConfig);',
      ],
      { cwd: app },
    );
    expect(imported.stdout.trim()).toBe("function function function");

    const help = await run("npx", ["--no-install", "hearsay", "--help"], { cwd: app });
    expect(help.stdout).toMatch(/^Usage: hearsay <command>/);
    for (const command of ["agent", "members", "owners", "watch"])
      expect(help.stdout).toContain(`  ${command} `);
    const bad = await run("npx", ["--no-install", "hearsay", "members", "--bogus"], { cwd: app }).catch(
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(bad).toMatchObject({ code: 2, stderr: "hearsay: Unknown option '--bogus'\n" });
  }, 300_000);
});
