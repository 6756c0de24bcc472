/**
 * Routes on one node: start (or restart) it, read its view, deregister it, write and delete
 * its state, and the lifecycle calls leave, stop and start. Every handler is one RPC to the node's Durable
 * Object; node errors (unknown node, stopped, left, too many keys) become 4xx in errors.ts.
 * Except for the PUT that creates a node, a route first checks that the cluster's registry
 * lists the node, so calls on unknown nodes create no Durable Object and no storage.
 */
import { createRoute } from "@hono/zod-openapi";
import { clusterRegistry, keeperDirectory, withinDeadline } from "../../node/registries.js";
import { authorize } from "../auth.js";
import { ApiError } from "../errors.js";
import { noBody } from "../no-body.js";
import { createApp, errors, jsonBody, jsonResponse, pick, readSecurity, writeSecurity } from "../openapi.js";
import { isRegistered, knownNode, noteDeregistered, noteRegistered } from "../registry-cache.js";
import {
  DeleteAlarmResponse,
  DeleteNodeResponse,
  DeleteStateResponse,
  EvictResponse,
  PutStateResponse,
} from "../responses.js";
import { KeyParams, NodeParams, PutStateBody, StartNodeBody } from "../schemas.js";
import { isStartRetry } from "../start-retry.js";
import { nodeStub } from "../stubs.js";
import { NodeViewSchema } from "../view-schemas.js";

const NODE_PATH = "/v1/clusters/{cluster}/nodes/{node}";

export const nodeRoutes = createApp();

