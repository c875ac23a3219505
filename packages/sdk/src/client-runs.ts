/**
 * The Client's workflow- and agent-run calls (/v1/workflows/:name/runs, /v1/agents/:name/runs,
 * /v1/runs/:runId/...), over the gateway transport. Client keeps the public overloads and docs and
 * calls these; web-safe like the rest of the client (fetch only).
 */
import {
  type AgentInput,
  type AgentRef,
  agentRunRequest,
  type StartAgentOptions,
  startedRunFrom,
} from "./client-agents.js";
import { Agnt5ClientError } from "./client-error.js";
import { jsonFromResponse } from "./client-response.js";
import type {
  ApprovalRequest,
  ApprovalResult,
  CancelResult,
  RunInfo,
  RunJournal,
  SignalResult,
  StartedRun,
  StartWorkflowOptions,
  WorkflowResultOptions,
} from "./client-run-types.js";
import type { GatewayTransport } from "./client-transport.js";
import { SUCCESS_STATUSES } from "./client-wait.js";

const JSON_ACCEPT = { accept: "application/json" };
const JSON_BODY = { "content-type": "application/json", accept: "application/json" };

const runPath = (runId: string) => `/v1/runs/${encodeURIComponent(runId)}`;

/** GET or POST `path` and read the JSON answer. */
async function json<T>(
  transport: GatewayTransport,
  path: string,
  method: "GET" | "POST",
  signal: AbortSignal | undefined,
): Promise<T> {
  const response = await transport.request(path, { method, headers: JSON_ACCEPT, signal });
  return (await jsonFromResponse(response)) as T;
}

/** POST /v1/workflows/:name/runs. */
export async function startWorkflowRun(
  transport: GatewayTransport,
  workflow: string | { readonly name: string },
  input: unknown,
  options: StartWorkflowOptions,
): Promise<StartedRun> {
  const name = typeof workflow === "string" ? workflow : workflow.name;
  const response = await transport.request(`/v1/workflows/${encodeURIComponent(name)}/runs`, {
    method: "POST",
    headers: { ...JSON_BODY, ...options.headers },
    // undefined travels as JSON null, like a worker's empty result.
    body: JSON.stringify({ input: input ?? null, ...(options.runId === undefined ? {} : { runId: options.runId }) }),
    signal: options.signal,
  });
  return startedRunFrom(await jsonFromResponse(response), response.status, `workflow ${name}`);
}

/** POST /v1/agents/:name/runs. */
export async function startAgentRun(
  transport: GatewayTransport,
  agent: AgentRef,
  input: AgentInput,
  options: StartAgentOptions,
): Promise<StartedRun> {
  const request = agentRunRequest(agent, input, options);
  const response = await transport.request(request.path, {
    method: "POST",
    headers: { ...JSON_BODY, ...options.headers },
    body: request.body,
    signal: options.signal,
  });
  return startedRunFrom(await jsonFromResponse(response), response.status, `agent ${request.name}`);
}

/** GET /v1/runs/:runId. */
export function getRunInfo<Output>(
  transport: GatewayTransport,
  runId: string,
  signal: AbortSignal | undefined,
): Promise<RunInfo<Output>> {
  return json(transport, runPath(runId), "GET", signal);
}

/** GET /v1/runs/:runId/result: the output, or the run's failure, cancellation or TIMEOUT as Agnt5ClientError. */
export async function runResult<Output>(
  transport: GatewayTransport,
  runId: string,
  options: WorkflowResultOptions,
): Promise<Output> {
  const search = options.timeoutMs === undefined ? "" : `?timeoutMs=${encodeURIComponent(options.timeoutMs)}`;
  const response = await transport.request(`${runPath(runId)}/result${search}`, {
    method: "GET",
    headers: JSON_ACCEPT,
    signal: options.signal,
  });
  const body = (await jsonFromResponse(response)) as
    | { status?: string; output?: unknown; error?: { code?: string; message?: string; details?: unknown } }
    | undefined;
  const status = body?.status ?? "unknown";
  if (SUCCESS_STATUSES.has(status)) return body?.output as Output;
  const cancelled = status === "cancelled" || status === "canceled";
  const error = body?.error;
  throw new Agnt5ClientError({
    message: cancelled ? `Run ${runId} was cancelled` : (error?.message ?? `Run ${runId} ended with status ${status}`),
    status: response.status,
    code: cancelled ? "CANCELLED" : (error?.code ?? status.toUpperCase()),
    invocationId: runId,
    ...(error?.details === undefined ? {} : { details: error.details }),
  });
}

/** POST /v1/runs/:runId/signals/:name with the payload as JSON. */
export async function sendSignal(
  transport: GatewayTransport,
  runId: string,
  name: string,
  payload: unknown,
  signal: AbortSignal | undefined,
): Promise<SignalResult> {
  const response = await transport.request(`${runPath(runId)}/signals/${encodeURIComponent(name)}`, {
    method: "POST",
    headers: JSON_BODY,
    body: JSON.stringify(payload ?? null),
    signal,
  });
  return (await jsonFromResponse(response)) as SignalResult;
}

/** POST /v1/runs/:runId/approvals/:name; the roles travel in x-agnt5-roles. */
export async function decideApproval(
  transport: GatewayTransport,
  runId: string,
  name: string,
  request: ApprovalRequest,
): Promise<ApprovalResult> {
  const { decision, by, comment, roles, edits, signal } = request;
  const response = await transport.request(`${runPath(runId)}/approvals/${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { ...JSON_BODY, ...(roles && roles.length > 0 ? { "x-agnt5-roles": roles.join(",") } : {}) },
    body: JSON.stringify({
      decision,
      by,
      ...(comment === undefined ? {} : { comment }),
      ...(edits === undefined ? {} : { edits }),
    }),
    signal,
  });
  return (await jsonFromResponse(response)) as ApprovalResult;
}

/** POST /v1/runs/:runId/cancel. */
export function requestCancel(
  transport: GatewayTransport,
  runId: string,
  signal: AbortSignal | undefined,
): Promise<CancelResult> {
  return json(transport, `${runPath(runId)}/cancel`, "POST", signal);
}

/** GET /v1/runs/:runId/journal. */
export function getRunJournal(
  transport: GatewayTransport,
  runId: string,
  signal: AbortSignal | undefined,
): Promise<RunJournal> {
  return json(transport, `${runPath(runId)}/journal`, "GET", signal);
}
