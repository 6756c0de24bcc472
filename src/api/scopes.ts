/**
 * What each route needs, and which scoped tokens open it: the one rule table. A route is
 * matched by its method and its Hono path pattern (`c.req.routePath`), so a new route is
 * covered without naming it here: GET and HEAD need `read`, every other method `write`. The
 * table lists only the exceptions. A scoped token opens a route only when the route's own
 * `:cluster` parameter (the value its handler acts on) is the token's cluster, and for
 * `agent` routes its `:agent` is the token's agent; a route without `:cluster` is never open
 * to a scoped token.
 */

/** The scopes a token may carry. */
export const SCOPES = ["read", "write", "agent"] as const;
export type Scope = (typeof SCOPES)[number];

/** What a route needs: `admin` is API_TOKEN alone; the others are opened by scopes below. */
export type Access = "admin" | "write" | "agent" | "read";

/** Which scopes open each kind of route (on the token's own cluster). */
export const OPENED_BY: Readonly<Record<Access, readonly Scope[]>> = {
  admin: [],
  write: ["write"],
  agent: ["write", "agent"],
  read: ["read", "write", "agent"],
};

interface AccessRule {
  method: string;
  /** Hono route pattern, as `c.req.routePath` gives it. */
  path: string;
  access: Access;
}

/** The exceptions to "GET and HEAD read, the rest write". */
export const ACCESS_RULES: readonly AccessRule[] = [
  { method: "POST", path: "/v1/tokens", access: "admin" },
  { method: "POST", path: "/v1/clusters/:cluster/tokens/revoke", access: "admin" },
  { method: "PUT", path: "/v1/clusters/:cluster/agents/:agent", access: "agent" },
  { method: "DELETE", path: "/v1/clusters/:cluster/agents/:agent", access: "agent" },
  // Owners of many keys are asked with a POST body, but it is a read.
  { method: "POST", path: "/v1/clusters/:cluster/owners", access: "read" },
];

/** What a route needs, from its method and Hono path pattern. */
export function accessFor(method: string, routePath: string): Access {
  const upper = method.toUpperCase();
  const rule = ACCESS_RULES.find((r) => r.method === upper && r.path === routePath);
  if (rule) return rule.access;
  return upper === "GET" || upper === "HEAD" ? "read" : "write";
}

/** The OpenAPI path (`{cluster}`) of a Hono pattern (`:cluster`) and back. */
export function honoPath(openApiPath: string): string {
  return openApiPath.replace(/\{([^}]+)\}/g, ":$1");
}

/** What a scoped token says about itself (checked claims, see tokens.ts). */
export interface TokenGrant {
  scope: Scope;
  cluster: string;
  agent?: string;
}

/** Why a grant does not open a route, or null when it does. */
export function refusal(
  grant: TokenGrant,
  access: Access,
  params: { cluster?: string; agent?: string },
): string | null {
  const what = `a ${grant.scope} token for cluster ${grant.cluster}${grant.agent ? ` and agent ${grant.agent}` : ""}`;
  if (!OPENED_BY[access].includes(grant.scope)) {
    return access === "admin"
      ? `${what} cannot do this: it needs the admin token (API_TOKEN)`
      : `${what} cannot do this: it needs scope ${OPENED_BY[access].join(" or ")}`;
  }
  if (params.cluster !== grant.cluster) return `${what} cannot act on cluster ${params.cluster ?? "(none)"}`;
  if (access === "agent" && grant.scope === "agent" && params.agent !== grant.agent)
    return `${what} cannot act for agent ${params.agent ?? "(none)"}`;
  return null;
}
