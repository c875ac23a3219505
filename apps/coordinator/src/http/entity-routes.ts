import type { FastifyInstance, FastifyRequest } from "fastify";
import { CoordinatorError } from "../errors.js";
import type { GatewayClosing } from "./gateway-closing.js";
import type { GatewayDeps } from "./gateway-deps.js";
import { checkInputText } from "./input-validation.js";
import { answerInvocation, callMode } from "./invocation-answer.js";
import { callTimeoutMs, forwardedHeaders, jsonBodyText } from "./request-input.js";

type EntityRequest = FastifyRequest<{
  Params: { type: string; key: string; method?: string };
  Querystring: { mode?: string; timeoutMs?: string };
  Body: Buffer | undefined;
}>;

/** Entities: call a method on (type, key), and read an entity's committed state. */
export function registerEntityRoutes(app: FastifyInstance, deps: GatewayDeps, closing: GatewayClosing): void {
  app.post("/v1/entities/:type/:key/:method", async (request: EntityRequest, reply) => {
    const { type, key, method } = request.params as { type: string; key: string; method: string };
    const service = findEntityService(deps, type, method);
    const mode = callMode(request.query);
    const timeoutMs = callTimeoutMs(request.query, request.headers, deps.defaultCallTimeoutMs);
    const idempotencyKey = request.headers["idempotency-key"];
    const input = jsonBodyText(request.body);
    checkInputText(deps.services, service, `${type}.${method}`, input);
    const handle = await deps.invocations.submit({
      service,
      handler: type,
      kind: "entity",
      input,
      headers: forwardedHeaders(request.headers),
      objectKey: key,
      methodName: method,
      ...(typeof idempotencyKey === "string" && idempotencyKey ? { idempotencyKey } : {}),
    });
    return answerInvocation(request, reply, handle, {
      mode,
      timeoutMs,
      service,
      streaming: false,
      services: deps.services,
      closing,
    });
  });

  app.get("/v1/entities/:type/:key", async (request: EntityRequest) => {
    const { type, key } = request.params;
    requireEntityType(deps, type);
    const snapshot = await deps.invocations.entities.snapshot(type, key);
    return {
      type,
      key,
      version: snapshot.version,
      state: Object.fromEntries(
        Object.entries(snapshot.state).map(([name, value]) => [name, JSON.parse(value) as unknown]),
      ),
    };
  });
}

function findEntityService(deps: GatewayDeps, type: string, method: string): string {
  const host = requireEntityType(deps, type);
  const methods = host.components.get(type)?.methods ?? [];
  if (!methods.some((m) => m.name === method)) {
    throw new CoordinatorError(
      "HANDLER_NOT_FOUND",
      `Entity "${type}" has no method "${method}" (methods: ${methods.map((m) => m.name).join(", ") || "none"})`,
    );
  }
  return host.name;
}

/** The service hosting entity `type` (a service that registered it, workers connected or not), or a 404. */
function requireEntityType(deps: GatewayDeps, type: string) {
  const host = deps.services.list().find((service) => service.components.get(type)?.kind === "entity");
  if (!host) {
    const known = deps.services
      .list()
      .flatMap((service) => [...service.components.values()].filter((c) => c.kind === "entity").map((c) => c.name));
    throw new CoordinatorError(
      "ENTITY_NOT_FOUND",
      `No entity type "${type}" is registered${known.length ? ` (entity types: ${known.join(", ")})` : ""}`,
    );
  }
  return host;
}
