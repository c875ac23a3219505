import { encodeJson } from "@agnt5/core";
import { Agnt5ClientError } from "./client-error.js";
import { errorFromResponse, INVOCATION_ID_HEADER, jsonFromResponse } from "./client-response.js";
import type {
  ApprovalRequest,
  ApprovalResult,
  CancelResult,
  RunInfo,
  RunJournal,
  RunWorkflowOptions,
  SignalResult,
  StartedRun,
  StartWorkflowOptions,
  WorkflowResultOptions,
} from "./client-run-types.js";
import { readNdjsonEnvelopes, readSseEnvelopes, type StreamEnvelope } from "./stream-envelopes.js";

export interface ClientOptions {
  /** Sent with every request (e.g. an Authorization header). */
  headers?: Record<string, string>;
  /** A fetch implementation; default the global one. */
  fetch?: typeof fetch;
}

/** The seed's `client.call(service_name=..., handler_name=..., input_data=...)`, camel-cased. */
export interface CallRequest {
  serviceName: string;
  handlerName: string;
  /** Base64 of the JSON input, as in the seed. */
  inputData?: string;
  /** The input as a JSON value; encoded for you. Ignored when inputData is given. */
  input?: unknown;
  signal?: AbortSignal;
}

export interface InvokeOptions {
  /** Makes the call safe to repeat: the gateway answers a repeated key with the first call's invocation. */
  idempotencyKey?: string;
  /** How long the gateway waits for a worker and the result before answering 504. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface StreamOptions extends InvokeOptions {
  /** Wire format to ask for: NDJSON (default) or Server-Sent Events. */
  format?: "ndjson" | "sse";
}

export type InvocationStatus = "pending" | "running" | "completed" | "failed" | "cancelled" | (string & {});

export interface InvocationError {
  code: string;
  message: string;
  details?: unknown;
}

export interface InvocationInfo<Output = unknown> {
  invocationId: string;
  serviceName: string;
  handlerName: string;
  status: InvocationStatus;
  attempt: number;
  output?: Output;
  error?: InvocationError;
  createdAt: string;
  completedAt?: string;
}

/** GET /v1/entities/:type/:key: an entity's committed state. */
export interface EntityInfo<State extends Record<string, unknown> = Record<string, unknown>> {
  type: string;
  key: string;
  /** Incremented by every committed write; 0 for an entity that was never written. */
  version: number;
  state: State;
}

export interface WaitOptions {
  /** Give up (Agnt5ClientError code TIMEOUT) after this long. Default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const TERMINAL_STATUSES = new Set(["completed", "succeeded", "failed", "cancelled", "canceled", "timed_out"]);
const SUCCESS_STATUSES = new Set(["completed", "succeeded"]);
const POLL_INITIAL_MS = 100;
const POLL_MAX_MS = 2_000;

/**
 * Calls components through the coordinator's HTTP gateway.
 *
 * @example
 * const client = new Client("http://localhost:8080");
 * const greeting = await client.invoke("hello-service", "greet", "Alice");
 *
 * // Durable workflows: start by run id (idempotent), then follow, signal, approve or cancel the run.
 * const { runId } = await client.startWorkflow("checkout", { orderId: "o-1" }, { runId: "order-o-1" });
 * await client.signal(runId, "payment_confirmed", { amount: 42 });
 * const receipt = await client.workflowResult(runId, { timeoutMs: 30_000 });
 */
export class Client {
  readonly baseUrl: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;

  constructor(baseUrl = "http://localhost:8080", options: ClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.#headers = options.headers ?? {};
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The seed's call(): POST /call with base64 JSON input; returns the decoded output. */
  async call<Output = unknown>(request: CallRequest): Promise<Output> {
    const inputData =
      request.inputData ??
      (request.input === undefined ? "" : Buffer.from(encodeJson(request.input)).toString("base64"));
    const response = await this.#request("/call", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ serviceName: request.serviceName, handlerName: request.handlerName, inputData }),
      signal: request.signal,
    });
    const body = (await jsonFromResponse(response)) as { output?: unknown; outputData?: string } | undefined;
    if (body && "output" in body) return body.output as Output;
    if (body?.outputData) return JSON.parse(Buffer.from(body.outputData, "base64").toString("utf8")) as Output;
    return undefined as Output;
  }

  /** Runs `handler` and waits for its output (POST /v1/services/:service/:handler). */
  async invoke<Output = unknown>(
    service: string,
    handler: string,
    input?: unknown,
    options: InvokeOptions = {},
  ): Promise<Output> {
    const response = await this.#post(service, handler, input, options, "application/json");
    return (await jsonFromResponse(response)) as Output;
  }

