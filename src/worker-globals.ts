/**
 * Types `env` / `exports` from `cloudflare:workers` (and `cloudflare:test`) and
 * `ctx.exports` with hearsay's bindings and main-module exports. Types only.
 */
import type { Env as HearsayEnv } from "./env.js";

declare global {
  namespace Cloudflare {
    interface Env extends HearsayEnv {}
    interface GlobalProps {
      mainModule: typeof import("./index.js");
      durableNamespaces: "GossipNode" | "ClusterRegistry";
    }
  }
}
