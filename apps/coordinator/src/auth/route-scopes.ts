/**
 * The scope each gateway route needs. A route missing from this table needs "admin": a route added
 * later is protected without opting in, and a test (auth-route-scopes.test.ts) lists every
 * registered route so a forgotten entry is noticed rather than silently admin-only.
 */
import { ADMIN_BASE_PATH, type AdminRouteSpec, adminRoutes } from "@agnt5/admin-client";
import type { Scope } from "./identity.js";

/** "public": no key needed; "authenticated": any valid key (unknown routes, so they answer 401 before 404). */
export type RouteRule = Scope | "public" | "authenticated";

const GATEWAY_ROUTES: Record<string, RouteRule> = {
  "GET /health": "public",
  // The console's page and assets hold no data; what it shows comes from /admin/v1 with a key.
  "GET /console": "public",
  "GET /console/": "public",
  "GET /console/assets/:file": "public",

  "POST /call": "call",
  "POST /v1/services/:service/:handler": "call",
  "POST /v1/entities/:type/:key/:method": "call",
  "DELETE /v1/sessions/:sessionId": "call",

  "POST /v1/workflows/:name/runs": "workflows:start",
  "POST /v1/agents/:name/runs": "workflows:start",
  "POST /v1/runs/:runId/cancel": "workflows:start",

  "POST /v1/runs/:runId/signals/:name": "signal",
  "POST /v1/runs/:runId/approvals/:name": "approve",

  "GET /v1/services": "read",
  "GET /v1/invocations/:id": "read",
  "GET /v1/runs/:runId": "read",
  "GET /v1/runs/:runId/result": "read",
  "GET /v1/runs/:runId/journal": "read",
  "GET /v1/entities/:type/:key": "read",
  "GET /v1/sessions/:sessionId": "read",
  "GET /v1/sessions/:sessionId/history": "read",
  "GET /v1/sessions/:sessionId/export": "read",
  "GET /v1/sessions/:sessionId/events": "read",
  "GET /v1/sessions/:sessionId/state": "read",

  "DELETE /v1/services/:service": "admin",
};

export class RouteScopes {
  readonly #rules = new Map<string, RouteRule>(Object.entries(GATEWAY_ROUTES));

  constructor(options: { metricsRequireKey: boolean }) {
    this.#rules.set("GET /metrics", options.metricsRequireKey ? "read" : "public");
    for (const spec of Object.values(adminRoutes) as AdminRouteSpec[]) {
      this.#rules.set(`${spec.method} ${ADMIN_BASE_PATH}${spec.path}`, spec.scope ?? "admin");
    }
  }

  /** The rule of a matched route (`url` is its pattern, undefined when no route matched). */
  ruleFor(method: string, url: string | undefined): RouteRule {
    if (url === undefined) return "authenticated";
    return this.#rules.get(`${method === "HEAD" ? "GET" : method} ${url}`) ?? "admin";
  }

  /** Whether the table names the route (a test checks every registered route is named). */
  has(method: string, url: string): boolean {
    return this.#rules.has(`${method === "HEAD" ? "GET" : method} ${url}`);
  }
}
