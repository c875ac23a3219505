import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CoordinatorError, errorBody } from "../errors.js";
import type { InvocationHandle } from "../invocations/invocation-manager.js";
import type { GatewayClosing } from "./gateway-closing.js";
import type { GatewayDeps } from "./gateway-deps.js";
import { checkInputValue } from "./input-validation.js";
import { awaitRecorded } from "./invocation-answer.js";
import { outcomeError } from "./outcome-response.js";
import { RUN_ID } from "./path-params.js";
import { forwardedHeaders, jsonBodyText } from "./request-input.js";

type AgentRunRequest = FastifyRequest<{
  Params: { name: string };
  Querystring: { stream?: string };
  Body: Buffer | undefined;
}>;

const BODY_FIELDS = new Set(["input", "sessionId", "runId"]);

/**
 * Agent runs: `POST /v1/agents/:name/runs` starts a durable run of an agent a worker registered
 * (idempotent by run id, like a workflow run); the run routes (/v1/runs/:id, /result, /journal,
 * /cancel, /approvals) then serve it. With `Accept: text/event-stream` or `?stream=true` the
 * answer is the run's events as SSE, then `done` with its result.
 */
export function registerAgentRoutes(app: FastifyInstance, deps: GatewayDeps, closing: GatewayClosing): void {
  app.post("/v1/agents/:name/runs", async (request: AgentRunRequest, reply) => {
    const streaming = wantsStream(request);
    const body = JSON.parse(jsonBodyText(request.body)) as unknown;
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new CoordinatorError("INVALID_REQUEST", "Request body must be a JSON object {input, sessionId?, runId?}");
    }
    const unknown = Object.keys(body).filter((key) => !BODY_FIELDS.has(key));
    if (unknown.length > 0) {
      throw new CoordinatorError(
        "INVALID_REQUEST",
        `Unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((key) => `"${key}"`).join(", ")} in the body; an agent run takes {input, sessionId?, runId?}`,
      );
    }
    const { input, sessionId, runId } = body as { input?: unknown; sessionId?: unknown; runId?: unknown };
    if (runId !== undefined && (typeof runId !== "string" || !RUN_ID.test(runId))) {
      throw new CoordinatorError("INVALID_REQUEST", "runId must be 1-200 characters of A-Z a-z 0-9 _ . : -");
    }
    const service = findAgentService(deps, request.params.name);
    const runInput = { input, ...(sessionId === undefined ? {} : { sessionId }) };
    // The worker registered the run input's schema: a missing input or a sessionId that is not a string is a 400 here.
    checkInputValue(deps.services, service, request.params.name, runInput);
    const handle = await deps.invocations.submit({
      service,
      handler: request.params.name,
      kind: "agent",
      input: JSON.stringify(runInput),
      headers: forwardedHeaders(request.headers),
      ...(runId ? { id: runId } : {}),
    });
    await awaitRecorded(handle);
    if (streaming) return streamAgentRun(reply, handle, closing);
    return reply.status(202).send({ runId: handle.id, created: handle.created });
  });
}

function wantsStream(request: AgentRunRequest): boolean {
  const { stream } = request.query;
  if (stream !== undefined && stream !== "true" && stream !== "false") {
    throw new CoordinatorError("INVALID_REQUEST", `stream must be "true" or "false", got "${stream}"`);
  }
  return stream === "true" || (request.headers.accept ?? "").includes("text/event-stream");
}

function findAgentService(deps: GatewayDeps, name: string): string {
  const hosts = deps.services.list().filter((service) => service.components.get(name)?.kind === "agent");
  if (hosts.length === 1) return hosts[0]!.name;
  if (hosts.length > 1) {
    throw new CoordinatorError(
      "AMBIGUOUS_AGENT",
      `Agent "${name}" is registered by several services (${hosts.map((s) => s.name).join(", ")}); start it with POST /v1/services/:service/${name}`,
    );
  }
  const known = deps.services
    .list()
    .flatMap((service) => [...service.components.values()].filter((c) => c.kind === "agent").map((c) => c.name));
  throw new CoordinatorError(
    "AGENT_NOT_FOUND",
    `No agent named "${name}" is registered${known.length ? ` (agents: ${known.join(", ")})` : ""}`,
  );
}

/**
 * SSE: `run` (its id, whether this request created it), each event of the agent as it happens
 * (event name = its type: tool_call, tool_result, response, handoff, approval_requested, ...),
 * then `done` with the result or `error`. A run that waits for an approval keeps the stream open
 * until it is decided. Events a run sent before this request are replayed first while the
 * coordinator holds them (until it restarts); a finished run answers with `done` at once.
 */
async function streamAgentRun(reply: FastifyReply, handle: InvocationHandle, closing: GatewayClosing): Promise<void> {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "agnt5-run-id": handle.id,
  });
  const write = (type: string, payload: string) => {
    if (!response.destroyed) response.write(`event: ${type}\ndata: ${payload}\n\n`);
  };
  write("run", JSON.stringify({ type: "run", runId: handle.id, created: handle.created }));
  const unsubscribe = handle.subscribe((_seq, data) => write(eventType(data), data));
  response.on("close", unsubscribe);
  const closed = closing.wait();
  const outcome = await Promise.race([handle.outcome, closed.promise.then(() => undefined)]);
  closed.dispose();
  unsubscribe();
  if (outcome?.status === "completed") {
    write("done", `{"type":"done","runId":${JSON.stringify(handle.id)},"result":${outcome.output}}`);
  } else {
    const error = outcome
      ? outcomeError(handle.id, outcome)
      : {
          code: "UNAVAILABLE",
          message: `The coordinator is shutting down; run ${handle.id} is recorded and resumes when it is back (GET /v1/runs/${handle.id}/result)`,
          details: undefined,
        };
    write(
      "error",
      JSON.stringify({ type: "error", ...errorBody(error.code, error.message, error.details, handle.id) }),
    );
  }
  const socket = response.socket;
  response.end(outcome ? undefined : () => socket?.end());
}

/** The SSE event name of one agent event (its `type`); "event" for anything without one. */
function eventType(data: string): string {
  try {
    const type = (JSON.parse(data) as { type?: unknown } | null)?.type;
    return typeof type === "string" && /^[a-z_]{1,40}$/.test(type) ? type : "event";
  } catch {
    return "event";
  }
}
