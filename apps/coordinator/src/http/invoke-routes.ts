import type { FastifyInstance, FastifyRequest } from "fastify";
import { CoordinatorError } from "../errors.js";
import type { InvocationHandle } from "../invocations/invocation-manager.js";
import type { GatewayClosing } from "./gateway-closing.js";
import type { GatewayDeps } from "./gateway-deps.js";
import { awaitOutcome, sendFailure, streamOutcome } from "./outcome-response.js";
import { callTimeoutMs, forwardedHeaders, jsonBodyText, parseCallEnvelope } from "./request-input.js";
import { resolveComponent } from "./resolve-component.js";

type InvokeRequest = FastifyRequest<{
  Params: { service: string; handler: string };
  Querystring: { mode?: string; timeoutMs?: string };
  Body: Buffer | undefined;
}>;

/** `closing` tells callers still waiting for an outcome that the gateway is shutting down. */
export function registerInvokeRoutes(app: FastifyInstance, deps: GatewayDeps, closing: GatewayClosing): void {
  const submit = async (request: FastifyRequest, service: string, handler: string, input: string) => {
    const component = resolveComponent(deps.services, service, handler);
    const idempotencyKey = headerValue(request.headers["idempotency-key"]);
    const handle = await deps.invocations.submit({
      service,
      handler,
      kind: component.kind,
      input,
      headers: forwardedHeaders(request.headers),
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    return { component, handle };
  };

  // JSON in, JSON out. ?mode=async answers 202 at once with the invocation id.
  app.post("/v1/services/:service/:handler", async (request: InvokeRequest, reply) => {
    const { service, handler } = request.params;
    const mode = request.query.mode ?? "sync";
    if (mode !== "sync" && mode !== "async") {
      throw new CoordinatorError("INVALID_REQUEST", `mode must be "sync" or "async", got "${mode}"`);
    }
    const timeoutMs = callTimeoutMs(request.query, request.headers, deps.defaultCallTimeoutMs);
    const input = jsonBodyText(request.body);
    const { component, handle } = await submit(request, service, handler, input);
    if (mode === "async") {
      // Acknowledged only once recorded (a failed record surfaces as a 503 from the error handler).
      await handle.recorded.catch((error: unknown) => {
        throw new CoordinatorError("UNAVAILABLE", `The invocation could not be recorded: ${(error as Error).message}`);
      });
      return reply.status(202).send({ invocationId: handle.id });
    }
    if (component.streaming) return streamOutcome(reply, handle, acceptsEventStream(request), closing);
    const outcome = await awaitOutcome(handle, timeoutMs, deps.services, service, closing);
    if (outcome.status !== "completed") return sendFailure(reply, handle.id, outcome);
    return reply
      .header("content-type", "application/json")
      .header("agnt5-invocation-id", handle.id)
      .send(outcome.output);
  });

  // The seed's gateway call: {serviceName, handlerName, inputData (base64 JSON)}.
  app.post(
    "/call",
    async (request: FastifyRequest<{ Body: Buffer | undefined; Querystring: { timeoutMs?: string } }>, reply) => {
      const envelope = parseCallEnvelope(request.body);
      const timeoutMs = callTimeoutMs(request.query, request.headers, deps.defaultCallTimeoutMs);
      const { handle } = await submit(request, envelope.serviceName, envelope.handlerName, envelope.input);
      const outcome = await awaitOutcome(handle, timeoutMs, deps.services, envelope.serviceName, closing);
      if (outcome.status !== "completed") return sendFailure(reply, handle.id, outcome);
      return reply
        .header("content-type", "application/json")
        .send(
          `{"invocationId":${JSON.stringify(handle.id)},"output":${outcome.output},"outputData":"${Buffer.from(outcome.output).toString("base64")}"}`,
        );
    },
  );
}

export type { InvocationHandle };

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function acceptsEventStream(request: FastifyRequest): boolean {
  return (request.headers.accept ?? "").includes("text/event-stream");
}
