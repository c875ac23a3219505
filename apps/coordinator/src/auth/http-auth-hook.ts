/**
 * One onRequest hook authenticates every gateway and admin request and checks the scope its route
 * needs (route-scopes.ts), before the body is read: an unauthenticated upload is refused without
 * being parsed. Handlers read the caller from request.identity.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { CoordinatorError } from "../errors.js";
import type { Logger } from "../logger.js";
import { missingScope, UnauthenticatedError } from "./auth-errors.js";
import type { Authenticator } from "./authenticator.js";
import { DEV_IDENTITY, type Identity } from "./identity.js";
import type { RouteScopes } from "./route-scopes.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller (DEV_IDENTITY in dev mode; undefined on a public route). */
    identity: Identity | undefined;
  }
}

/** What the gateway needs to authenticate: no authenticator means dev mode (authentication off). */
export interface GatewayAuth {
  authenticator: Authenticator | undefined;
  routes: RouteScopes;
}

export function registerAuthentication(app: FastifyInstance, auth: GatewayAuth, logger: Logger): void {
  app.decorateRequest("identity", undefined);
  // A route added without a line in route-scopes.ts still needs a key (with "admin"): say so once,
  // so its author gives it the scope it should have (auth-startup.test.ts checks none is missing).
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      if (method === "HEAD" || auth.routes.has(method, route.url)) continue;
      logger.warn(
        { method, url: route.url },
        `Route ${method} ${route.url} is not in auth/route-scopes.ts: it needs a key with the "admin" scope`,
      );
    }
  });
  app.addHook("onRequest", async (request, reply) => {
    const url = request.routeOptions.url;
    const rule = auth.routes.ruleFor(request.method, url);
    if (!auth.authenticator) {
      request.identity = DEV_IDENTITY;
      return;
    }
    if (rule === "public") return;
    let identity: Identity;
    try {
      identity = await auth.authenticator.authenticate(request.headers.authorization);
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        reply.header("www-authenticate", 'Bearer realm="agnt5"');
        throw error;
      }
      if (error instanceof CoordinatorError) throw error;
      logger.warn({ reason: (error as Error).message }, "Cannot verify an API key: the store did not answer");
      throw new CoordinatorError("UNAVAILABLE", "Cannot verify the API key now (the store did not answer); retry");
    }
    if (rule !== "authenticated" && !identity.scopes.has(rule)) {
      throw missingScope(rule, `${request.method} ${url}`);
    }
    request.identity = identity;
  });
}

/** The caller of a route behind the hook (a public route has none: asking is a bug, answered 401). */
export function callerOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new UnauthenticatedError("This route needs an API key");
  return request.identity;
}
