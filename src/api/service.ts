/**
 * The service-binding entrypoint: other Workers on the account call hearsay without HTTP.
 *
 *   services = [{ binding = "HEARSAY", service = "hearsay", entrypoint = "HearsayService" }]
 *   const page = await env.HEARSAY.members("demo", { status: ["alive"] });
 *
 * Inputs are checked with the same zod schemas as the HTTP routes and fail with the same
 * codes. RPC keeps an error's message but not its fields, so a failure arrives as an Error
 * whose message is `"<code>: <text>"` (read it back with `readServiceError`). A binding is a
 * grant between Workers of one account, so no bearer token is asked for.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { z } from "@hono/zod-openapi";
import type { Env } from "../env.js";
import type { MembersPage } from "../node/members-query.js";
import type { OwnersAnswer } from "../node/owners-query.js";
import type { AgentClaim, NodeView } from "../node/rpc-types.js";
import { agentHeartbeat } from "./agent-home.js";
import { cachedMembers, checkMembersQuery } from "./directory-query.js";
import { API_ERRORS, apiError, type ErrorCode, toErrorResponse } from "./errors.js";
import { parseInput } from "./openapi.js";
import { checkOwnersLookup, lookupOwners } from "./owners.js";
import type { OwnersLookupInput } from "./owners-schemas.js";
import { knownNode } from "./registry-cache.js";
import {
  AgentHeartbeatBody,
  AgentName,
  ClusterName,
  type MembersQueryInputType,
  NodeName,
  PutStateBody,
  StateKey,
} from "./schemas.js";

/** What `setKey` answers: the same body as `PUT .../state/:key`. */
export interface SetKeyResult {
  cluster: string;
  node: string;
  key: string;
  value: string;
  version: number;
}

/** An error thrown to the calling Worker: `code` also leads the message, which RPC keeps. */
export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = "ServiceError";
  }
}

const CODE = new RegExp(`^(?:[A-Za-z]*Error: )?(${Object.keys(API_ERRORS).join("|")}): ([\\s\\S]*)$`);

/** `{code, message}` of an error a HearsayService call threw, or null for any other error. */
export function readServiceError(error: unknown): { code: ErrorCode; message: string } | null {
  const match = error instanceof Error ? CODE.exec(error.message) : null;
  return match ? { code: match[1] as ErrorCode, message: match[2] as string } : null;
}

/** Checks arguments with a route's schemas; 400 `invalid_request` naming the argument. */
function check<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  return parseInput(schema, value, "args");
}

/** Runs a call and turns any failure into a ServiceError with the API's code and message. */
async function serve<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { body } = toErrorResponse(error);
    throw new ServiceError(body.error.code, body.error.message);
  }
}

const NodeArgs = z.object({ cluster: ClusterName, node: NodeName });

export class HearsayService extends WorkerEntrypoint<Env> {
  /** The members query (as `GET /v1/clusters/:cluster/members`): filtered and paged. */
  async members(cluster: string, query: MembersQueryInputType = {}): Promise<MembersPage> {
    return serve(async () => {
      const args = check(z.object({ cluster: ClusterName }), { cluster });
      const checked = checkMembersQuery(query, "query");
      return JSON.parse((await cachedMembers(this.env, args.cluster, checked)).json) as MembersPage;
    });
  }

  /**
   * Who owns each key (as `POST .../owners`): `{keys, n?, kind?, region?, from?}`, answered
   * from one node's view with its fingerprint.
   */
  async owners(cluster: string, lookup: OwnersLookupInput): Promise<OwnersAnswer> {
    return serve(async () => {
      const args = check(z.object({ cluster: ClusterName }), { cluster });
      return lookupOwners(this.env, args.cluster, checkOwnersLookup(lookup, "lookup"));
    });
  }

  /** One node's own record and view (as `GET .../nodes/:node`). */
  async node(cluster: string, node: string): Promise<NodeView> {
    return serve(async () => {
      const args = check(NodeArgs, { cluster, node });
      const view = await (await knownNode(this.env, args.cluster, args.node)).view();
      if (!view) throw apiError("not_found", `node ${args.node} of cluster ${args.cluster} does not exist`);
      return view;
    });
  }

  /** Writes application state on a node (as `PUT .../nodes/:node/state/:key`). */
  async setKey(cluster: string, node: string, key: string, value: string): Promise<SetKeyResult> {
    return serve(async () => {
      const args = check(NodeArgs.extend({ key: StateKey }), { cluster, node, key });
      const body = check(PutStateBody, { value });
      const stub = await knownNode(this.env, args.cluster, args.node);
      const { version } = await stub.setKey(args.key, body.value);
      return { ...args, value: body.value, version };
    });
  }

  /**
   * An agent's heartbeat (as `PUT .../agents/:agent`): `{intervalMs, state?, node?}`; the first
   * registers it. Answers the agent's claim at its home.
   */
  async agentHeartbeat(cluster: string, agent: string, body: unknown): Promise<AgentClaim> {
    return serve(async () => {
      const args = check(z.object({ cluster: ClusterName, agent: AgentName }), { cluster, agent });
      const heartbeat = check(AgentHeartbeatBody, body);
      return agentHeartbeat(this.env, args.cluster, args.agent, heartbeat);
    });
  }
}
