/**
 * `hearsay owners`' pure parts: the table names who answered and from which view, then one
 * row per owner in preference order (rank, node, kind, region or "-", weight); an answer with
 * no owner says so; a --kind the API does not take is a usage error before any request.
 */
import { describe, expect, it } from "vitest";
import { parseFlags, UsageError } from "../../src/cli/args.js";
import { ownersCommand, ownersTable } from "../../src/cli/owners.js";

const ANSWER = { cluster: "c", from: "n1", fingerprint: "9f2c", at: 0, key: "user:42" };

describe("owners table", () => {
  it("names the answering view, then the owners best first", () => {
    const lines = ownersTable({
      ...ANSWER,
      owners: [
        { node: "n2", kind: "node", region: "weur", weight: 1 },
        { node: "web-10", kind: "agent", region: null, weight: 2.5 },
      ],
    });
    expect(lines).toEqual([
      'Owners of "user:42" from n1 (view 9f2c)',
      "Rank  Node    Kind   Region  Weight",
      "1     n2      node   weur    1",
      "2     web-10  agent  -       2.5",
    ]);
  });

  it("says so when no alive member qualifies", () => {
    expect(ownersTable({ ...ANSWER, owners: [] })).toEqual([
      'Owners of "user:42" from n1 (view 9f2c)',
      "(no alive member qualifies)",
    ]);
  });
});

describe("owners flags", () => {
  const run = (argv: string[]) => {
    const io = { out: () => {}, err: () => {}, env: {}, stop: new AbortController().signal };
    return ownersCommand.run(parseFlags(ownersCommand.flags, argv, {}), io);
  };
  const base = ["--url", "http://127.0.0.1:1", "--cluster", "c", "--key", "k"];

  it("refuses a kind, a count or a missing key before asking the API", async () => {
    await expect(run([...base, "--kind", "robot"])).rejects.toThrow(
      new UsageError('--kind must be one of node, agent, any, not "robot"'),
    );
    await expect(run([...base, "--n", "three"])).rejects.toThrow(
      new UsageError('--n must be a whole number >= 1, not "three"'),
    );
    await expect(run(["--url", "http://127.0.0.1:1", "--cluster", "c"])).rejects.toThrow(
      new UsageError("--key is required"),
    );
  });
});
