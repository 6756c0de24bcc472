/**
 * The Content-Security-Policy the dashboard needs: everything same-origin, no inline script or
 * style, no framing. The API may reuse `dashboardCspDirectives` with hono's secureHeaders.
 */

/** Directives in hono `secureHeaders({ contentSecurityPolicy })` form. */
export const dashboardCspDirectives = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
} as const;

/** The same policy as one header value. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
