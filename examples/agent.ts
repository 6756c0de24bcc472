/**
 * A runnable agent: a process outside Cloudflare that joins the mesh as a member through a
 * home node, publishing an `endpoint` key, and heartbeats until Ctrl-C (then leaves
 * gracefully). Any node, and any reader of `GET /v1/clusters/:cluster/members?kind=agent`,
 * sees it alive with its endpoint; stop it with kill -9 and the mesh judges it non-alive within
 * about 3 s (docs/agents.md).
 *
 *   HEARSAY_URL=http://127.0.0.1:8787 HEARSAY_TOKEN=dev-token npx tsx examples/agent.ts
 *
 * Environment:
 *   HEARSAY_URL          the API's base URL (default http://127.0.0.1:8787, `npm run dev`)
 *   HEARSAY_TOKEN        the write token (API_TOKEN); required
 *   HEARSAY_CLUSTER      cluster to join (default demo)
 *   HEARSAY_AGENT        the agent's name (default agent-<pid>)
 *   HEARSAY_ENDPOINT     the value of its `endpoint` key (default http://127.0.0.1:8080)
 *   HEARSAY_INTERVAL_MS  heartbeat period, 100..60000 (default 500)
 */
import { createHearsayClient, HearsayApiError } from "../src/client/index.js";

const baseUrl = process.env.HEARSAY_URL ?? "http://127.0.0.1:8787";
const token = process.env.HEARSAY_TOKEN;
const cluster = process.env.HEARSAY_CLUSTER ?? "demo";
const agent = process.env.HEARSAY_AGENT ?? `agent-${process.pid}`;
const endpoint = process.env.HEARSAY_ENDPOINT ?? "http://127.0.0.1:8080";
const intervalMs = Number(process.env.HEARSAY_INTERVAL_MS ?? 500);

if (!token) {
  console.error("HEARSAY_TOKEN is required (the API_TOKEN of the hearsay Worker; dev-token locally)");
  process.exit(2);
}

const hearsay = createHearsayClient({ baseUrl, token });
let lastOutcome = "";
const loop = hearsay.startAgent({
  cluster,
  agent,
  intervalMs,
  state: { endpoint },
  onBeat: (claim) => {
    // Log what changes (registration, takeover, revival), not every beat.
    if (claim.outcome !== "heartbeat" || lastOutcome === "") {
      console.log(
        `${agent}: ${claim.outcome} at home ${claim.node} (generation ${claim.generation}, incarnation ${claim.incarnation})`,
      );
    }
    lastOutcome = claim.outcome;
  },
  onError: (error) => {
    const detail = error instanceof HearsayApiError ? error.message : String(error);
    console.error(`${agent}: heartbeat failed (${detail}); backing off`);
    lastOutcome = "error";
  },
});
console.log(`${agent}: heartbeating ${cluster} at ${baseUrl} every ${intervalMs} ms; Ctrl-C to leave`);

process.once("SIGINT", async () => {
  console.log(`${agent}: leaving`);
  try {
    await loop.stop({ leave: true });
    console.log(`${agent}: left`);
  } catch (error) {
    console.error(`${agent}: leave failed: ${String(error)}`);
    process.exitCode = 1;
  }
});
