import type { FastifyInstance, FastifyRequest } from "fastify";
import { CoordinatorError } from "../errors.js";
import type { GatewayDeps } from "./gateway-deps.js";
import { registerServiceRoutes } from "./service-routes.js";

export function registerQueryRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  app.get("/health", async () => ({ status: "ok" }));

  registerServiceRoutes(app, deps);

  app.get("/v1/invocations/:id", async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const record = await deps.store.get(request.params.id);
    if (!record) throw new CoordinatorError("INVOCATION_NOT_FOUND", `No invocation with id "${request.params.id}"`);
    const live = deps.invocations.liveStatus(record.id);
    return {
      invocationId: record.id,
      serviceName: record.service,
      handlerName: record.handler,
      status: live?.status ?? record.status,
      attempt: live?.attempt ?? record.attempt,
      ...(record.output === null ? {} : { output: JSON.parse(record.output) as unknown }),
      ...(record.error === null ? {} : { error: record.error }),
      createdAt: toIso(record.createdAt),
      ...(record.completedAt ? { completedAt: toIso(record.completedAt) } : {}),
    };
  });
}

function toIso(value: Date | number | string): string {
  return new Date(value).toISOString();
}