nodeRoutes.openapi(
  createRoute({
    method: "put",
    path: NODE_PATH,
    tags: ["nodes"],
    operationId: "configureNode",
    summary: "Start (or restart) one node",
    description:
      "Configures the node with these seeds, config and optional region (a location hint that places its Durable Object) and starts its gossip loop. The node adds itself to the cluster's registry. Calling it again with the same body on a running node is a retry: it answers the node as it is (same generation) and starts nothing. A different body, or a stopped node, restarts it with a new generation.",
    middleware: [authorize] as const,
    security: writeSecurity,
    request: {
      params: NodeParams,
      body: jsonBody(StartNodeBody, "Seeds, optional gossip config and region."),
    },
    responses: {
      200: jsonResponse(NodeViewSchema, "The node's view right after it started."),
      ...pick(400, 401, 403, 413, 415),
    },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    const { seeds, config, region } = c.req.valid("json");
    const stub = nodeStub(c.env, cluster, node, region);
    if (await isRegistered(c.env, cluster, node)) {
      const current = await stub.view();
      if (current && isStartRetry(current, { seeds, config, region })) return c.json(current, 200);
    }
    const view = await stub.configure({ cluster, node, seeds, config, ...(region ? { region } : {}) });
    noteRegistered(cluster, [node]);
    return c.json(view, 200);
  },
);

nodeRoutes.openapi(
  createRoute({
    method: "get",
    path: NODE_PATH,
    tags: ["nodes"],
    operationId: "getNode",
    summary: "One node's own record and its whole membership view",
    middleware: [authorize] as const,
    security: readSecurity,
    request: { params: NodeParams },
    responses: {
      200: jsonResponse(NodeViewSchema, "What the node reports about itself and the cluster."),
      ...pick(400, 401, 404),
    },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    const view = await (await knownNode(c.env, cluster, node)).view();
    if (!view) throw new ApiError(404, "not_found", `node ${node} of cluster ${cluster} does not exist`);
    return c.json(view, 200);
  },
);

nodeRoutes.openapi(
  createRoute({
    method: "delete",
    path: NODE_PATH,
    tags: ["nodes"],
    operationId: "deleteNode",
    summary: "Deregister a node: stop it, clear its storage, remove it from the registry",
    description:
      "Stops the node and deletes everything it stored, its pending alarm included, then removes it from the cluster's registry: it leaves the cluster summary and the cron keeper, and reads of it answer 404. It announces nothing: its peers find it unreachable and come to see it suspect, then dead, then forget it. A retry after a failure finishes the job. A PUT of the same name later starts a new node.",
    middleware: [authorize] as const,
    security: writeSecurity,
    request: { params: NodeParams },
    responses: {
      200: jsonResponse(DeleteNodeResponse, "Deregistered."),
      ...pick(400, 401, 403),
      404: { ...errors[404], description: "Unknown cluster or node." },
    },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    // The node first: were the registry entry removed first and the node not reached, it
    // would run on unseen by the keeper and the API. A retry finds it still registered.
    await (await knownNode(c.env, cluster, node)).deregister();
    // Its cluster's registry, then the keeper's directory (the keeper would only find it gone).
    await withinDeadline(clusterRegistry(c.env, cluster).remove(cluster, node));
    await withinDeadline(keeperDirectory(c.env).remove(cluster, node));
    noteDeregistered(cluster, node);
    return c.json({ cluster, node, deregistered: true as const }, 200);
  },
);

nodeRoutes.openapi(
  createRoute({
    method: "put",
    path: `${NODE_PATH}/state/{key}`,
    tags: ["state"],
    operationId: "setKey",
    summary: "Write application state on a node",
    description: "Sets a key on the node; gossip spreads it to every other node. At most 256 keys per node.",
    middleware: [authorize] as const,
    security: writeSecurity,
    request: { params: KeyParams, body: jsonBody(PutStateBody, "The value, at most 4 KiB of UTF-8.") },
    responses: {
      200: jsonResponse(PutStateResponse, "Written; `version` is the node's new max version."),
      ...pick(400, 401, 403, 404, 409, 413, 415),
    },
  }),
  async (c) => {
    const { cluster, node, key } = c.req.valid("param");
    const { value } = c.req.valid("json");
    const { version } = await (await knownNode(c.env, cluster, node)).setKey(key, value);
    return c.json({ cluster, node, key, value, version }, 200);
  },
);

nodeRoutes.openapi(
  createRoute({
    method: "delete",
    path: `${NODE_PATH}/state/{key}`,
    tags: ["state"],
    operationId: "deleteKey",
    summary: "Delete application state on a node (tombstone)",
    middleware: [authorize] as const,
    security: writeSecurity,
    request: { params: KeyParams },
    responses: {
      200: jsonResponse(DeleteStateResponse, "Deleted; `version` is the tombstone's version."),
      ...pick(400, 401, 403, 409),
      404: { ...errors[404], description: "Unknown cluster, node, or key." },
    },
  }),
  async (c) => {
    const { cluster, node, key } = c.req.valid("param");
    const { version } = await (await knownNode(c.env, cluster, node)).deleteKey(key);
    if (version === null) throw new ApiError(404, "not_found", `node ${node} has no key ${key}`);
    return c.json({ cluster, node, key, version }, 200);
  },
);

const LIFECYCLE = {
  leave: "Graceful leave: the node announces `left` to its peers, then stops gossiping.",
  stop: "Fault injection: the node stops gossiping and refuses peers' messages, as a stopped process would.",
  hang: "Fault injection: the node stops gossiping and never answers peers (they time out), as a hung machine or a partition would.",
  start:
    "Resumes a stopped node as a restart (a new generation, its keys kept), or a hung one in its generation; peers see it alive again.",
} as const;

for (const action of ["leave", "stop", "hang", "start"] as const) {
  nodeRoutes.openapi(
    createRoute({
      method: "post",
      path: `${NODE_PATH}/${action}`,
      tags: ["nodes"],
      operationId: `${action}Node`,
      summary: LIFECYCLE[action],
      middleware: [authorize, noBody] as const,
      security: writeSecurity,
      request: { params: NodeParams },
      responses: {
        200: jsonResponse(NodeViewSchema, "The node's view afterwards."),
        ...pick(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { cluster, node } = c.req.valid("param");
      const stub = await knownNode(c.env, cluster, node);
      const view = await stub[action]();
      return c.json(view, 200);
    },
  );
}

// Fault injections the chaos soak needs beside stop and hang (bench/soak): what the platform
// does to a node on its own, on demand.

nodeRoutes.openapi(
  createRoute({
    method: "post",
    path: `${NODE_PATH}/evict`,
    tags: ["nodes"],
    operationId: "evictNode",
    summary: "Fault injection: drop the node's memory, as hibernation or a host restart would",
    description:
      "Resets the node's Durable Object (`ctx.abort()`) right after answering: its memory is gone, its storage kept. The next call or alarm rebuilds it from storage: a wake-up, not a restart (same generation; peers see nothing). Calls in flight on the node at that moment fail.",
    middleware: [authorize, noBody] as const,
    security: writeSecurity,
    request: { params: NodeParams },
    responses: {
      200: jsonResponse(EvictResponse, "The node resets as this answer leaves."),
      ...pick(400, 401, 403, 404),
    },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    await (await knownNode(c.env, cluster, node)).evict();
    return c.json({ cluster, node, evicted: true as const }, 200);
  },
);

nodeRoutes.openapi(
  createRoute({
    method: "delete",
    path: `${NODE_PATH}/alarm`,
    tags: ["nodes"],
    operationId: "deleteNodeAlarm",
    summary: "Fault injection: lose the node's pending alarm",
    description:
      "Deletes the node's pending alarm, as a lost alarm would. The node stays running and answers peers but runs no rounds until the cron keeper re-arms it (or it is started again). `deleted` is false when no alarm was pending.",
    middleware: [authorize] as const,
    security: writeSecurity,
    request: { params: NodeParams },
    responses: {
      200: jsonResponse(DeleteAlarmResponse, "Whether a pending alarm was deleted."),
      ...pick(400, 401, 403, 404),
    },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    const { deleted } = await (await knownNode(c.env, cluster, node)).deleteAlarm();
    return c.json({ cluster, node, deleted }, 200);
  },
);
