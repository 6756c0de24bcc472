/**
 * Zod schemas of the owners lookup: its input (one object form, shared by the service binding
 * and the POST body, and what the GET query string is turned into) and its answers. The
 * bounds come from the core (OWNERS_MAX_N, OWNERS_MAX_KEYS, OWNERS_MAX_KEY_BYTES).
 */
import { z } from "@hono/zod-openapi";
import {
  OWNER_KINDS,
  OWNERS_DEFAULT_N,
  OWNERS_MAX_KEY_BYTES,
  OWNERS_MAX_KEYS,
  OWNERS_MAX_N,
  WEIGHT_KEY,
} from "../core/index.js";
import { MEMBER_KINDS } from "../node/members-query.js";
import { NodeName, REGION_PATTERN } from "./schemas.js";

const utf8 = new TextEncoder();
const keyRule = `a key must be 1 to ${OWNERS_MAX_KEY_BYTES} bytes of UTF-8`;
const nRule = `n must be an integer between 1 and ${OWNERS_MAX_N}`;
const N_TEXT = `Owners per key, 1 to ${OWNERS_MAX_N}; default ${OWNERS_DEFAULT_N}.`;
const KIND_TEXT = `Which alive members may own keys: ${OWNER_KINDS.join(", ")}; default node.`;
const REGION_TEXT = "This region's members come first, each group in score order.";
const FROM_TEXT = "The node whose view answers; default any running node, chosen at random.";

const OwnerKey = z
  .string({ error: keyRule })
  .refine((key) => key.length > 0 && utf8.encode(key).byteLength <= OWNERS_MAX_KEY_BYTES, keyRule)
  .openapi({ example: "room-42" });

const N = z
  .number({ error: nRule })
  .int(nRule)
  .min(1, nRule)
  .max(OWNERS_MAX_N, nRule)
  .openapi({ description: N_TEXT, example: 3 });

const Kind = z
  .enum(OWNER_KINDS, { error: `kind must be one of ${OWNER_KINDS.join(", ")}` })
  .openapi({ description: KIND_TEXT });

const PreferredRegion = z
  .string()
  .regex(REGION_PATTERN, "region must be a location hint such as weur")
  .openapi({ description: REGION_TEXT, example: "weur" });

const From = NodeName.openapi({ description: FROM_TEXT });

/** The lookup as an object: the POST body, the service binding's argument. */
export const OwnersLookup = z
  .strictObject({
    keys: z
      .array(OwnerKey, { error: "keys must be an array of strings" })
      .min(1, `keys must hold 1 to ${OWNERS_MAX_KEYS} keys`)
      .max(OWNERS_MAX_KEYS, `keys must hold 1 to ${OWNERS_MAX_KEYS} keys`),
    n: N.optional(),
    kind: Kind.optional(),
    region: PreferredRegion.optional(),
    from: From.optional(),
  })
  .openapi("OwnersRequest");

export type OwnersLookupInput = z.infer<typeof OwnersLookup>;

/** `GET .../owners` query string: plain strings, turned into OwnersLookup's input. */
export const OwnersParams = z.object({
  key: z.string({ error: "key is required (?key=...)" }).openapi({
    param: { name: "key", in: "query", required: true },
    description: `The key (${keyRule.replace("a key must be ", "")}).`,
    example: "room-42",
  }),
  n: z
    .string()
    .optional()
    .openapi({ param: { name: "n", in: "query" }, description: N_TEXT }),
  kind: z
    .string()
    .optional()
    .openapi({
      param: { name: "kind", in: "query" },
      description: KIND_TEXT,
    }),
  region: z
    .string()
    .optional()
    .openapi({ param: { name: "region", in: "query" }, description: REGION_TEXT }),
  from: z
    .string()
    .optional()
    .openapi({ param: { name: "from", in: "query" }, description: FROM_TEXT }),
});

/** Turns the query string into OwnersLookup's input (n a number, key a one-key list). */
export function ownersLookupFromParams(params: z.infer<typeof OwnersParams>): Record<string, unknown> {
  const out: Record<string, unknown> = { keys: [params.key] };
  if (params.n !== undefined) out.n = /^[0-9]{1,6}$/.test(params.n) ? Number(params.n) : Number.NaN;
  for (const name of ["kind", "region", "from"] as const)
    if (params[name] !== undefined) out[name] = params[name];
  return out;
}

export const OwnerSchema = z
  .object({
    node: z.string(),
    kind: z.enum(MEMBER_KINDS),
    region: z.string().nullable().openapi({ description: "The member's region; null when it has none." }),
    weight: z.number().openapi({
      description: `From the member's \`${WEIGHT_KEY}\` state key (a positive number); 1 when absent or not one.`,
    }),
  })
  .openapi("Owner");

const answerFields = {
  cluster: z.string(),
  from: z.string().openapi({ description: "The node whose view answered." }),
  fingerprint: z.string().openapi({
    description:
      "That view's fingerprint (the summary's `viewHash` for this node): two answers with the same fingerprint came from the same view, and name the same owners.",
  }),
  at: z.number().openapi({ description: "That node's clock when it answered, ms since epoch." }),
};

export const OwnersAnswerSchema = z
  .object({
    ...answerFields,
    key: z.string(),
    owners: z
      .array(OwnerSchema)
      .openapi({ description: "In preference order; fewer than n when fewer qualify." }),
  })
  .openapi("Owners");

export const OwnersBatchSchema = z
  .object({
    ...answerFields,
    owners: z
      .record(z.string(), z.array(OwnerSchema))
      .openapi({ description: "Each key's owners in preference order, all from one view." }),
  })
  .openapi("OwnersBatch");
