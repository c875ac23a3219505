import { type CaSource, fetchTrustingCa } from "./ca-fetch.js";
import { classifyFetchFailure, parseBaseUrls, safeToRepeat } from "./client-endpoints.js";
import { Agnt5ClientError } from "./client-error.js";
import { errorFromResponse } from "./client-response.js";

/** The coordinator's default AGNT5_MAX_BODY_BYTES (apps/coordinator/src/config.ts): 10 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface GatewayRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
}

const encoder = new TextEncoder();

/**
 * fetch against the gateway with the client's headers. A body over the gateway's limit is refused
 * before it is sent (PAYLOAD_TOO_LARGE, naming its size and the limit); network failures and non-2xx
 * answers become Agnt5ClientError. Web-safe: fetch, TextEncoder, btoa/atob; no Node module.
 *
 * With several base URLs (coordinator replicas), a request goes to the one that answered last; one
 * that cannot reach it (nothing was sent: refused, no such host, connect timeout) goes on to the
 * next, round robin. A request whose connection broke after it was sent goes on only when it is
 * safe to repeat (GET, or an idempotency key); otherwise it fails with OUTCOME_UNKNOWN naming the
 * endpoint, since the gateway may have acted on it.
 */
export class GatewayTransport {
  /** The first base URL. */
  readonly baseUrl: string;
  readonly baseUrls: readonly string[];
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;
  readonly #maxBodyBytes: number;
  /** Index in baseUrls of the endpoint that answered last (where the next request starts). */
  #current = 0;

  constructor(
    baseUrl: string | readonly string[],
    options: { headers?: Record<string, string>; fetch?: typeof fetch; maxBodyBytes?: number; ca?: CaSource },
  ) {
    this.baseUrls = parseBaseUrls(baseUrl);
    this.baseUrl = this.baseUrls[0] as string;
    this.#headers = options.headers ?? {};
    const ca = options.ca ?? caFileFromEnv();
    this.#fetch = options.fetch ?? (ca ? fetchTrustingCa(ca) : (input, init) => fetch(input, init));
    const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!(limit > 0)) throw new RangeError(`maxBodyBytes must be a positive number of bytes, got ${limit}`);
    this.#maxBodyBytes = limit;
  }

  async request(path: string, init: GatewayRequest): Promise<Response> {
    const bodyBytes = init.body === undefined ? 0 : encoder.encode(init.body).byteLength;
    if (bodyBytes > this.#maxBodyBytes) {
      throw new Agnt5ClientError({
        message:
          `The request body of ${init.method} ${path} is ${bodyBytes} bytes, over the gateway's limit of ` +
          `${this.#maxBodyBytes} bytes (the coordinator's AGNT5_MAX_BODY_BYTES; the Client's maxBodyBytes): not sent`,
        status: 413,
        code: "PAYLOAD_TOO_LARGE",
        details: { bodyBytes, maxBodyBytes: this.#maxBodyBytes },
      });
    }
    const headers = { ...this.#headers, ...init.headers };
    const repeatable = safeToRepeat(init.method, headers);
    const count = this.baseUrls.length;
    const start = this.#current;
    const unreachable: string[] = [];
    let lastError: unknown;
    for (let tried = 0; tried < count; tried++) {
      const index = (start + tried) % count;
      const url = `${this.baseUrls[index]}${path}`;
      let response: Response;
      try {
        response = await this.#fetch(url, {
          method: init.method,
          headers,
          ...(init.body === undefined ? {} : { body: init.body }),
          ...(init.signal ? { signal: init.signal } : {}),
        });
      } catch (error) {
        // A caller's abort stays an abort; anything else means this endpoint could not be used.
        if (init.signal?.aborted) throw init.signal.reason ?? error;
        const failure = classifyFetchFailure(error);
        if (failure === "maybe-sent" && !repeatable) throw outcomeUnknown(init.method, path, url, error, bodyBytes);
        if (count === 1 || (failure === "unknown" && !repeatable)) {
          throw new Agnt5ClientError({
            message: `Could not reach the AGNT5 gateway at ${url}: ${describeNetworkError(error)}${uploadHint(error, bodyBytes)}`,
            status: 0,
            code: "NETWORK_ERROR",
            cause: error,
          });
        }
        unreachable.push(`${this.baseUrls[index]}: ${describeNetworkError(error)}`);
        lastError = error;
        continue;
      }
      this.#current = index;
      if (!response.ok) throw await errorFromResponse(response);
      return response;
    }
    throw new Agnt5ClientError({
      message: `Could not reach the AGNT5 gateway at any of its ${count} endpoints for ${init.method} ${path}: ${unreachable.join("; ")}`,
      status: 0,
      code: "NETWORK_ERROR",
      cause: lastError,
    });
  }
}

/** The connection broke after the request went out: the gateway may or may not have carried it out. */
function outcomeUnknown(method: string, path: string, url: string, error: unknown, bodyBytes: number) {
  return new Agnt5ClientError({
    message:
      `The connection to the AGNT5 gateway at ${url} broke after ${method} ${path} was sent ` +
      `(${describeNetworkError(error)}${uploadHint(error, bodyBytes)}): its outcome is unknown, the gateway may ` +
      "have carried it out. Not repeated (on this or another endpoint) because it is not safe to: " +
      "give the call an idempotencyKey to make it repeatable, or look it up before calling again",
    status: 0,
    code: "OUTCOME_UNKNOWN",
    details: { url },
    cause: error,
  });
}

/** AGNT5_TLS_CA_FILE, where there is a process environment (not in a browser). */
function caFileFromEnv(): CaSource | undefined {
  const file = typeof process === "undefined" ? undefined : process.env?.AGNT5_TLS_CA_FILE?.trim();
  return file ? { file } : undefined;
}

/** Node's codes for a certificate the client does not trust (or that names another host). */
const UNTRUSTED_CERTIFICATE = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function describeNetworkError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const described =
    typeof cause?.message === "string" && cause.message !== message ? `${message} (${cause.message})` : message;
  if (typeof cause?.code !== "string" || !UNTRUSTED_CERTIFICATE.has(cause.code)) return described;
  return `${described}; the gateway's TLS certificate is not trusted (${cause.code}): give the Client the CA that signed it (the ca option or AGNT5_TLS_CA_FILE)`;
}

/** A connection closed while a large body was being sent is most likely a gateway refusing its size. */
function uploadHint(error: unknown, bodyBytes: number): string {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  if ((code !== "EPIPE" && code !== "ECONNRESET") || bodyBytes < 64 * 1024) return "";
  return `; the connection closed while the ${bodyBytes}-byte body was being sent: a gateway with a lower body limit than maxBodyBytes refuses it this way`;
}

/** Base64 of the UTF-8 JSON of `value` (undefined travels as ""), as the seed's inputData. */
export function base64Json(value: unknown): string {
  if (value === undefined) return "";
  const bytes = encoder.encode(JSON.stringify(value));
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The JSON value of base64 `data` (the seed's outputData). */
export function fromBase64Json(data: string): unknown {
  const binary = atob(data);
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}
