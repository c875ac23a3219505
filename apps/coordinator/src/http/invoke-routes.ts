import type { FastifyInstance, FastifyRequest } from "fastify";
import type { InvocationHandle } from "../invocations/invocation-manager.js";
import type { GatewayClosing } from "./gateway-closing.js";
import type { GatewayDeps } from "./gateway-deps.js";
import { checkInputText } from "./input-validation.js";
import { answerInvocation, callMode } from "./invocation-answer.js";
import { awaitOutcome, sendFailure } from "./outcome-response.js";
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
    checkInputText(deps.services, service, handler, input);
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
    const mode = callMode(request.query);
    const timeoutMs = callTimeoutMs(request.query, request.headers, deps.defaultCallTimeoutMs);
    const input = jsonBodyText(request.body);
    const { component, handle } = await submit(request, service, handler, input);
    return answerInvocation(request, reply, handle, {
      mode,
      timeoutMs,
      service,
      streaming: component.streaming,
      services: deps.services,
      closing,
    });
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
