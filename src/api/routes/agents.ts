/**
 * `PUT /v1/clusters/:cluster/agents/:agent`: an agent's heartbeat (the first registers it), and
 * `DELETE` its graceful leave. See agents.ts for how the home is chosen and docs/agents.md for
 * how the home judges the agent and how another node takes it over.
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  MAX_AGENTS_PER_CLUSTER,
  MAX_AGENTS_PER_NODE,
  MAX_DEPARTED_AGENTS_PER_CLUSTER,
} from "../../node/limits.js";
import { agentHeartbeat, agentLeave } from "../agent-home.js";
import { authorize } from "../auth.js";
import { createApp, errors, jsonBody, jsonResponse, pick, writeSecurity } from "../openapi.js";
import { AgentHeartbeatBody, AgentParams, NodeName } from "../schemas.js";
import { AgentClaimSchema } from "../view-schemas.js";

const AGENT_PATH = "/v1/clusters/{cluster}/agents/{agent}";

export const agentRoutes = createApp();

agentRoutes.openapi(
  createRoute({
    method: "put",
    path: AGENT_PATH,
    tags: ["agents"],
    operationId: "agentHeartbeat",
    summary: "An agent's heartbeat (the first call registers it)",
    description:
      "A process outside the mesh heartbeats into its home node, which judges it by phi accrual over these heartbeats and gossips its status and state as its own. Send one every `intervalMs`. If the home stops, the next node in the agent's order takes it over on the next heartbeat (`outcome: takeover`). Agents appear in views and in `members` with `kind: agent` and `home`.",
    middleware: [authorize] as const,
    security: writeSecurity,
    request: {
      params: AgentParams,
      body: jsonBody(AgentHeartbeatBody, "The heartbeat interval, optional key writes, an optional home."),
    },
    responses: {
      200: jsonResponse(AgentClaimSchema, "The agent's claim at its home after this heartbeat."),
      ...pick(400, 401, 403, 404, 413, 415, 503),
      409: {
        ...errors[409],
        description: `\`too_many_agents\` (a node hosts at most ${MAX_AGENTS_PER_NODE}, a cluster ${MAX_AGENTS_PER_CLUSTER} alive or suspect), \`conflict\` (the name is a node's), \`too_many_keys\`, or the chosen node is stopped.`,
      },
      429: {
        ...errors[429],
        description: `\`too_many_departed_agents\`: the cluster still remembers ${MAX_DEPARTED_AGENTS_PER_CLUSTER} agents that left or died (each until its grace ends); a new agent may register once some are forgotten. Retry later.`,
      },
    },
  }),
  async (c) => {
    const { cluster, agent } = c.req.valid("param");
    const body = c.req.valid("json");
    return c.json(await agentHeartbeat(c.env, cluster, agent, body), 200);
  },
);

agentRoutes.openapi(
  createRoute({
    method: "delete",
    path: AGENT_PATH,
    tags: ["agents"],
    operationId: "agentLeave",
    summary: "An agent's graceful leave",
    description:
      "Announces `left` for the agent's generation; it spreads to every node at once and the agent is forgotten after the left grace. A later heartbeat registers it again.",
    middleware: [authorize] as const,
    security: writeSecurity,
    request: {
      params: AgentParams,
      query: z.object({
        node: NodeName.optional().openapi({
          param: { name: "node", in: "query" },
          description: "The node that announces it (default: as for heartbeats).",
        }),
      }),
    },
    responses: {
      200: jsonResponse(AgentClaimSchema, "The agent's claim afterwards (`status: left`)."),
      ...pick(400, 401, 403, 409, 503),
      404: { ...errors[404], description: "Unknown cluster, node, or agent." },
    },
  }),
  async (c) => {
    const { cluster, agent } = c.req.valid("param");
    const { node } = c.req.valid("query");
    return c.json(await agentLeave(c.env, cluster, agent, node), 200);
  },
);
