/**
 * Zod schemas for every input the API accepts. The same schemas validate requests and
 * generate `GET /openapi.json`, so the documentation and the checks cannot drift apart.
 * Gossip config fields mirror the core's `CONFIG_LIMITS`, and `resolveConfig` has the last word.
 */
import { z } from "@hono/zod-openapi";
import {
  CONFIG_LIMITS,
  ConfigError,
  DETECTORS,
  type GossipConfigInput,
  MEMBER_STATUSES,
  type MemberStatus,
  MODES,
  resolveConfig,
  USER_KEY_PATTERN,
  USER_KEY_RULE,
} from "../core/index.js";
import {
  AGENT_INTERVAL_MAX_MS,
  AGENT_INTERVAL_MIN_MS,
  LOCATION_HINTS,
  MAX_SEEDS,
  MAX_USER_KEYS,
  MAX_VALUE_BYTES,
  NAME_PATTERN,
  NAME_RULE,
} from "../node/limits.js";
import {
  ALL_KEYS,
  decodeCursor,
  MEMBER_KINDS,
  MEMBERS_DEFAULT_LIMIT,
  MEMBERS_MAX_KEYS,
  MEMBERS_MAX_LIMIT,
} from "../node/members-query.js";
import { SEQ_PATTERN } from "../node/watch-protocol.js";
import { BOOTSTRAP_PAGE, DEFAULT_SEED_COUNT } from "./bootstrap-plan.js";
import { SUMMARY_MAX_LIMIT } from "./convergence.js";
import { MEMBERS_WAIT_MAX_MS, parseWait, WAIT_RULE } from "./wait-duration.js";

export { MAX_VALUE_BYTES, NAME_PATTERN };
export const MAX_BOOTSTRAP_SIZE = 1000;
/** Largest request body accepted, in bytes (a 4 KiB value escaped as JSON fits many times). */
export const MAX_BODY_BYTES = 64 * 1024;

const utf8 = new TextEncoder();

/** Cross-field checks run only on input whose fields passed, so each problem is reported once. */
const onlyIfValidSoFar = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

function name(what: string) {
  return z.string().regex(NAME_PATTERN, `${what} must be ${NAME_RULE}`);
}

export const ClusterName = name("cluster name").openapi({ example: "demo" });
export const NodeName = name("node name").openapi({ example: "n0" });
export const StateKey = z
  .string()
  .regex(USER_KEY_PATTERN, `key must be ${USER_KEY_RULE}`)
  .openapi({ example: "load" });

export const ClusterParams = z.object({
  cluster: ClusterName.openapi({ param: { name: "cluster", in: "path" } }),
});
export const NodeParams = ClusterParams.extend({
  node: NodeName.openapi({ param: { name: "node", in: "path" } }),
});
export const KeyParams = NodeParams.extend({
  key: StateKey.openapi({ param: { name: "key", in: "path" } }),
});

/** One number schema per `CONFIG_LIMITS` entry, with the same bounds. */
function limitSchemas(): Record<string, z.ZodOptional<z.ZodNumber>> {
  const shape: Record<string, z.ZodOptional<z.ZodNumber>> = {};
  for (const [field, rule] of Object.entries(CONFIG_LIMITS)) {
    let schema = z
      .number({ error: `${field} must be a number` })
      .min(rule.min, `${field} must be between ${rule.min} and ${rule.max}`)
      .max(rule.max, `${field} must be between ${rule.min} and ${rule.max}`);
    if (rule.integer) schema = schema.int(`${field} must be an integer`);
    shape[field] = schema.openapi({ description: rule.description }).optional();
  }
  return shape;
}

export const GossipConfigInputSchema = z
  .strictObject({
    ...limitSchemas(),
    mode: z
      .enum(MODES, { error: `mode must be one of ${MODES.map((m) => `"${m}"`).join(", ")}` })
      .optional()
      .openapi({ description: "Exchange style: who sends deltas to whom." }),
    detector: z
      .enum(DETECTORS, { error: `detector must be one of ${DETECTORS.map((d) => `"${d}"`).join(", ")}` })
      .optional()
      .openapi({
        description: "How members are judged: SWIM probing, or phi accrual over relayed heartbeats.",
      }),
  })
  .superRefine((config, ctx) => {
    try {
      resolveConfig(config as GossipConfigInput);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      ctx.addIssue({ code: "custom", path: [error.field], message: error.message });
    }
  }, onlyIfValidSoFar)
  .openapi("GossipConfigInput", {
    description: "Gossip tunables; every field optional. Omitted time fields derive from intervalMs.",
  });

