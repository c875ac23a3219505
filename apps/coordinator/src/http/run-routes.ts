import type { FastifyInstance, FastifyRequest } from "fastify";
import { callerOf } from "../auth/http-auth-hook.js";
import { CoordinatorError } from "../errors.js";
import type { LiveEntry } from "../journal/journal-entry.js";
import { approverOf, decideApproval } from "./approval-decision.js";
import { flowRunSteps } from "./flow-steps.js";
import type { GatewayDeps } from "./gateway-deps.js";
import { checkInputValue } from "./input-validation.js";
import { awaitRecorded } from "./invocation-answer.js";
import { RUN_ID } from "./path-params.js";
import { callTimeoutMs, forwardedHeaders, jsonBodyText } from "./request-input.js";
import { runBody, runResultBody, runStatus } from "./run-body.js";

type RunRequest = FastifyRequest<{ Params: { runId: string; name?: string }; Body: Buffer | undefined }>;

/** Workflow runs: start (idempotent by run id), inspect, wait, signal, approve, cancel, journal. */
export function registerRunRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  app.post(
    "/v1/workflows/:name/runs",
    async (request: FastifyRequest<{ Params: { name: string }; Body: Buffer | undefined }>, reply) => {
      const body = JSON.parse(jsonBodyText(request.body)) as unknown;
      const { input, runId } = (body ?? {}) as { input?: unknown; runId?: unknown };
      if (body !== null && (typeof body !== "object" || Array.isArray(body))) {
        throw new CoordinatorError("INVALID_REQUEST", "Request body must be a JSON object {input, runId?}");
      }
      if (runId !== undefined && (typeof runId !== "string" || !RUN_ID.test(runId))) {
        throw new CoordinatorError("INVALID_REQUEST", "runId must be 1-200 characters of A-Z a-z 0-9 _ . : -");
      }
      const service = findWorkflowService(deps, request.params.name);
      checkInputValue(deps.services, service, request.params.name, input ?? null);
      const handle = await deps.invocations.submit({
        service,
        handler: request.params.name,
        kind: "workflow",
        input: JSON.stringify(input ?? null),
        headers: forwardedHeaders(request.headers),
        ...(runId ? { id: runId } : {}),
      });
      await awaitRecorded(handle);
      return reply.status(202).send({ runId: handle.id, created: handle.created });
    },
  );

  app.get("/v1/runs/:runId", async (request: RunRequest) => {
    const record = await requireRun(deps, request.params.runId);
    const live = deps.invocations.liveStatus(record.id);
    const current = live?.currentEntry ?? (await lastEntry(deps, record.id));
    const body = runBody(record, live, current);
    return { ...body, ...(await flowRunSteps(deps, record, body.status)) };
  });

  app.get(
    "/v1/runs/:runId/result",
    async (request: FastifyRequest<{ Params: { runId: string }; Querystring: { timeoutMs?: string } }>) => {
      const timeoutMs = callTimeoutMs(request.query, request.headers, deps.defaultCallTimeoutMs);
      const outcome = await deps.invocations.waitForEnd(request.params.runId, AbortSignal.timeout(timeoutMs));
      return runResultBody(request.params.runId, outcome);
    },
  );

  app.post("/v1/runs/:runId/signals/:name", async (request: RunRequest, reply) => {
    const payload = jsonBodyText(request.body, "Signal payload");
    const { delivered } = await deps.invocations.signal(request.params.runId, request.params.name!, payload);
    return reply.status(202).send({ runId: request.params.runId, signal: request.params.name, delivered });
  });

  // Human approval: checks the approver's roles (its key's; in dev mode the x-agnt5-roles header or
  // body.roles) against the roles the pending ctx.human.approval requires, then delivers the decision.
  app.post("/v1/runs/:runId/approvals/:name", async (request: RunRequest, reply) => {
    const { runId, name } = request.params as { runId: string; name: string };
    const body = (JSON.parse(jsonBodyText(request.body)) ?? {}) as Record<string, unknown>;
    const decision = body.decision;
    if (decision !== "approved" && decision !== "rejected") {
      throw new CoordinatorError("INVALID_REQUEST", 'decision must be "approved" or "rejected"');
    }
    const approver = approverOf(callerOf(request), {
      by: body.by,
      rolesHeader: request.headers["x-agnt5-roles"],
      bodyRoles: body.roles,
    });
    await decideApproval(deps, runId, name, {
      decision,
      ...approver,
      ...(typeof body.comment === "string" ? { comment: body.comment } : {}),
      ...(body.edits === undefined ? {} : { edits: body.edits }),
    });
    return reply.status(202).send({ runId, approval: name, decision });
  });

  app.post("/v1/runs/:runId/cancel", async (request: RunRequest, reply) => {
    const record = await deps.invocations.cancel(request.params.runId);
    const status = runStatus(record, deps.invocations.liveStatus(record.id));
    return reply.status(202).send({ runId: record.id, status, cancelRequested: true });
  });

  app.get("/v1/runs/:runId/journal", async (request: RunRequest) => {
    await requireRun(deps, request.params.runId);
    const entries = await deps.journal.load(request.params.runId);
    return {
      runId: request.params.runId,
      entries: entries.map((entry) => ({
        index: entry.index,
        kind: entry.kind,
        name: entry.name,
        request: entry.request === null ? null : (JSON.parse(entry.request) as unknown),
        status: entry.result === undefined ? "pending" : entry.result.ok ? "completed" : "failed",
        ...(entry.result?.ok ? { result: JSON.parse(entry.result.value) as unknown } : {}),
        ...(entry.result && !entry.result.ok ? { failure: entry.result.failure } : {}),
      })),
    };
  });
}

function findWorkflowService(deps: GatewayDeps, name: string): string {
  const hosts = deps.services.list().filter((service) => service.components.get(name)?.kind === "workflow");
  if (hosts.length === 1) return hosts[0]!.name;
  if (hosts.length > 1) {
    throw new CoordinatorError(
      "AMBIGUOUS_WORKFLOW",
      `Workflow "${name}" is registered by several services (${hosts.map((s) => s.name).join(", ")}); start it with POST /v1/services/:service/${name}`,
    );
  }
  const known = deps.services
    .list()
    .flatMap((service) => [...service.components.values()].filter((c) => c.kind === "workflow").map((c) => c.name));
  throw new CoordinatorError(
    "WORKFLOW_NOT_FOUND",
    `No workflow named "${name}" is registered${known.length ? ` (workflows: ${known.join(", ")})` : ""}`,
  );
}

async function requireRun(deps: GatewayDeps, runId: string) {
  const record = await deps.store.get(runId);
  if (!record) throw new CoordinatorError("RUN_NOT_FOUND", `No run with id "${runId}"`);
  return record;
}

async function lastEntry(deps: GatewayDeps, runId: string): Promise<LiveEntry | undefined> {
  const entries = await deps.journal.load(runId);
  const last = entries.at(-1);
  return (
    last && {
      index: last.index,
      kind: last.kind as LiveEntry["kind"],
      name: last.name,
      request: last.request,
      result: last.result,
    }
  );
}
