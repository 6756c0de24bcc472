/**
 * `hearsay members`: the cluster's directory as a table, as `consul members` prints it (one
 * row per member: name, kind, status, home, region, then the asked-for state keys), or the
 * whole joined page as JSON with --json. Every page is read from one node's view.
 */
import type { DirectoryMember, MembersQuery } from "../client/index.js";
import { CONNECTION_FLAGS, connect, optional, required } from "./args.js";
import type { Command } from "./command.js";
import { formatTable } from "./table.js";

export const membersCommand: Command = {
  name: "members",
  summary: "List the cluster's members, as one node sees them.",
  usage:
    "hearsay members --url URL --cluster C [--status alive,suspect] [--kind agent] [--keys k1,k2] [--json]",
  flags: {
    ...CONNECTION_FLAGS,
    status: {
      type: "string",
      value: "S1,S2",
      help: "only these statuses (joining, alive, suspect, dead, left)",
    },
    kind: { type: "string", value: "KIND", help: "only members of this kind (node or agent)" },
    keys: { type: "string", value: "K1,K2", help: "state keys to show as columns (* for all)" },
    region: { type: "string", value: "R", help: "only members placed in this region" },
    json: { type: "boolean", help: "print the directory as JSON" },
  },

  async run(values, io) {
    const client = connect(values);
    const query: MembersQuery = {};
    for (const name of ["status", "kind", "keys", "region"] as const) {
      const value = optional(values, name);
      if (value !== undefined) query[name] = value;
    }
    const page = await client.membersAll(required(values, "cluster"), query);
    if (values.json === true) {
      io.out(JSON.stringify(page, null, 2));
      return 0;
    }
    for (const line of membersTable(page.members)) io.out(line);
    return 0;
  },
};

/** The table's lines: fixed columns, then one column per state key any member carries. */
export function membersTable(members: readonly DirectoryMember[]): string[] {
  const keys = [...new Set(members.flatMap((m) => Object.keys(m.state ?? {})))].sort();
  return formatTable([
    ["Node", "Kind", "Status", "Home", "Region", ...keys],
    ...members.map((m) => [
      m.node,
      m.kind,
      m.status ?? "-",
      m.home ?? "-",
      m.region ?? "-",
      ...keys.map((k) => m.state?.[k] ?? "-"),
    ]),
  ]);
}
