import { encodeJson } from "@agnt5/core";
import { Agnt5ClientError } from "./client-error.js";
import { errorFromResponse, INVOCATION_ID_HEADER, jsonFromResponse } from "./client-response.js";
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
