/**
 * Zod schemas of what the API answers, for `GET /openapi.json`: results, summaries and pages.
 * The node's view, whose types live in src/core and src/node, is in view-schemas.ts.
 */
import { z } from "@hono/zod-openapi";
import { MEMBER_KINDS } from "../node/members-query.js";
import type { ClusterSummary, NodeSummary } from "./convergence.js";
import {
  DigestEntrySchema,
  GossipConfigSchema,
  MemberStatusSchema,
  NullableMemberStatusSchema,
  type SameType,
  schemaMatches,
} from "./view-schemas.js";

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string().openapi({ example: "body.size: size must be between 1 and 1000" }),
    }),
  })
  .openapi("Error");

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
    status: NullableMemberStatusSchema,
    generation: z.number().nullable(),
    heartbeat: z.number().nullable(),
    maxVersion: z.number().nullable(),
    region: z.string().optional().openapi({ description: "The node's region, when it has one." }),
    members: z
      .partialRecord(MemberStatusSchema, z.number())
      .openapi({ description: "Members this node sees, by status." }),
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
schemaMatches<SameType<z.infer<typeof NodeSummarySchema>, NodeSummary>>(true);

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
schemaMatches<SameType<z.infer<typeof ClusterSummarySchema>, ClusterSummary>>(true);

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
