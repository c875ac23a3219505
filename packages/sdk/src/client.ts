import type { Session, SessionOptions } from "@agnt5/adk";
import type { AnyEntityDefinition, UntypedEntityProxy } from "@agnt5/core";
import type { AgentInput, AgentRef, AgentRunResult, RunAgentOptions, StartAgentOptions } from "./client-agents.js";
import { callEntityMethod, getEntityState, postToHandler, streamFromHandler } from "./client-calls.js";
import {
  type AnyWorkflow,
  type ClientEntityProxy,
  callTarget,
  type DefinitionArgs,
  type DefinitionCallOptions,
  type DefinitionOutput,
  type StreamingFunctionDefinition,
  type ValueFunctionDefinition,
} from "./client-definitions.js";
import { Agnt5ClientError } from "./client-error.js";
import { INVOCATION_ID_HEADER, jsonFromResponse } from "./client-response.js";
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
import {
  decideApproval,
  getRunInfo,
  getRunJournal,
  requestCancel,
  runResult,
  sendSignal,
  startAgentRun,
  startWorkflowRun,
} from "./client-runs.js";
import { ServiceClient } from "./client-service.js";
import { base64Json, fromBase64Json, type GatewayRequest, GatewayTransport } from "./client-transport.js";
import type {
  CallRequest,
  ClientOptions,
  EntityInfo,
  InvocationInfo,
  InvokeOptions,
  StreamOptions,
  WaitOptions,
} from "./client-types.js";
import { waitForInvocation } from "./client-wait.js";

export type { DefinitionCallOptions } from "./client-definitions.js";
export type {
  CallRequest,
  ClientOptions,
  EntityInfo,
  InvocationError,
  InvocationInfo,
  InvocationStatus,
  InvokeOptions,
  StreamOptions,
  WaitOptions,
} from "./client-types.js";

/**
 * Calls components through the coordinator's HTTP gateway.
 *
 * @example
 * const client = new Client("http://localhost:8080");
 * const greeting = await client.invoke("hello-service", "greet", "Alice");
 *
 * // Typed by the imported definitions: input checked, output inferred.
 * const hello = client.service("hello-service");
 * const typed = await hello.invoke(greet, "Alice"); // string
 * await client.entity(ShoppingCart, "cart-42").add_item({ sku: "apple", qty: 2 });
 *
 * // Durable workflows: start by run id (idempotent), then follow, signal, approve or cancel the run.
 * const { runId } = await client.startWorkflow("checkout", { orderId: "o-1" }, { runId: "order-o-1" });
 * await client.signal(runId, "payment_confirmed", { amount: 42 });
 * const receipt = await client.workflowResult(runId, { timeoutMs: 30_000 });
 */
export class Client {
  /** The gateway's URL (the first, when several are given). */
  readonly baseUrl: string;
  /** Every gateway URL, in the order given. */
  readonly baseUrls: readonly string[];
  readonly #transport: GatewayTransport;
  readonly #service: string | undefined;