const Seeds = z
  .array(NodeName)
  .max(MAX_SEEDS, `at most ${MAX_SEEDS} seeds`)
  .refine((seeds) => new Set(seeds).size === seeds.length, "seeds must not repeat");

const HINTS_TEXT = LOCATION_HINTS.join(", ");

/** A region: a Durable Object location hint. */
export const Region = z
  .enum(LOCATION_HINTS, { error: `region must be a location hint: one of ${HINTS_TEXT}` })
  .openapi("Region", {
    description: `A Durable Object location hint (${HINTS_TEXT}). It places a node when its object is first created; peers prefer partners of their own region.`,
    example: "weur",
  });

/** Most regions one bootstrap may name. */
export const MAX_BOOTSTRAP_REGIONS = LOCATION_HINTS.length;

export const BootstrapBody = z
  .strictObject({
    size: z
      .number({ error: "size must be a number" })
      .int("size must be an integer")
      .min(1, `size must be between 1 and ${MAX_BOOTSTRAP_SIZE}`)
      .max(MAX_BOOTSTRAP_SIZE, `size must be between 1 and ${MAX_BOOTSTRAP_SIZE}`)
      .openapi({
        description: `Nodes in the cluster, named n0..n{size-1}; more than ${BOOTSTRAP_PAGE} are started over several calls (see \`from\`).`,
        example: 12,
      }),
    seeds: Seeds.min(1, "seeds must name at least one node")
      .optional()
      .openapi({
        description: `Seed nodes; default the first min(${DEFAULT_SEED_COUNT}, size) nodes ("n0", "n1"), for every call of the bootstrap.`,
      }),
    config: GossipConfigInputSchema.optional(),
    regions: z
      .array(Region)
      .min(1, "regions must name at least one location hint")
      .max(MAX_BOOTSTRAP_REGIONS, `at most ${MAX_BOOTSTRAP_REGIONS} regions`)
      .refine((regions) => new Set(regions).size === regions.length, "regions must not repeat")
      .optional()
      .openapi({
        description:
          "Location hints; node n{i} is placed in regions[i mod length]. Without it, nodes have no region.",
        example: ["weur", "enam"],
      }),
    from: z
      .number({ error: "from must be a number" })
      .int("from must be an integer")
      .min(0, `from must be between 0 and ${MAX_BOOTSTRAP_SIZE - 1}`)
      .max(MAX_BOOTSTRAP_SIZE - 1, `from must be between 0 and ${MAX_BOOTSTRAP_SIZE - 1}`)
      .optional()
      .openapi({
        description: `Index of the first node this call starts; default 0. One call starts at most ${BOOTSTRAP_PAGE} nodes (one subrequest each), n{from} onwards: to start the rest, send the same body again with \`from\` set to the answer's \`next\`. Must be below \`size\`.`,
        example: 0,
      }),
  })
  .superRefine((body, ctx) => {
    if (body.from !== undefined && body.from >= body.size) {
      ctx.addIssue({
        code: "custom",
        path: ["from"],
        message: `from must be below size (${body.size}): the nodes are n0..n${body.size - 1}`,
      });
    }
    for (const seed of body.seeds ?? []) {
      const index = /^n(0|[1-9][0-9]*)$/.exec(seed);
      if (!index || Number(index[1]) >= body.size) {
        ctx.addIssue({
          code: "custom",
          path: ["seeds"],
          message: `seed ${seed} is not one of n0..n${body.size - 1}`,
        });
      }
    }
  }, onlyIfValidSoFar)
  .openapi("BootstrapRequest");

export const StartNodeBody = z
  .strictObject({
    seeds: Seeds.openapi({
      description: "Nodes to contact first (may be empty for a lone node).",
      example: ["n0"],
    }),
    config: GossipConfigInputSchema.optional(),
    region: Region.optional().openapi({
      description:
        "Where to place the node (a location hint). Omitted: the region it had, if any. A Durable Object stays where it was first created, so a later hint only relabels it.",
    }),
  })
  .openapi("StartNodeRequest");

