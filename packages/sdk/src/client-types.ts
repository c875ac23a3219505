import type { CaSource } from "./ca-fetch.js";

/** The Client's option and result types (client.ts has the methods). */

export interface ClientOptions {
  /** Sent with every request (e.g. a header a proxy in front of the gateway needs). */
  headers?: Record<string, string>;
  /**
   * An API key, sent as `Authorization: Bearer <apiKey>`. Default: AGNT5_API_KEY when set (Node).
   * A coordinator outside dev mode answers 401 UNAUTHENTICATED without one.
   */
  apiKey?: string;
  /** A fetch implementation; default the global one. */
  fetch?: typeof fetch;
  /**
   * The CA (PEM text or bytes, or `{ file }`) that signed an https:// gateway's certificate, for a
   * private CA; it replaces the system's CAs for this client. Default: AGNT5_TLS_CA_FILE when set
   * (Node). Not used with a `fetch` of your own.
   */
  ca?: CaSource;
  /**
   * The service that `invoke(definition, input)`, `submit(definition, ...)` and `stream(definition, ...)`
   * call when their options name none (a definition does not know which service registers it).
   */
  service?: string;
  /**
   * The gateway's body limit (the coordinator's AGNT5_MAX_BODY_BYTES, default 10 MiB): a request whose
   * body is larger is not sent, and fails with PAYLOAD_TOO_LARGE naming its size and the limit.
   * `Infinity` leaves the check to the gateway.
   */
  maxBodyBytes?: number;
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
