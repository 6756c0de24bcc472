/**
 * The committed client types (src/client/schema.d.ts) match the OpenAPI document the API
 * generates today: regenerated here exactly as `npm run client:types` does, then compared.
 * When this fails, run `npm run client:types` and commit the result.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const bin = (name: string) => join("node_modules", ".bin", name);
const dir = mkdtempSync(join(tmpdir(), "hearsay-client-types-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("client types", () => {
  it("src/client/schema.d.ts is generated from the current OpenAPI document", () => {
    const doc = join(dir, "openapi.json");
    const types = join(dir, "schema.d.ts");
    execFileSync(bin("tsx"), ["scripts/openapi.ts", doc], { stdio: "pipe" });
    execFileSync(bin("openapi-typescript"), [doc, "--output", types], { stdio: "pipe" });
    const formatted = execFileSync(bin("biome"), ["format", "--stdin-file-path=src/client/schema.d.ts"], {
      input: readFileSync(types),
      stdio: ["pipe", "pipe", "pipe"],
    }).toString();
    expect(formatted, "run `npm run client:types` and commit src/client/schema.d.ts").toBe(
      readFileSync("src/client/schema.d.ts", "utf8"),
    );
  }, 60_000);
});
