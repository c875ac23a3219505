/**
 * The Client's calls of a handler (POST /v1/services/:service/:handler) and of an entity method
 * (/v1/entities/:type/:key/...), over the gateway transport: the request each method sends, and the
 * reading of a streamed answer. Client keeps the public overloads and docs and calls these.
 */
import type { AnyEntityDefinition } from "@agnt5/core";
import { Agnt5ClientError } from "./client-error.js";
import { INVOCATION_ID_HEADER, jsonFromResponse } from "./client-response.js";
import type { GatewayTransport } from "./client-transport.js";
import type { EntityInfo, InvokeOptions, StreamOptions } from "./client-types.js";
import { readNdjsonEnvelopes, readSseEnvelopes, type StreamEnvelope } from "./stream-envelopes.js";

/** `?timeoutMs=…` (and `query`) when any is set, else "". */
function searchOf(options: InvokeOptions, query: Record<string, string> = {}): string {
  const params = new URLSearchParams(query);
  if (options.timeoutMs !== undefined) params.set("timeoutMs", String(options.timeoutMs));
  return params.size ? `?${params}` : "";
}

/** The headers of a call with a JSON body: idempotency key and the caller's own headers. */
function callHeaders(options: InvokeOptions, accept: string): Record<string, string> {
  return {
    "content-type": "application/json",
    accept,
    ...(options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {}),
    ...options.headers,
  };
}

/** POST /v1/services/:service/:handler with the input as JSON, accepting `accept`. */
export function postToHandler(
  transport: GatewayTransport,
  service: string,
  handler: string,
  input: unknown,
  options: InvokeOptions,
  accept: string,
  query: Record<string, string> = {},
): Promise<Response> {
  const path = `/v1/services/${encodeURIComponent(service)}/${encodeURIComponent(handler)}`;
  return transport.request(`${path}${searchOf(options, query)}`, {
    method: "POST",
    headers: callHeaders(options, accept),
    // undefined travels as JSON null, like a worker's empty result.
    body: JSON.stringify(input ?? null),
    signal: options.signal,
  });
}

/**
 * A streaming handler's chunks as they arrive (NDJSON, or SSE with `format: "sse"`). Throws
 * Agnt5ClientError when the stream reports an error, or ends without saying it is done.
 */
export async function* streamFromHandler(
  transport: GatewayTransport,
  service: string,
  handler: string,
  input: unknown,
  options: StreamOptions,
): AsyncIterable<unknown> {
  const sse = options.format === "sse";
  const response = await postToHandler(
    transport,
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
    yield await jsonFromResponse(response);
    return;
  }
  if (!response.body) return;
  const envelopes = contentType.includes("text/event-stream")
    ? readSseEnvelopes(response.body)
    : readNdjsonEnvelopes(response.body);
  for await (const envelope of envelopes as AsyncIterable<StreamEnvelope>) {
    if (envelope.type === "chunk") yield envelope.data;
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

const entityPath = (type: string, key: string) => `/v1/entities/${encodeURIComponent(type)}/${encodeURIComponent(key)}`;

/** POST /v1/entities/:type/:key/:method with the input as JSON; the method's output. */
export async function callEntityMethod<Output>(
  transport: GatewayTransport,
  type: string | AnyEntityDefinition,
  key: string,
  method: string,
  input: unknown,
  options: InvokeOptions,
): Promise<Output> {
  const entityType = typeof type === "string" ? type : type.name;
  const response = await transport.request(
    `${entityPath(entityType, key)}/${encodeURIComponent(method)}${searchOf(options)}`,
    {
      method: "POST",
      headers: callHeaders(options, "application/json"),
      body: JSON.stringify(input ?? null),
      signal: options.signal,
    },
  );
  return (await jsonFromResponse(response)) as Output;
}

/** GET /v1/entities/:type/:key: the committed state. */
export async function getEntityState<State extends Record<string, unknown>>(
  transport: GatewayTransport,
  type: string,
  key: string,
  signal: AbortSignal | undefined,
): Promise<EntityInfo<State>> {
  const response = await transport.request(entityPath(type, key), {
    method: "GET",
    headers: { accept: "application/json" },
    signal,
  });
  return (await jsonFromResponse(response)) as EntityInfo<State>;
}
