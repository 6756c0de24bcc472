/**
 * Writes the OpenAPI document that `GET /openapi.json` serves, generated in Node from the same
 * Hono app and zod schemas, so `redocly lint` and `openapi-typescript` can read it without a
 * running Worker. Usage: `tsx scripts/openapi.ts [out.json]` (default: stdout).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

// The app is type-checked with the Worker's types (tsconfig.worker.json); a computed specifier
// keeps this Node-typed project from checking it again against the wrong globals.
const APP_MODULE = ["..", "src", "api", "app.js"].join("/");
const { openApiDocument } = (await import(APP_MODULE)) as { openApiDocument(): unknown };

const out = process.argv[2];
const text = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
if (out) {
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, text);
} else {
  process.stdout.write(text);
}