  /** Starts `handler` without waiting (`?mode=async`); poll with getInvocation() or waitForResult(). */
  async submit(
    service: string,
    handler: string,
    input?: unknown,
    options: InvokeOptions = {},
  ): Promise<{ invocationId: string }> {
    const response = await this.#post(service, handler, input, options, "application/json", { mode: "async" });
    const body = (await jsonFromResponse(response)) as { invocationId?: string } | undefined;
    const invocationId = body?.invocationId ?? response.headers.get(INVOCATION_ID_HEADER);
    if (!invocationId) {
      throw new Agnt5ClientError({
        message: "The gateway accepted the call but returned no invocationId",
        status: response.status,
        code: "INVALID_RESPONSE",
      });
    }
    return { invocationId };
  }

  /** GET /v1/invocations/:id. */
  async getInvocation<Output = unknown>(
    invocationId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<InvocationInfo<Output>> {
    const response = await this.#request(`/v1/invocations/${encodeURIComponent(invocationId)}`, {
      method: "GET",
      headers: { accept: "application/json" },
      signal: options.signal,
    });
    return (await jsonFromResponse(response)) as InvocationInfo<Output>;
  }

  /**
   * Polls getInvocation() with backoff (100 ms growing to 2 s) until the invocation is finished.
   * Returns its output; throws Agnt5ClientError with the invocation's error code if it failed.
   */
  async waitForResult<Output = unknown>(invocationId: string, options: WaitOptions = {}): Promise<Output> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    let delay = POLL_INITIAL_MS;
    for (;;) {
      const info = await this.getInvocation<Output>(invocationId, options);
      // Unknown statuses count as finished once completedAt is set (forward compatibility).
      if (TERMINAL_STATUSES.has(info.status) || info.completedAt) {
        if (SUCCESS_STATUSES.has(info.status) || (!TERMINAL_STATUSES.has(info.status) && !info.error)) {
          return info.output as Output;
        }
        throw new Agnt5ClientError({
          message: info.error?.message ?? `Invocation ${invocationId} ended with status ${info.status}`,
          status: 200,
          code: info.error?.code ?? info.status.toUpperCase(),
          invocationId,
          ...(info.error?.details === undefined ? {} : { details: info.error.details }),
        });
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Agnt5ClientError({
          message: `Invocation ${invocationId} did not finish within ${timeoutMs} ms (last status: ${info.status})`,
          status: 0,
          code: "TIMEOUT",
          invocationId,
        });
      }
      await pause(Math.min(delay, remaining), options.signal);
      delay = Math.min(POLL_MAX_MS, Math.round(delay * 1.5));
    }
  }

  /**
   * Runs a streaming handler and yields its chunks as they arrive. Throws Agnt5ClientError when the
   * stream reports an error, or ends without saying it is done. Breaking out of the loop closes
   * the response.
   */
  async *stream<Chunk = unknown>(
    service: string,
    handler: string,
    input?: unknown,
    options: StreamOptions = {},
  ): AsyncIterable<Chunk> {
    const sse = options.format === "sse";
    const response = await this.#post(
      service,
      handler,
      input,
      options,
      sse ? "text/event-stream" : "application/x-ndjson",
    );
    const invocationId = response.headers.get(INVOCATION_ID_HEADER) ?? undefined;
    const contentType = response.headers.get("content-type") ?? "";
    if (contentType.includes("application/json")) {
      // A handler that does not stream answers with its whole output: one "chunk".
      yield (await jsonFromResponse(response)) as Chunk;
      return;
    }
    if (!response.body) return;
    const envelopes = contentType.includes("text/event-stream")
      ? readSseEnvelopes(response.body)
      : readNdjsonEnvelopes(response.body);
    for await (const envelope of envelopes as AsyncIterable<StreamEnvelope>) {
      if (envelope.type === "chunk") yield envelope.data as Chunk;
      else if (envelope.type === "done") return;
      else if (envelope.type === "error") {
        const id = envelope.invocationId ?? invocationId;
        throw new Agnt5ClientError({
          message: envelope.error.message,
          status: response.status,
          code: envelope.error.code,
          ...(id ? { invocationId: id } : {}),
          ...(envelope.error.details === undefined ? {} : { details: envelope.error.details }),
        });
      }
    }
    throw new Agnt5ClientError({
      message: `The stream of ${service}/${handler} ended before the invocation finished`,
      status: response.status,
      code: "STREAM_INTERRUPTED",
      ...(invocationId ? { invocationId } : {}),
    });
  }

  // --- entities --------------------------------------------------------------------------------

  /**
   * Calls method `method` of entity `type` / `key` and waits for its output
   * (POST /v1/entities/:type/:key/:method, same options as invoke()). Writes of one key run one at
   * a time, in arrival order; shared methods run at once on the last committed state.
   */
  async invokeEntity<Output = unknown>(
    type: string,
    key: string,
    method: string,
    input?: unknown,
    options: InvokeOptions = {},
  ): Promise<Output> {
    const params = new URLSearchParams();
    if (options.timeoutMs !== undefined) params.set("timeoutMs", String(options.timeoutMs));
    const search = params.size ? `?${params}` : "";
    const response = await this.#request(`${this.#entityPath(type, key)}/${encodeURIComponent(method)}${search}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {}),
        ...options.headers,
      },
      body: JSON.stringify(input ?? null),
      signal: options.signal,
    });
    return (await jsonFromResponse(response)) as Output;
  }

  /** The committed state of entity `type` / `key` (GET /v1/entities/:type/:key). */
  async getEntity<State extends Record<string, unknown> = Record<string, unknown>>(
    type: string,
    key: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<EntityInfo<State>> {
    const response = await this.#request(this.#entityPath(type, key), {
      method: "GET",
      headers: { accept: "application/json" },
      signal: options.signal,
    });
    return (await jsonFromResponse(response)) as EntityInfo<State>;
  }

  #entityPath(type: string, key: string): string {
    return `/v1/entities/${encodeURIComponent(type)}/${encodeURIComponent(key)}`;
  }

  // --- workflow runs ---------------------------------------------------------------------------

  /**
   * Starts a run of workflow `name` (POST /v1/workflows/:name/runs) and returns at once. With a
   * `runId`, starting again returns the existing run (`created: false`) instead of a second one.
   */
  async startWorkflow(name: string, input?: unknown, options: StartWorkflowOptions = {}): Promise<StartedRun> {
    const response = await this.#request(`/v1/workflows/${encodeURIComponent(name)}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...options.headers },
      // undefined travels as JSON null, like a worker's empty result.
      body: JSON.stringify({ input: input ?? null, ...(options.runId === undefined ? {} : { runId: options.runId }) }),
      signal: options.signal,
    });
    const body = (await jsonFromResponse(response)) as Partial<StartedRun> | undefined;
    if (typeof body?.runId !== "string") {
      throw new Agnt5ClientError({
        message: `The gateway accepted workflow ${name} but returned no runId`,
        status: response.status,
        code: "INVALID_RESPONSE",
      });
    }
    return { runId: body.runId, created: body.created !== false };
  }

  /** Starts workflow `name` and waits for its output: startWorkflow() then workflowResult(). */
  async runWorkflow<Output = unknown>(
    name: string,
    input?: unknown,
    options: RunWorkflowOptions = {},
  ): Promise<Output> {
    const { timeoutMs, ...start } = options;
    const { runId } = await this.startWorkflow(name, input, start);
    return this.workflowResult<Output>(runId, {
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** GET /v1/runs/:runId: status, attempt, current step, and the output or error once it ended. */
  async getRun<Output = unknown>(runId: string, options: { signal?: AbortSignal } = {}): Promise<RunInfo<Output>> {
    const response = await this.#request(this.#runPath(runId), {
      method: "GET",
      headers: { accept: "application/json" },
      signal: options.signal,
    });
    return (await jsonFromResponse(response)) as RunInfo<Output>;
  }

  /** The seed's name for getRun(). */
  getWorkflowStatus<Output = unknown>(runId: string, options: { signal?: AbortSignal } = {}): Promise<RunInfo<Output>> {
    return this.getRun<Output>(runId, options);
  }

  /**
   * Waits for run `runId` to end (GET /v1/runs/:runId/result) and returns its output. Throws
   * Agnt5ClientError: with the run's error code when it failed, CANCELLED when it was cancelled,
   * TIMEOUT (status 504) when it did not end within `timeoutMs`.
   */
  async workflowResult<Output = unknown>(runId: string, options: WorkflowResultOptions = {}): Promise<Output> {
    const search = options.timeoutMs === undefined ? "" : `?timeoutMs=${encodeURIComponent(options.timeoutMs)}`;
    const response = await this.#request(`${this.#runPath(runId)}/result${search}`, {
      method: "GET",
      headers: { accept: "application/json" },
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
      message: cancelled
        ? `Run ${runId} was cancelled`
        : (error?.message ?? `Run ${runId} ended with status ${status}`),
      status: response.status,
      code: cancelled ? "CANCELLED" : (error?.code ?? status.toUpperCase()),
      invocationId: runId,
      ...(error?.details === undefined ? {} : { details: error.details }),
    });
  }

  /**
   * Sends signal `name` to run `runId` (POST /v1/runs/:runId/signals/:name, body = the payload as
   * JSON): it resumes the run's `ctx.signal(name)`, or waits in its mailbox until one asks for it.
   */
  async signal(
    runId: string,
    name: string,
    payload?: unknown,
    options: { signal?: AbortSignal } = {},
  ): Promise<SignalResult> {
    const response = await this.#request(`${this.#runPath(runId)}/signals/${encodeURIComponent(name)}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(payload ?? null),
      signal: options.signal,
    });
    return (await jsonFromResponse(response)) as SignalResult;
  }

  /**
   * Decides the run's pending `ctx.human.approval(name)` (POST /v1/runs/:runId/approvals/:name).
   * `roles` travel in the x-agnt5-roles header; the gateway refuses (FORBIDDEN) an approver without
   * one of the approval's requiredRoles, and answers NO_PENDING_APPROVAL when nothing waits.
   */
  async approve(runId: string, name: string, request: ApprovalRequest): Promise<ApprovalResult> {
    const { decision, by, comment, roles, signal } = request;
    const response = await this.#request(`${this.#runPath(runId)}/approvals/${encodeURIComponent(name)}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(roles && roles.length > 0 ? { "x-agnt5-roles": roles.join(",") } : {}),
      },
      body: JSON.stringify({ decision, by, ...(comment === undefined ? {} : { comment }) }),
      signal,
    });
    return (await jsonFromResponse(response)) as ApprovalResult;
  }

  /**
   * Asks run `runId` to cancel (POST /v1/runs/:runId/cancel): the durable operation it awaits
   * rejects with CancelledError, it may clean up, and it ends "cancelled".
   */
  async cancel(runId: string, options: { signal?: AbortSignal } = {}): Promise<CancelResult> {
    const response = await this.#request(`${this.#runPath(runId)}/cancel`, {
      method: "POST",
      headers: { accept: "application/json" },
      signal: options.signal,
    });
    return (await jsonFromResponse(response)) as CancelResult;
  }

  /** The run's journal (GET /v1/runs/:runId/journal): every recorded durable operation, in order. */
  async getJournal(runId: string, options: { signal?: AbortSignal } = {}): Promise<RunJournal> {
    const response = await this.#request(`${this.#runPath(runId)}/journal`, {
      method: "GET",
      headers: { accept: "application/json" },
      signal: options.signal,
    });
    return (await jsonFromResponse(response)) as RunJournal;
  }

  #runPath(runId: string): string {
    return `/v1/runs/${encodeURIComponent(runId)}`;
  }

  #post(
    service: string,
    handler: string,
    input: unknown,
    options: InvokeOptions,
    accept: string,
    query: Record<string, string> = {},
  ): Promise<Response> {
    const params = new URLSearchParams(query);
    if (options.timeoutMs !== undefined) params.set("timeoutMs", String(options.timeoutMs));
    const search = params.size ? `?${params}` : "";
    return this.#request(`/v1/services/${encodeURIComponent(service)}/${encodeURIComponent(handler)}${search}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept,
        ...(options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {}),
        ...options.headers,
      },
      // undefined travels as JSON null, like a worker's empty result.
      body: JSON.stringify(input ?? null),
      signal: options.signal,
    });
  }

  /** fetch with the client's headers; network failures and non-2xx answers become Agnt5ClientError. */
  async #request(
    path: string,
    init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal | undefined },
  ): Promise<Response> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: init.method,
        headers: { ...this.#headers, ...init.headers },
        ...(init.body === undefined ? {} : { body: init.body }),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (error) {
      // A caller's abort stays an abort; anything else means the gateway could not be reached.
      if (init.signal?.aborted) throw init.signal.reason ?? error;
      throw new Agnt5ClientError({
        message: `Could not reach the AGNT5 gateway at ${url}: ${(error as Error).message}`,
        status: 0,
        code: "NETWORK_ERROR",
        cause: error,
      });
    }
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
