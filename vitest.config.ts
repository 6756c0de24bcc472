/**
 * Vitest projects. `vitest run` runs all four; pick one with `--project <name>`.
 * - core:   the protocol core and the simulator, in plain Node (test/core, test/sim).
 * - node:   the plain functions around the core, in plain Node (test/node): the API's and the
 *           node shell's pure parts, the client, the CLI, the bench, the scripts.
 * - worker: the Worker and the GossipNode Durable Object inside workerd
 *           (`cloudflare:test`), configured from wrangler.toml.
 * - e2e:    a real `wrangler dev` per test file, driven over HTTP from Node.
 * - embed:  examples/embed (a Worker of one's own mounting the mesh) inside workerd, from its
 *           own wrangler.toml, with `hearsay` resolved to the sources.
 * - package: `npm pack`, installed into an empty directory and used from there.
 */

import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** Bearer token bound as API_TOKEN inside the worker project (same as local dev). */
const TEST_API_TOKEN = "dev-token";
/** Key of scoped tokens inside the worker project (same as local dev). */
const TEST_TOKEN_SECRET = "dev-token-secret";

/**
 * The example consumer Worker (examples/consumer) runs beside hearsay as an auxiliary Worker.
 * Its HEARSAY binding names the Worker under test as the plugin names it
 * (`vitest-plugin-runner-<project>`), which exports the main module's HearsayService.
 */
const consumerWorker = {
  name: "hearsay-consumer",
  modules: true,
  scriptPath: "./examples/consumer/index.js",
  compatibilityDate: "2026-11-02",
  serviceBindings: { HEARSAY: { name: "vitest-plugin-runner-worker", entrypoint: "HearsayService" } },
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "core",
          environment: "node",
          include: ["test/core/**/*.test.ts", "test/sim/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            remoteBindings: false,
            miniflare: {
              bindings: { API_TOKEN: TEST_API_TOKEN, TOKEN_SECRET: TEST_TOKEN_SECRET },
              serviceBindings: { CONSUMER: consumerWorker.name },
              workers: [consumerWorker],
            },
          }),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          // Real alarms and many RPCs in one shared workerd: on a 2-CPU CI box a test
          // that takes 4 s alone passes 5 s (vitest's default) under the full run.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          // Each file starts its own `wrangler dev`, which takes seconds.
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./examples/embed/wrangler.toml" },
            remoteBindings: false,
            miniflare: { bindings: { API_TOKEN: TEST_API_TOKEN } },
          }),
        ],
        resolve: {
          alias: [
            {
              find: /^hearsay$/,
              replacement: fileURLToPath(new URL("./src/client/index.ts", import.meta.url)),
            },
            {
              find: /^hearsay\/worker$/,
              replacement: fileURLToPath(new URL("./src/worker.ts", import.meta.url)),
            },
          ],
        },
        test: {
          name: "embed",
          include: ["test/embed/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: "package",
          environment: "node",
          include: ["test/package/**/*.test.ts"],
        },
      },
    ],
  },
});
