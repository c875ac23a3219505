import { ADMIN_BASE_PATH, type AdminRouteName, type AdminRouteSpec, adminRoutes } from "@agnt5/admin-client";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { z } from "zod";
import { callerOf } from "../auth/http-auth-hook.js";
import { CoordinatorError, errorBody } from "../errors.js";
import type { GatewayDeps } from "../http/gateway-deps.js";
import { jsonBodyText } from "../http/request-input.js";
import type { AdminContext } from "./admin-deps.js";
import type { AdminHandler, AdminHandlers } from "./admin-handler.js";
import { entityHandlers } from "./routes/entity-routes.js";
import { identityHandlers } from "./routes/identity-route.js";
import { keyHandlers } from "./routes/key-routes.js";
import { openapiHandlers } from "./routes/openapi-route.js";
import { replicaHandlers } from "./routes/replica-routes.js";
import { retentionHandlers } from "./routes/retention-routes.js";
import { runActionHandlers } from "./routes/run-action-routes.js";
import { runDetailHandlers } from "./routes/run-detail-route.js";
import { runListHandlers } from "./routes/run-list-route.js";
import { serviceHandlers } from "./routes/service-routes.js";
import { NotImplementedError } from "./run-control.js";

const handlers: AdminHandlers<AdminRouteName> = {
  ...runListHandlers,
  ...runDetailHandlers,
  ...runActionHandlers,
  ...serviceHandlers,
  ...entityHandlers,
  ...retentionHandlers,
  ...openapiHandlers,
  ...keyHandlers,
  ...identityHandlers,
  ...replicaHandlers,
};

/**
 * The admin API (/admin/v1): one route per entry of @agnt5/admin-client's `adminRoutes`, its
 * query and body parsed by that entry's zod schemas (a client's mistake is a 400 naming the field),
 * answered by the handler of the same name. Without admin dependencies (none configured) nothing
 * is registered.
 */
export function registerAdminRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  if (!deps.admin) return;
  const ctx = deps as AdminContext;
  for (const [name, spec] of Object.entries(adminRoutes) as Array<[AdminRouteName, AdminRouteSpec]>) {
    const handler = handlers[name] as AdminHandler<AdminRouteName>;
    const url = ADMIN_BASE_PATH + spec.path;
    app.route({
      method: spec.method,
      url,
      handler: async (request: FastifyRequest, reply) => {
        const input = parseRequest(spec, request);
        try {
          return await handler(input as never, ctx);
        } catch (error) {
          // Kept out of the gateway's code table: only run control the engine lacks answers it.
          if (error instanceof NotImplementedError) return reply.status(501).send(errorBody(error.code, error.message));
          throw error;
        }
      },
    });
  }
}

function parseRequest(spec: AdminRouteSpec, request: FastifyRequest) {
  const rawQuery = (request.query ?? {}) as Record<string, unknown>;
  let query: unknown = {};
  if (spec.query) {
    const known = new Set(Object.keys(spec.query.shape));
    const unknown = Object.keys(rawQuery).filter((key) => !known.has(key));
    if (unknown.length > 0) {
      throw new CoordinatorError(
        "INVALID_REQUEST",
        `Unknown query parameter "${unknown[0]}" (known: ${[...known].join(", ")})`,
      );
    }
    query = parse(spec.query, rawQuery, "Query parameter");
  }
  let bodyText = "null";
  let body: unknown;
  if (spec.body) {
    bodyText = jsonBodyText(request.body as Buffer | undefined);
    body = parse(spec.body, JSON.parse(bodyText), "Body field");
  }
  return {
    params: (request.params ?? {}) as Record<string, string>,
    query,
    body,
    bodyText,
    headers: request.headers,
    identity: callerOf(request),
  };
}

/** Parses with `schema`; a failure is a 400 naming the first offending field. */
function parse(schema: z.ZodType, value: unknown, what: string): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.join(".") ?? "";
  const message =
    path === ""
      ? `${what === "Body field" ? "Body" : what}: ${issue?.message}`
      : `${what} "${path}": ${issue?.message}`;
  throw new CoordinatorError("INVALID_REQUEST", message, { details: { field: path || null } });
}
