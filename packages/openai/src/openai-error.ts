import { Agnt5Error } from "@agnt5/core";
import { LlmApiError, LlmResponseError, parseRetryAfterMs } from "@agnt5/llm";
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";

export interface ErrorContext {
  provider: string;
  url?: string | undefined;
  abortSignal?: AbortSignal;
}

/**
 * Maps whatever the SDK (or fetch underneath it) threw to an @agnt5/llm error:
 *
 * - the caller's abort (APIUserAbortError, or any failure once the signal is aborted) → the
 *   signal's own reason, as fetch does and as the other adapters do (LlmApiError LLM_ABORTED only
 *   when there is no signal to take a reason from);
 * - an HTTP error (APIError with a status) → LlmApiError with statusCode, responseBody, retryAfterMs
 *   and isRetryable from the status (408/409/429/5xx) unless the server sent `x-should-retry`;
 * - a timeout / connection failure (no status) and a connection cut mid-stream → LlmApiError
 *   without statusCode, retryable (LLM_TIMEOUT / LLM_CONNECTION_ERROR);
 * - an `error` object sent inside the SSE stream → LlmApiError without statusCode (retryable unless
 *   its type says the request itself is wrong);
 * - anything else (a garbage SSE line, a body that is not JSON, ...) → LlmResponseError.
 *
 * Errors that already are AGNT5 errors pass through unchanged.
 */
export function toLlmError(error: unknown, context: ErrorContext): unknown {
  const { provider, url, abortSignal } = context;
  if (Agnt5Error.isInstance(error)) return error;

  if (error instanceof APIUserAbortError || abortSignal?.aborted === true || isAbortError(error)) {
    return abortedError(context, error);
  }

  if (error instanceof APIConnectionTimeoutError) {
    return new LlmApiError({
      message: `${provider}: request timed out`,
      provider,
      url,
      code: "LLM_TIMEOUT",
      isRetryable: true,
      cause: error,
    });
  }

  if (error instanceof APIConnectionError) {
    return new LlmApiError({
      message: `${provider}: connection failed: ${describeCause(error)}`,
      provider,
      url,
      cause: error,
    });
  }

  if (error instanceof APIError) {
    const status = typeof error.status === "number" ? error.status : undefined;
    if (status === undefined) {
      // An `{"error": ...}` event inside an SSE stream: the SDK gives it no status.
      return new LlmApiError({
        message: `${provider}: ${error.message}`,
        provider,
        url,
        responseBody: error.error === undefined ? undefined : JSON.stringify({ error: error.error }),
        isRetryable: !NON_RETRYABLE_ERROR_TYPES.has(error.type ?? ""),
        cause: error,
      });
    }
    const headers = error.headers instanceof Headers ? error.headers : undefined;
    const shouldRetry = headers?.get("x-should-retry");
    return new LlmApiError({
      message: `${provider}: ${error.message}`,
      provider,
      url,
      statusCode: status,
      retryAfterMs: headers === undefined ? undefined : parseRetryAfterMs(headers),
      responseBody: responseBodyOf(error),
      ...(shouldRetry === "true" || shouldRetry === "false" ? { isRetryable: shouldRetry === "true" } : {}),
      cause: error,
    });
  }

  if (isConnectionLost(error)) {
    return new LlmApiError({
      message: `${provider}: connection lost while reading the response: ${describeCause(error)}`,
      provider,
      url,
      cause: error,
    });
  }

  const message = error instanceof Error ? error.message : String(error);
  return new LlmResponseError(`${provider}: could not read the response: ${message}`, { cause: error, provider });
}

export function abortedError(context: ErrorContext, error?: unknown): unknown {
  if (context.abortSignal?.aborted) return context.abortSignal.reason;
  return new LlmApiError({
    message: `${context.provider}: request aborted`,
    provider: context.provider,
    url: context.url,
    code: "LLM_ABORTED",
    isRetryable: false,
    cause: context.abortSignal?.reason ?? error,
  });
}

/** `type` values of in-stream errors that another attempt will not fix. */
const NON_RETRYABLE_ERROR_TYPES = new Set(["invalid_request_error", "authentication_error", "permission_error"]);

/**
 * The SDK keeps the body's `error` object (JSON bodies) or its text in the message (other bodies),
 * not the raw text; rebuild the body from what it kept.
 */
function responseBodyOf(error: APIError): string | undefined {
  if (error.error !== undefined && error.error !== null) return JSON.stringify({ error: error.error });
  return error.message.replace(/^\d{3} /, "") || undefined;
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

/** undici reports a socket closed mid-body as `TypeError: terminated` (cause: SocketError / ECONNRESET). */
function isConnectionLost(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  if (error.name === "TypeError" && /terminated|fetch failed|network/i.test(error.message)) return true;
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && /^(ECONNRESET|EPIPE|ECONNREFUSED|UND_ERR_SOCKET|UND_ERR_CLOSED)$/.test(code);
}

function describeCause(error: Error): string {
  const cause = error.cause;
  if (cause instanceof Error) {
    const nested = cause.cause instanceof Error ? ` (${cause.cause.message})` : "";
    return `${error.message}: ${cause.message}${nested}`;
  }
  return error.message;
}
