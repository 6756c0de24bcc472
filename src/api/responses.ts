/**
 * Zod schemas of what the API answers, for `GET /openapi.json`. They describe the shapes in
 * `src/node/rpc-types.ts` and `src/api/convergence.ts`; handlers are typed against those.
 */
import { z } from "@hono/zod-openapi";
import { MEMBER_STATUSES } from "../core/index.js";
import { MEMBER_KINDS } from "../node/members-query.js";
import type { NodeView } from "../node/rpc-types.js";

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string().openapi({ example: "body.size: size must be between 1 and 1000" }),
    }),
  })
  .openapi("Error");

export const MemberStatusSchema = z.enum(MEMBER_STATUSES as [string, ...string[]]).openapi("MemberStatus");

export const MemberViewSchema = z
  .object({
    node: z.string(),
    generation: z.number(),
    heartbeat: z.number(),
    status: MemberStatusSchema,
    phi: z.number(),
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

export const GossipConfigSchema = z
  .record(z.string(), z.union([z.number(), z.string()]))
  .openapi("GossipConfig", {
    description: "The node's resolved configuration: every field of GossipConfigInput, defaults filled in.",
  });

/** `[node, generation, heartbeat, maxVersion, gcVersion?]`. */
export const DigestEntrySchema = z
  .array(z.union([z.string(), z.number()]))
  .openapi("DigestEntry", { description: "[node, generation, heartbeat, maxVersion, gcVersion?]" });

const NodeViewObject = z
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
    options: z.record(z.string(), z.union([z.number(), z.boolean()])).openapi({
      description: "Settings of the Durable Object shell (rpcTimeoutMs, snapshotEveryMs, rumor).",
    }),
    counters: z.record(z.string(), z.number()),
    digest: z.array(DigestEntrySchema),
    wakeRounds: z.number().int().openapi({
      description:
        "Rounds this node's next wake (alarm) may wait: 1 while busy (suspicions, agents alive or suspect, joining, phi, a recent change), up to config.roundsPerWake when quiet.",
    }),
    at: z.number().openapi({ description: "Node clock when the view was taken, ms since epoch." }),
  })
  .openapi("NodeView");

/** Typed as the RPC's NodeView (interfaces such as GossipConfig have no index signature). */
export const NodeViewSchema = NodeViewObject as unknown as z.ZodType<NodeView>;

export const HealthResponse = z.object({ ok: z.literal(true) }).openapi("Health");

export const BootstrapResponse = z
  .object({
    cluster: z.string(),
    nodes: z.array(z.string()).openapi({ description: "The nodes this call started, in order." }),
    seeds: z.array(z.string()),
    config: GossipConfigSchema,
    regions: z
      .record(z.string(), z.string())
      .optional()
      .openapi({ description: "With `regions`: the region of each node this call started, by node." }),
    next: z.number().int().nullable().openapi({
      description:
        "The `from` of the next call, to start the nodes after this call's; null when this call started the last node, n{size-1}.",
    }),
    complete: z.boolean().openapi({
      description:
        "This one call started every node, n0..n{size-1}. False when it started only a page of them: nodes from `next` on are not started until that call is made (and nodes before `from`, by the calls before).",
    }),
  })
  .openapi("BootstrapResult");

export const PutStateResponse = z
  .object({ cluster: z.string(), node: z.string(), key: z.string(), value: z.string(), version: z.number() })
  .openapi("PutStateResult");

export const DeleteStateResponse = z
  .object({ cluster: z.string(), node: z.string(), key: z.string(), version: z.number() })
  .openapi("DeleteStateResult");

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

export const EvictResponse = z
  .object({ cluster: z.string(), node: z.string(), evicted: z.literal(true) })
  .openapi("EvictResult");

export const DeleteAlarmResponse = z
  .object({
    cluster: z.string(),
    node: z.string(),
    deleted: z.boolean().openapi({ description: "Whether an alarm was pending (and is now gone)." }),
  })
  .openapi("DeleteAlarmResult");

export const DeleteNodeResponse = z
  .object({
    cluster: z.string(),
    node: z.string(),
    deregistered: z.literal(true),
  })
  .openapi("DeleteNodeResult");

export const NodeSummarySchema = z
  .object({
    node: z.string(),
    configured: z.boolean(),
    running: z.boolean(),
    status: MemberStatusSchema.nullable(),
    generation: z.number().nullable(),
    heartbeat: z.number().nullable(),
    maxVersion: z.number().nullable(),
    region: z.string().optional().openapi({ description: "The node's region, when it has one." }),
    members: z.record(z.string(), z.number()).openapi({ description: "Members this node sees, by status." }),
    memberCount: z
      .number()
      .nullable()
      .openapi({ description: "Members this node sees, itself included (null when not configured)." }),
    rounds: z
      .number()
      .nullable()
      .openapi({ description: "Protocol rounds the node has run (null when not configured)." }),
    wakeRounds: z.number().int().nullable().openapi({
      description:
        "Rounds its next wake may wait: 1 while busy, up to config.roundsPerWake when quiet (null when not configured).",
    }),
    live: z.boolean().openapi({ description: "Counts for convergence: configured, running, not left." }),
    agrees: z
      .boolean()
      .nullable()
      .openapi({ description: "Its view matches the majority (null when not live)." }),
    viewHash: z.string().nullable(),
    digest: z.array(DigestEntrySchema).optional(),
    error: z.string().optional().openapi({ description: "Why this node's view could not be read." }),
  })
  .openapi("NodeSummary");

export const ClusterSummarySchema = z
  .object({
    cluster: z.string(),
    at: z.number(),
    registered: z.number().openapi({ description: "Nodes the cluster's registry lists (all pages)." }),
    live: z.number().openapi({ description: "Live nodes on this page." }),
    converged: z.boolean().openapi({
      description:
        "Every live node on this page shares one fingerprint (the cluster's verdict when `complete`).",
    }),
    differing: z.array(z.string()),
    majority: z.number().openapi({ description: "Live nodes on this page that hold the majority view." }),
    nodes: z.array(NodeSummarySchema),
    limit: z.number().openapi({ description: "Nodes per page asked for (or the default)." }),
    maxLimit: z.number().openapi({ description: "The largest `limit` accepted." }),
    next: z.string().nullable().openapi({ description: "Cursor of the next page; null on the last page." }),
    complete: z
      .boolean()
      .openapi({ description: "This page is the whole cluster, so `converged` speaks for it." }),
    fingerprints: z.record(z.string(), z.number()).openapi({
      description:
        "Live nodes on this page by view fingerprint; summed over all pages, one fingerprint means the cluster converged.",
    }),
  })
  .openapi("ClusterSummary");

export const DirectoryMemberSchema = z
  .object({
    node: z.string(),
    kind: z.enum(MEMBER_KINDS),
    status: MemberStatusSchema,
    incarnation: z.number().openapi({ description: "Orders liveness claims within a generation." }),
    generation: z.number(),
    region: z.string().optional(),
    home: z.string().optional().openapi({ description: "For agents: the node that hears its heartbeats." }),
    state: z
      .record(z.string(), z.string())
      .optional()
      .openapi({ description: "Only the keys asked for with `keys`; absent without `keys`." }),
  })
  .openapi("DirectoryMember");

export const MembersPageSchema = z
  .object({
    cluster: z.string(),
    from: z.string().openapi({ description: "The node whose view this is." }),
    at: z.number().openapi({ description: "That node's clock when it answered, ms since epoch." }),
    members: z.array(DirectoryMemberSchema),
    next: z.string().nullable().openapi({ description: "Cursor of the next page; null on the last page." }),
  })
  .openapi("MembersPage");
