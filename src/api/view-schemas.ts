/**
 * Zod schemas of a node's view (`NodeView`, `MemberView`, the resolved config, counters and
 * digest) for `GET /openapi.json` and the client types. The TypeScript types in src/core and
 * src/node stay the one source: each schema here is checked against its type at compile time,
 * both ways (`SameType` below), so a field added, dropped or retyped on either side fails
 * `tsc` instead of drifting silently.
 */
import { z } from "@hono/zod-openapi";
import {
  CONFIG_LIMITS,
  type CoreCounters,
  DETECTORS,
  type DigestEntry,
  emptyCounters,
  type GossipConfig,
  MEMBER_STATUSES,
  type MemberStatus,
  type MemberView,
  MODES,
  type NumericRule,
} from "../core/index.js";
import { MEMBER_KINDS } from "../node/members-query.js";
import {
  type AgentClaim,
  type NodeCounters,
  type NodeOptions,
  type NodeView,
  SHELL_COUNTERS,
} from "../node/rpc-types.js";

/** True only when A and B are the same type (each assignable to the other, optional fields alike). */
export type SameType<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when given `true`: `schemaMatches<SameType<z.infer<typeof S>, T>>(true)`. */
export function schemaMatches<Check extends true>(_: Check): void {}

const memberStatuses = z.enum(MEMBER_STATUSES as [MemberStatus, ...MemberStatus[]]);
export const MemberStatusSchema = memberStatuses.openapi("MemberStatus");
/**
 * A status or null, inline: `MemberStatusSchema.nullable()` would carry the registered name
 * along and make the shared `MemberStatus` component nullable everywhere.
 */
export const NullableMemberStatusSchema = memberStatuses.nullable();

export const MemberViewSchema = z
  .object({
    node: z.string(),
    generation: z.number(),
    incarnation: z.number().openapi({
      description: "Orders liveness claims within a generation; only the member raises it, to refute.",
    }),
    heartbeat: z.number().openapi({
      description:
        "Under phi: the member's heartbeat as last relayed. Under swim: for the observer itself its round count, for others the acks this observer got from them.",
    }),
    status: MemberStatusSchema,
    phi: z
      .number()
      .openapi({ description: "Under phi: suspicion level of the relayed heartbeats. Under swim: 0." }),
    maxVersion: z.number(),
    state: z.record(z.string(), z.string()),
    region: z
      .string()
      .optional()
      .openapi({ description: "The region (location hint) the member was placed in, when it has one." }),
    kind: z.enum(MEMBER_KINDS).optional().openapi({ description: "`agent` for an agent; absent for nodes." }),
    home: z.string().optional().openapi({ description: "An agent's home node." }),
  })
  .openapi("MemberView");
schemaMatches<SameType<z.infer<typeof MemberViewSchema>, MemberView>>(true);

/** One number schema per numeric tunable, keyed as `CONFIG_LIMITS` is. */
function numericFields<K extends string>(rules: Record<K, NumericRule>): { [F in K]: z.ZodNumber } {
  const shape: Partial<Record<K, z.ZodNumber>> = {};
  for (const field of Object.keys(rules) as K[]) {
    shape[field] = z.number().openapi({ description: rules[field].description });
  }
  return shape as { [F in K]: z.ZodNumber };
}

export const GossipConfigSchema = z
  .object({
    ...numericFields(CONFIG_LIMITS),
    mode: z.enum(MODES as [GossipConfig["mode"], ...GossipConfig["mode"][]]),
    detector: z.enum(DETECTORS as [GossipConfig["detector"], ...GossipConfig["detector"][]]),
  })
  .openapi("GossipConfig", {
    description: "The node's resolved configuration: every field of GossipConfigInput, defaults filled in.",
  });
schemaMatches<SameType<z.infer<typeof GossipConfigSchema>, GossipConfig>>(true);

/** Status codes on the wire: 0 alive, 1 suspect, 2 dead, 3 left. */
const StatusCodeSchema = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]);

export const DigestEntrySchema = z
  .tuple([z.string(), z.number(), z.number(), StatusCodeSchema, z.number(), z.number().optional()])
  .openapi("DigestEntry", {
    description:
      "[node, generation, incarnation, status code (0 alive, 1 suspect, 2 dead, 3 left), maxVersion, gcVersion?]",
  });
schemaMatches<SameType<z.infer<typeof DigestEntrySchema>, DigestEntry>>(true);

const NodeOptionsSchema = z
  .object({ rpcTimeoutMs: z.number(), snapshotEveryMs: z.number(), rumor: z.boolean() })
  .openapi("NodeOptions", { description: "Settings of the Durable Object shell." });
schemaMatches<SameType<z.infer<typeof NodeOptionsSchema>, NodeOptions>>(true);

/** A number field per counter name, described when a description is given. */
function counterFields<K extends string>(
  descriptions: Record<K, string | undefined>,
): { [F in K]: z.ZodNumber } {
  const shape: Partial<Record<K, z.ZodNumber>> = {};
  for (const name of Object.keys(descriptions) as K[]) {
    const description = descriptions[name];
    shape[name] = description === undefined ? z.number() : z.number().openapi({ description });
  }
  return shape as { [F in K]: z.ZodNumber };
}

/** The core's counter names, from its own empty counters (typed complete by the core). */
const coreCounterNames = Object.fromEntries(
  Object.keys(emptyCounters()).map((name) => [name, undefined]),
) as Record<keyof CoreCounters, undefined>;

const NodeCountersSchema = z
  .object({ ...counterFields(coreCounterNames), ...counterFields(SHELL_COUNTERS) })
  .openapi("NodeCounters", {
    description: "The core's counters and the shell's; memory only, they restart after a wake-up.",
  });
schemaMatches<SameType<z.infer<typeof NodeCountersSchema>, NodeCounters>>(true);

export const NodeViewSchema = z
  .object({
    cluster: z.string(),
    node: z.string(),
    running: z.boolean().openapi({ description: "True while the node gossips (false after stop or leave)." }),
    generation: z.number(),
    status: MemberStatusSchema,
    self: MemberViewSchema,
    members: z
      .array(MemberViewSchema)
      .openapi({ description: "Every member this node knows, itself included." }),
    seeds: z.array(z.string()),
    config: GossipConfigSchema,
    options: NodeOptionsSchema,
    counters: NodeCountersSchema,
    digest: z.array(DigestEntrySchema),
    wakeRounds: z.number().int().openapi({
      description:
        "Rounds this node's next wake (alarm) may wait: 1 while busy (suspicions, agents alive or suspect, joining, phi, a recent change), up to config.roundsPerWake when quiet.",
    }),
    at: z.number().openapi({ description: "Node clock when the view was taken, ms since epoch." }),
  })
  .openapi("NodeView");
schemaMatches<SameType<z.infer<typeof NodeViewSchema>, NodeView>>(true);

export const AgentClaimSchema = z
  .object({
    cluster: z.string(),
    agent: z.string(),
    node: z.string().openapi({ description: "The agent's home node, which judges its heartbeats." }),
    generation: z.number(),
    incarnation: z.number(),
    status: MemberStatusSchema,
    outcome: z
      .enum(["registered", "takeover", "revived", "heartbeat", "left"])
      .openapi({ description: "What the call did at the home." }),
  })
  .openapi("AgentClaim");
schemaMatches<SameType<z.infer<typeof AgentClaimSchema>, AgentClaim>>(true);