export const PutStateBody = z
  .strictObject({
    value: z
      .string({ error: "value must be a string" })
      .refine(
        (value) => utf8.encode(value).byteLength <= MAX_VALUE_BYTES,
        `value must be at most ${MAX_VALUE_BYTES} bytes of UTF-8`,
      )
      .openapi({ example: "0.42" }),
  })
  .openapi("PutStateRequest");

export const AgentName = name("agent name").openapi({ example: "edge-1" });
export const AgentParams = ClusterParams.extend({
  agent: AgentName.openapi({ param: { name: "agent", in: "path" } }),
});

export const AgentHeartbeatBody = z
  .strictObject({
    intervalMs: z
      .number({ error: "intervalMs must be a number" })
      .int("intervalMs must be an integer")
      .min(
        AGENT_INTERVAL_MIN_MS,
        `intervalMs must be between ${AGENT_INTERVAL_MIN_MS} and ${AGENT_INTERVAL_MAX_MS}`,
      )
      .max(
        AGENT_INTERVAL_MAX_MS,
        `intervalMs must be between ${AGENT_INTERVAL_MIN_MS} and ${AGENT_INTERVAL_MAX_MS}`,
      )
      .openapi({
        description:
          "How often the agent heartbeats, ms. Its home's phi detector expects this rate: send the next heartbeat within about one interval.",
        example: 500,
      }),
    state: z
      .record(StateKey, PutStateBody.shape.value)
      .refine(
        (state) => Object.keys(state).length <= MAX_USER_KEYS,
        `state holds at most ${MAX_USER_KEYS} keys`,
      )
      .optional()
      .openapi({
        description:
          "Keys to write on the agent (same rules and limits as a node's state); keys not named keep their values.",
        example: { endpoint: "https://10.0.0.7:8443" },
      }),
    node: NodeName.optional().openapi({
      description:
        "The home node. Default: a stable hash of the agent's name over the cluster's nodes, skipping stopped ones.",
    }),
  })
  .openapi("AgentHeartbeatRequest");

const sinceParam = z.string().regex(SEQ_PATTERN, "since must be a non-negative integer").optional();

export const WatchQuery = z.object({
  since: sinceParam.openapi({
    param: { name: "since", in: "query" },
    description:
      "First send the events the node holds after this sequence number (`0`: all it holds), then live ones. Without it, live events only.",
  }),
});

export const EventsQuery = z.object({
  since: sinceParam.openapi({
    param: { name: "since", in: "query" },
    description: "Only events after this sequence number (the Last-Event-ID header wins).",
  }),
  follow: z
    .enum(["true", "false"], { error: 'follow must be "true" or "false"' })
    .optional()
    .openapi({
      param: { name: "follow", in: "query" },
      description:
        "`false`: send the events the node holds now (after `since`) and end the stream, leaving no poll behind; default `true`: keep following.",
    }),
});

const summaryLimitRule = `limit must be an integer between 1 and ${SUMMARY_MAX_LIMIT}`;

export const SummaryQuery = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,6}$/, summaryLimitRule)
    .refine((value) => Number(value) >= 1 && Number(value) <= SUMMARY_MAX_LIMIT, summaryLimitRule)
    .optional()
    .openapi({
      param: { name: "limit", in: "query" },
      description: `Nodes per page, 1 to ${SUMMARY_MAX_LIMIT} (one call each, within one request's subrequest budget); default ${SUMMARY_MAX_LIMIT}.`,
    }),
  cursor: NodeName.optional().openapi({
    param: { name: "cursor", in: "query" },
    description: "The `next` of the previous page: this page starts after that node.",
  }),
  digests: z
    .enum(["true", "false"], { error: 'digests must be "true" or "false"' })
    .optional()
    .openapi({
      param: { name: "digests", in: "query" },
      description: "Include every node's full digest (large for big clusters). Default false.",
    }),
});

/** Location hints (wnam, weur, ...) and any other region label: short, lower case. */
export const REGION_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

const Cursor = z.string().refine((cursor) => {
  try {
    decodeCursor(cursor);
    return true;
  } catch {
    return false;
  }
}, "cursor is not one this API returned; pass the `next` of the previous page");

