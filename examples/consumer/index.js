// @ts-check
/**
 * An example consumer of hearsay's service binding (see wrangler.toml): `GET /alive?cluster=demo`
 * answers the names of the cluster's alive members, read with `env.HEARSAY.members(...)`, a
 * typed RPC call to hearsay's HearsayService entrypoint. Failures from hearsay arrive as
 * errors whose message starts with the API's error code (`"not_found: ..."`).
 * Plain JavaScript, so it runs as is in workerd (and in hearsay's tests) without a build step.
 */

/**
 * @typedef {{ members(cluster: string, query?: { status?: string[], keys?: string[], limit?: number, cursor?: string, from?: string }): Promise<{ cluster: string, from: string, members: Array<{ node: string, status: string, state?: Record<string, string> }>, next: string | null }> }} Hearsay
 * @typedef {{ HEARSAY: Hearsay }} Env
 */

export default {
  /**
   * @param {Request} request
   * @param {Env} env
   */
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== "/alive")
      return Response.json({ error: "try GET /alive?cluster=demo" }, { status: 404 });
    const cluster = url.searchParams.get("cluster") ?? "demo";
    try {
      const page = await env.HEARSAY.members(cluster, { status: ["alive"] });
      return Response.json({
        cluster: page.cluster,
        from: page.from,
        alive: page.members.map((m) => m.node),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = /^(?:\w*Error: )?([a-z_]+): /.exec(message)?.[1] ?? "internal";
      return Response.json({ error: { code, message } }, { status: code === "not_found" ? 404 : 400 });
    }
  },
};
