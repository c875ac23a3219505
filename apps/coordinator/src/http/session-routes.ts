import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CoordinatorError, errorBody, httpStatusFor } from "../errors.js";
import type { GatewayClosing } from "./gateway-closing.js";
import type { GatewayDeps } from "./gateway-deps.js";
import { awaitOutcome, outcomeError } from "./outcome-response.js";
import { callTimeoutMs, forwardedHeaders } from "./request-input.js";

/** The entity type @agnt5/adk keeps each session in (keyed by session id). */
const SESSION_ENTITY = "agnt5.session";

type SessionRequest = FastifyRequest<{
  Params: { sessionId: string };
  Querystring: { since?: string; limit?: string; format?: string; timeoutMs?: string };
}>;

/** A stored message, as far as the export needs it. */
interface StoredMessage {
  seq: number;
  timestamp: string;
  role: string;
  content: string;
  agent?: string;
  metadata?: Record<string, unknown>;
  toolCalls?: unknown[];
  summary?: boolean;
}

/**
 * Sessions from outside a worker: thin routes over the agnt5.session entity's methods (each a
 * durable entity invocation, so reads see the last committed write and delete is a write like any
 * other, refused for an immutable session).
 */
export function registerSessionRoutes(app: FastifyInstance, deps: GatewayDeps, closing: GatewayClosing): void {
  const call = async (request: SessionRequest, method: string, input: unknown): Promise<CallResult> => {
    const service = sessionService(deps);
    const handle = await deps.invocations.submit({
      service,
      handler: SESSION_ENTITY,
      kind: "entity",
      input: JSON.stringify(input),
      headers: forwardedHeaders(request.headers),
      objectKey: request.params.sessionId,
      methodName: method,
    });
    const timeoutMs = callTimeoutMs(request.query, request.headers, deps.defaultCallTimeoutMs);
    const outcome = await awaitOutcome(handle, timeoutMs, deps.services, service, closing);
    if (outcome.status === "completed") return { ok: true, value: JSON.parse(outcome.output) as unknown };
    return { ok: false, invocationId: handle.id, error: outcomeError(handle.id, outcome) };
  };

  app.get("/v1/sessions/:sessionId", async (request: SessionRequest, reply) => {
    const result = await call(request, "info", null);
    if (!result.ok) return sendError(reply, result);
    if (result.value === null) throw notFound(request.params.sessionId);
    return result.value;
  });

  app.get("/v1/sessions/:sessionId/history", async (request: SessionRequest, reply) => {
    const result = await call(request, "history", null);
    if (!result.ok) return sendError(reply, result);
    return { sessionId: request.params.sessionId, messages: result.value };
  });

  app.get("/v1/sessions/:sessionId/export", async (request: SessionRequest, reply) => {
    const format = request.query.format ?? "jsonl";
    if (format !== "jsonl") {
      throw new CoordinatorError("INVALID_REQUEST", `Query parameter "format" must be "jsonl", got "${format}"`);
    }
    const result = await call(request, "history", null);
    if (!result.ok) return sendError(reply, result);
    const lines = (result.value as StoredMessage[]).map(exportLine);
    return reply
      .header("content-type", "application/x-ndjson; charset=utf-8")
      .send(lines.join("\n") + (lines.length > 0 ? "\n" : ""));
  });

  app.get("/v1/sessions/:sessionId/events", async (request: SessionRequest, reply) => {
    const { since, limit } = request.query;
    const input: { since?: string; limit?: number } = {};
    if (since !== undefined) {
      const time = new Date(since);
      if (Number.isNaN(time.getTime())) {
        throw new CoordinatorError("INVALID_REQUEST", `Query parameter "since" is not a date: "${since}"`);
      }
      input.since = time.toISOString();
    }
    if (limit !== undefined) {
      if (!/^\d{1,6}$/.test(limit)) {
        throw new CoordinatorError("INVALID_REQUEST", `Query parameter "limit" must be a whole number, got "${limit}"`);
      }
      input.limit = Number(limit);
    }
    const result = await call(request, "events", input);
    if (!result.ok) return sendError(reply, result);
    return { sessionId: request.params.sessionId, events: result.value };
  });

  app.get("/v1/sessions/:sessionId/state", async (request: SessionRequest, reply) => {
    const result = await call(request, "get_state", {});
    if (!result.ok) return sendError(reply, result);
    return { sessionId: request.params.sessionId, state: result.value };
  });

  app.delete("/v1/sessions/:sessionId", async (request: SessionRequest, reply) => {
    const result = await call(request, "delete", null);
    if (!result.ok) return sendError(reply, result);
    if (!(result.value as { deleted?: boolean }).deleted) throw notFound(request.params.sessionId);
    return reply.status(204).send();
  });
}

type CallResult =
  | { ok: true; value: unknown }
  | { ok: false; invocationId: string; error: ReturnType<typeof outcomeError> };

function sendError(reply: FastifyReply, result: Extract<CallResult, { ok: false }>) {
  const { error, invocationId } = result;
  return reply
    .status(httpStatusFor(error.code))
    .header("agnt5-invocation-id", invocationId)
    .send(errorBody(error.code, error.message, error.details, invocationId));
}

function notFound(sessionId: string): CoordinatorError {
  return new CoordinatorError("SESSION_NOT_FOUND", `No session "${sessionId}" (it was never written, or was deleted)`);
}

/** The service hosting the session entity: any worker that registered agents or the session entities. */
function sessionService(deps: GatewayDeps): string {
  const host = deps.services.list().find((service) => service.components.get(SESSION_ENTITY)?.kind === "entity");
  if (!host) {
    throw new CoordinatorError(
      "ENTITY_NOT_FOUND",
      `No service hosts sessions (entity "${SESSION_ENTITY}"): a worker that calls registerAgent() or registerSessionEntities() does`,
    );
  }
  return host.name;
}

/** One JSONL line, as @agnt5/adk's session.export() writes it: timestamp, role, message, metadata, tool_calls. */
function exportLine(message: StoredMessage): string {
  return JSON.stringify({
    seq: message.seq,
    timestamp: message.timestamp,
    role: message.role,
    agent: message.agent ?? null,
    message: message.content,
    metadata: message.metadata ?? {},
    tool_calls: message.toolCalls ?? [],
    ...(message.summary ? { summary: true } : {}),
  });
}