/**
 * The members query as an object: what the service binding takes, and what the HTTP query
 * string is turned into before it is checked. One schema, so both answer the same errors.
 */
export const MembersQueryInput = z.strictObject({
  status: z
    .array(z.enum(MEMBER_STATUSES as [MemberStatus, ...MemberStatus[]], { error: statusMessage }))
    .optional(),
  kind: z.enum(MEMBER_KINDS, { error: `kind must be one of ${MEMBER_KINDS.join(", ")}` }).optional(),
  keys: z
    .array(
      z
        .string()
        .refine(
          (key) => key === ALL_KEYS || USER_KEY_PATTERN.test(key),
          `keys must be state keys (or ${ALL_KEYS} for all)`,
        ),
    )
    .max(MEMBERS_MAX_KEYS, `at most ${MEMBERS_MAX_KEYS} keys`)
    .optional(),
  region: z.string().regex(REGION_PATTERN, "region must be a location hint such as weur").optional(),
  limit: z
    .number({ error: "limit must be a number" })
    .int(`limit must be an integer between 1 and ${MEMBERS_MAX_LIMIT}`)
    .min(1, `limit must be an integer between 1 and ${MEMBERS_MAX_LIMIT}`)
    .max(MEMBERS_MAX_LIMIT, `limit must be an integer between 1 and ${MEMBERS_MAX_LIMIT}`)
    .optional(),
  cursor: Cursor.optional(),
  from: NodeName.optional(),
});

export type MembersQueryInputType = z.infer<typeof MembersQueryInput>;

function statusMessage(): string {
  return `status must be a comma list of ${MEMBER_STATUSES.join(", ")}`;
}

function queryParam(name: string, description: string, example?: string) {
  return z
    .string()
    .optional()
    .openapi({ param: { name, in: "query" }, description, ...(example ? { example } : {}) });
}

/** `GET .../members` query string: plain strings here, checked as MembersQueryInput. */
export const MembersQueryParams = z.object({
  status: queryParam("status", `Comma list of statuses to include (${MEMBER_STATUSES.join(", ")}).`, "alive"),
  kind: queryParam("kind", `Only members of this kind (${MEMBER_KINDS.join(" or ")}).`),
  keys: queryParam(
    "keys",
    `Comma list of state keys to include in each member's \`state\` (at most ${MEMBERS_MAX_KEYS}; \`${ALL_KEYS}\` for all). Without it, members carry no state.`,
    "load",
  ),
  region: queryParam("region", "Only members placed in this region (location hint)."),
  limit: queryParam("limit", `Page size, 1 to ${MEMBERS_MAX_LIMIT}; default ${MEMBERS_DEFAULT_LIMIT}.`),
  cursor: queryParam("cursor", "The `next` of the previous page."),
  from: queryParam("from", "The node whose view answers; default any running node, chosen at random."),
  wait: z
    .string()
    .refine((value) => parseWait(value) !== null, WAIT_RULE)
    .optional()
    .openapi({
      param: { name: "wait", in: "query" },
      description: `With \`index\`: how long to wait for the page to change (\`30s\`, \`5m\`, \`1500ms\`; a bare number is seconds), at most and by default ${MEMBERS_WAIT_MAX_MS / 60_000}m.`,
      example: "30s",
    }),
  index: z
    .string()
    .max(200, "index is an ETag: at most 200 characters")
    .optional()
    .openapi({
      param: { name: "index", in: "query" },
      description:
        "A blocking query: the ETag of the page the caller holds. The answer comes as soon as the page differs from it (200), or when `wait` ends (304).",
    }),
});

/** Turns the query string into MembersQueryInput's input (comma lists split, limit a number). */
export function membersQueryFromParams(params: z.infer<typeof MembersQueryParams>): Record<string, unknown> {
  const list = (value: string | undefined) =>
    value === undefined
      ? undefined
      : value
          .split(",")
          .map((item) => item.trim())
          .filter((item) => item !== "");
  const out: Record<string, unknown> = {
    status: list(params.status),
    kind: params.kind,
    keys: list(params.keys),
    region: params.region,
    limit:
      params.limit === undefined ? undefined : params.limit.trim() === "" ? Number.NaN : Number(params.limit),
    cursor: params.cursor,
    from: params.from,
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}
