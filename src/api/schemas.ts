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
  MODES,
  resolveConfig,
} from "../core/index.js";
import { MAX_SEEDS } from "../node/limits.js";

/** Cluster and node names. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** State keys: ASCII only, so characters are bytes. */
export const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const MAX_KEY_BYTES = 128;
export const MAX_VALUE_BYTES = 4096;
export const MAX_BOOTSTRAP_SIZE = 1000;
/** Largest request body accepted, in bytes (a 4 KiB value escaped as JSON fits many times). */
export const MAX_BODY_BYTES = 64 * 1024;

const utf8 = new TextEncoder();

/** Cross-field checks run only on input whose fields passed, so each problem is reported once. */
const onlyIfValidSoFar = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

function name(what: string) {
  return z
    .string()
    .regex(
      NAME_PATTERN,
      `${what} must be 1-63 characters of a-z, 0-9 and "-", starting with a letter or digit`,
    );
}

export const ClusterName = name("cluster name").openapi({ example: "demo" });
export const NodeName = name("node name").openapi({ example: "n0" });
export const StateKey = z
  .string()
  .regex(KEY_PATTERN, `key must be 1-${MAX_KEY_BYTES} characters of A-Z, a-z, 0-9, ".", "_", ":" and "-"`)
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

export const BootstrapBody = z
  .strictObject({
    size: z
      .number({ error: "size must be a number" })
      .int("size must be an integer")
      .min(1, `size must be between 1 and ${MAX_BOOTSTRAP_SIZE}`)
      .max(MAX_BOOTSTRAP_SIZE, `size must be between 1 and ${MAX_BOOTSTRAP_SIZE}`)
      .openapi({ description: "Nodes to start, named n0..n{size-1}.", example: 12 }),
    seeds: Seeds.min(1, "seeds must name at least one node")
      .optional()
      .openapi({ description: 'Seed nodes; default the first min(2, size) nodes ("n0", "n1").' }),
    config: GossipConfigInputSchema.optional(),
  })
  .superRefine((body, ctx) => {
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

export const EventsQuery = z.object({
  since: z
    .string()
    .regex(/^[0-9]{1,16}$/, "since must be a non-negative integer")
    .optional()
    .openapi({
      param: { name: "since", in: "query" },
      description: "Only events after this sequence number (the Last-Event-ID header wins).",
    }),
});

export const SummaryQuery = z.object({
  digests: z
    .enum(["true", "false"], { error: 'digests must be "true" or "false"' })
    .optional()
    .openapi({
      param: { name: "digests", in: "query" },
      description: "Include every node's full digest (large for big clusters). Default false.",
    }),
});
