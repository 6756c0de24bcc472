/**
 * `hearsay owners`: who owns a key, in preference order, as one node's view says (weighted
 * rendezvous hashing over its alive members): a table of rank, node, kind, region and weight
 * under a line naming the node that answered and its view's fingerprint, or the API's answer
 * as JSON with --json. Two answers with the same fingerprint name the same owners.
 */
import type { Owners, OwnersOptions } from "../client/index.js";
import { CONNECTION_FLAGS, connect, integer, optional, required, UsageError } from "./args.js";
import type { Command } from "./command.js";
import { formatTable } from "./table.js";

type OwnerKind = NonNullable<OwnersOptions["kind"]>;
/** The kinds the API takes (the compiler holds this to the OpenAPI's enum). */
const KINDS: Record<OwnerKind, true> = { node: true, agent: true, any: true };

function isKind(text: string): text is OwnerKind {
  return Object.hasOwn(KINDS, text);
}

export const ownersCommand: Command = {
  name: "owners",
  summary: "Name the owners of a key, as one node's view ranks them.",
  usage:
    "hearsay owners --url URL --cluster C --key K [--n 3] [--kind node] [--region R] [--from N] [--json]",
  flags: {
    ...CONNECTION_FLAGS,
    key: { type: "string", value: "K", help: "the key whose owners to name" },
    n: { type: "string", value: "N", help: "how many owners to name (default: the API's)" },
    kind: {
      type: "string",
      value: "KIND",
      help: `which alive members may own keys: ${Object.keys(KINDS).join(", ")} (default: the API's)`,
    },
    region: { type: "string", value: "R", help: "rank this region's members first" },
    from: { type: "string", value: "N", help: "the node whose view answers (default: any running)" },
    json: { type: "boolean", help: "print the API's answer as JSON" },
  },

  async run(values, io) {
    const options: OwnersOptions = {};
    if (optional(values, "n") !== undefined) options.n = integer(values, "n");
    const kind = optional(values, "kind");
    if (kind !== undefined) {
      if (!isKind(kind))
        throw new UsageError(
          `--kind must be one of ${Object.keys(KINDS).join(", ")}, not ${JSON.stringify(kind)}`,
        );
      options.kind = kind;
    }
    for (const name of ["region", "from"] as const) {
      const value = optional(values, name);
      if (value !== undefined) options[name] = value;
    }
    const answer = await connect(values).owners(
      required(values, "cluster"),
      required(values, "key"),
      options,
    );
    if (values.json === true) {
      io.out(JSON.stringify(answer, null, 2));
      return 0;
    }
    for (const line of ownersTable(answer)) io.out(line);
    return 0;
  },
};

/** The answer's lines: who answered from which view, then one row per owner, best first. */
export function ownersTable(answer: Owners): string[] {
  const heading = `Owners of ${JSON.stringify(answer.key)} from ${answer.from} (view ${answer.fingerprint})`;
  if (answer.owners.length === 0) return [heading, "(no alive member qualifies)"];
  return [
    heading,
    ...formatTable([
      ["Rank", "Node", "Kind", "Region", "Weight"],
      ...answer.owners.map((o, i) => [String(i + 1), o.node, o.kind, o.region ?? "-", String(o.weight)]),
    ]),
  ];
}