  /**
   * `baseUrl`: the gateway, or several coordinator replicas' gateways (an array, or one string
   * with comma-separated URLs). A request that cannot reach one (nothing sent) goes to the next; a
   * request whose connection broke after it was sent is repeated elsewhere only when that is safe
   * (a GET, or a call with an idempotencyKey), otherwise it fails with OUTCOME_UNKNOWN.
   */
  constructor(baseUrl: string | readonly string[] = "http://localhost:8080", options: ClientOptions = {}) {
    const apiKey = options.apiKey ?? apiKeyFromEnv();
    this.#transport = new GatewayTransport(baseUrl, {
      ...options,
      headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...options.headers },
    });
    this.baseUrl = this.#transport.baseUrl;
    this.baseUrls = this.#transport.baseUrls;
    this.#service = options.service;
  }

  /** The calls of service `name`, typed by its imported definitions: `client.service("hello").invoke(greet, "Alice")`. */
  service(name: string): ServiceClient {
    return new ServiceClient(this, name);
  }

  /** The seed's call(): POST /call with base64 JSON input; returns the decoded output. */
  async call<Output = unknown>(request: CallRequest): Promise<Output> {
    const inputData = request.inputData ?? base64Json(request.input);
    const response = await this.#request("/call", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ serviceName: request.serviceName, handlerName: request.handlerName, inputData }),
      signal: request.signal,
    });
    const body = (await jsonFromResponse(response)) as { output?: unknown; outputData?: string } | undefined;
    if (body && "output" in body) return body.output as Output;
    if (body?.outputData) return fromBase64Json(body.outputData) as Output;
    return undefined as Output;
  }

  /**
   * Runs a function and waits for its output (POST /v1/services/:service/:handler): by names, or by
   * its imported definition (input and output typed by it; the service from `options.service`, else
   * the Client's `service` option).
   */
  invoke<D extends ValueFunctionDefinition>(
    definition: D,
    ...args: DefinitionArgs<D, InvokeOptions & DefinitionCallOptions>
  ): Promise<DefinitionOutput<D>>;
  invoke<Output = unknown>(service: string, handler: string, input?: unknown, options?: InvokeOptions): Promise<Output>;
  async invoke(first: string | ValueFunctionDefinition, ...rest: unknown[]): Promise<unknown> {
    const call = callTarget("invoke", first, rest, this.#service);
    const response = await postToHandler(
      this.#transport,
      call.service,
      call.handler,
      call.input,
      call.options,
      "application/json",
    );
    return jsonFromResponse(response);
  }

  /** Starts a function without waiting (`?mode=async`); poll with getInvocation() or waitForResult(). */
  submit<D extends ValueFunctionDefinition>(
    definition: D,
    ...args: DefinitionArgs<D, InvokeOptions & DefinitionCallOptions>
  ): Promise<{ invocationId: string }>;
  submit(service: string, handler: string, input?: unknown, options?: InvokeOptions): Promise<{ invocationId: string }>;
  async submit(first: string | ValueFunctionDefinition, ...rest: unknown[]): Promise<{ invocationId: string }> {
    const { service, handler, input, options } = callTarget("submit", first, rest, this.#service);
    const response = await postToHandler(this.#transport, service, handler, input, options, "application/json", {
      mode: "async",
    });
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
    return waitForInvocation((id) => this.getInvocation<Output>(id, options), invocationId, options);
  }

  /**
   * Runs a streaming handler and yields its chunks as they arrive. Throws Agnt5ClientError when the
   * stream reports an error, or ends without saying it is done. Breaking out of the loop closes
   * the response.
   */
  stream<D extends StreamingFunctionDefinition>(
    definition: D,
    ...args: DefinitionArgs<D, StreamOptions & DefinitionCallOptions>
  ): AsyncIterable<DefinitionOutput<D>>;
  stream<Chunk = unknown>(
    service: string,
    handler: string,
    input?: unknown,
    options?: StreamOptions,
  ): AsyncIterable<Chunk>;
  stream(first: string | StreamingFunctionDefinition, ...rest: unknown[]): AsyncIterable<unknown> {
    const { service, handler, input, options } = callTarget("stream", first, rest, this.#service);
    return streamFromHandler(this.#transport, service, handler, input, options as StreamOptions);
  }

  // --- sessions --------------------------------------------------------------------------------

  /**
   * A Session on the coordinator, reached through this client: every call is a method of its
   * `agnt5.session` entity (POST /v1/entities/agnt5.session/<id>/<method>), so it reads and writes
   * what agents on workers read and write. Errors are Agnt5ClientErrors (SESSION_IMMUTABLE, ...).
   * Async because @agnt5/adk is loaded on first use: the Client alone (@agnt5/sdk/client) must
   * not load zod and the agent kit into a web app that never opens a session.
   */
  async session(options: Omit<SessionOptions, "store" | "ctx">): Promise<Session> {
    const { Session } = await import("@agnt5/adk");
    return new Session({
      ...options,
      store: {
        journaled: false,
        call: (definition, key, method, input) => this.invokeEntity(definition, key, method, input ?? null),
      },
    });
  }

  // --- entities --------------------------------------------------------------------------------

  /**
   * Entity `type` / `key` with its methods as functions (each one invokeEntity()): typed by an
   * imported definition, as `ctx.entity(Def, key)` is in handlers.
   */
  entity<D extends AnyEntityDefinition>(definition: D, key: string, options?: InvokeOptions): ClientEntityProxy<D>;
  entity(type: string, key: string, options?: InvokeOptions): UntypedEntityProxy;
  entity(first: string | AnyEntityDefinition, key: string, options: InvokeOptions = {}): unknown {
    const type = typeof first === "string" ? first : first.name;
    return new Proxy(
      {},
      {
        get: (_target, method) =>
          typeof method === "string" && method !== "then"
            ? (input?: unknown) => this.invokeEntity(type, key, method, input, options)
            : undefined,
      },
    );
  }

  /**
   * Calls method `method` of entity `type` / `key` and waits for its output
   * (POST /v1/entities/:type/:key/:method, same options as invoke()). Writes of one key run one at
   * a time, in arrival order; shared methods run at once on the last committed state.
   */
  invokeEntity<Output = unknown>(
    type: string | AnyEntityDefinition,
    key: string,
    method: string,
    input?: unknown,
    options: InvokeOptions = {},
  ): Promise<Output> {
    return callEntityMethod<Output>(this.#transport, type, key, method, input, options);
  }

  /** The committed state of entity `type` / `key` (GET /v1/entities/:type/:key). */
  getEntity<State extends Record<string, unknown> = Record<string, unknown>>(
    type: string,
    key: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<EntityInfo<State>> {
    return getEntityState<State>(this.#transport, type, key, options.signal);
  }

  // --- workflow runs ---------------------------------------------------------------------------

  /**
   * Starts a run of workflow `name` (POST /v1/workflows/:name/runs) and returns at once. With a
   * `runId`, starting again returns the existing run (`created: false`) instead of a second one.
   */
  startWorkflow<D extends AnyWorkflow>(
    definition: D,
    ...args: DefinitionArgs<D, StartWorkflowOptions>
  ): Promise<StartedRun>;
  startWorkflow(name: string, input?: unknown, options?: StartWorkflowOptions): Promise<StartedRun>;
  startWorkflow(
    workflow: string | AnyWorkflow,
    input?: unknown,
    options: StartWorkflowOptions = {},
  ): Promise<StartedRun> {
    return startWorkflowRun(this.#transport, workflow, input, options);
  }

  /** Starts workflow `name` and waits for its output: startWorkflow() then workflowResult(). */
  runWorkflow<D extends AnyWorkflow>(
    definition: D,
    ...args: DefinitionArgs<D, RunWorkflowOptions>
  ): Promise<DefinitionOutput<D>>;
  runWorkflow<Output = unknown>(name: string, input?: unknown, options?: RunWorkflowOptions): Promise<Output>;
  async runWorkflow(
    workflow: string | AnyWorkflow,
    input?: unknown,
    options: RunWorkflowOptions = {},
  ): Promise<unknown> {
    const { timeoutMs, ...start } = options;
    const name = typeof workflow === "string" ? workflow : workflow.name;
    const { runId } = await this.startWorkflow(name, input, start);
    return this.workflowResult(runId, {
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  // --- agent runs -------------------------------------------------------------------------------

  /**
   * Starts a durable run of agent `agent` (POST /v1/agents/:name/runs; a name or an Agent) and
   * returns at once; follow it with the run methods (getRun, workflowResult, approve, cancel).
   * With a `runId`, starting again returns the existing run (`created: false`).
   */
  startAgent(agent: AgentRef, input: AgentInput, options: StartAgentOptions = {}): Promise<StartedRun> {
    return startAgentRun(this.#transport, agent, input, options);
  }

  /** Starts agent `agent` and waits for its AgentResult: startAgent() then workflowResult(). */
  async runAgent<O = string>(
    agent: AgentRef,
    input: AgentInput,
    options: RunAgentOptions = {},
  ): Promise<AgentRunResult<O>> {
    const { timeoutMs, ...start } = options;
    const { runId } = await this.startAgent(agent, input, start);
    return this.workflowResult<AgentRunResult<O>>(runId, {
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** GET /v1/runs/:runId: status, attempt, current step, and the output or error once it ended. */
  getRun<Output = unknown>(runId: string, options: { signal?: AbortSignal } = {}): Promise<RunInfo<Output>> {
    return getRunInfo<Output>(this.#transport, runId, options.signal);
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
  workflowResult<Output = unknown>(runId: string, options: WorkflowResultOptions = {}): Promise<Output> {
    return runResult<Output>(this.#transport, runId, options);
  }

  /**
   * Sends signal `name` to run `runId` (POST /v1/runs/:runId/signals/:name, body = the payload as
   * JSON): it resumes the run's `ctx.signal(name)`, or waits in its mailbox until one asks for it.
   */
  signal(
    runId: string,
    name: string,
    payload?: unknown,
    options: { signal?: AbortSignal } = {},
  ): Promise<SignalResult> {
    return sendSignal(this.#transport, runId, name, payload, options.signal);
  }

  /**
   * Decides the run's pending `ctx.human.approval(name)` (POST /v1/runs/:runId/approvals/:name).
   * The gateway checks the roles of the client's API key against the approval's requiredRoles
   * (FORBIDDEN without one) and records the key's name as `by`; only a coordinator in dev mode reads
   * `by` and `roles` from the request (roles travel in the x-agnt5-roles header). It answers
   * NO_PENDING_APPROVAL when nothing waits.
   */
  approve(runId: string, name: string, request: ApprovalRequest): Promise<ApprovalResult> {
    return decideApproval(this.#transport, runId, name, request);
  }

  /**
   * Asks run `runId` to cancel (POST /v1/runs/:runId/cancel): the durable operation it awaits
   * rejects with CancelledError, it may clean up, and it ends "cancelled".
   */
  cancel(runId: string, options: { signal?: AbortSignal } = {}): Promise<CancelResult> {
    return requestCancel(this.#transport, runId, options.signal);
  }

  /** The run's journal (GET /v1/runs/:runId/journal): every recorded durable operation, in order. */
  getJournal(runId: string, options: { signal?: AbortSignal } = {}): Promise<RunJournal> {
    return getRunJournal(this.#transport, runId, options.signal);
  }

  /** fetch with the client's headers; a body over maxBodyBytes, network failures and non-2xx answers become Agnt5ClientError. */
  #request(path: string, init: GatewayRequest): Promise<Response> {
    return this.#transport.request(path, init);
  }
}

/** AGNT5_API_KEY, where there is a process environment (not in a browser). */
function apiKeyFromEnv(): string | undefined {
  const key = typeof process === "undefined" ? undefined : process.env?.AGNT5_API_KEY?.trim();
  return key || undefined;
}
