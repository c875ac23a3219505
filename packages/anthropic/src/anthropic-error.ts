import {
  isRetryableStatus,
  LlmApiError,
  LlmInvalidArgumentError,
  LlmResponseError,
  parseRetryAfterMs,
} from "@agnt5/llm";
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "@anthropic-ai/sdk";

/**
 * Anthropic's error `type`s (https://docs.claude.com/en/api/errors). A stream can fail after its 200
 * with an SSE `error` event that has a type and no status, so retryability is decided by the type
 * too: `overloaded_error` (HTTP 529) and `api_error` (500) are transient whatever the status says.
 */
const RETRYABLE_ERROR_TYPES = new Set(["overloaded_error", "api_error", "rate_limit_error", "timeout_error"]);

const CODE_FOR_ERROR_TYPE: Record<string, string> = {
  overloaded_error: "LLM_SERVER_ERROR",
  api_error: "LLM_SERVER_ERROR",
  timeout_error: "LLM_SERVER_ERROR",
  rate_limit_error: "LLM_RATE_LIMITED",
  authentication_error: "LLM_AUTHENTICATION_ERROR",
  permission_error: "LLM_AUTHENTICATION_ERROR",
  billing_error: "LLM_AUTHENTICATION_ERROR",
  invalid_request_error: "LLM_INVALID_REQUEST",
  not_found_error: "LLM_INVALID_REQUEST",
  request_too_large: "LLM_INVALID_REQUEST",
};

export interface AnthropicErrorContext {
  provider: string;
  url: string;
  abortSignal?: AbortSignal | undefined;
}

/** true when Anthropic says "try again later": a retryable status, or an overloaded/transient type. */
export function isRetryableAnthropicError(status: number | undefined, type: string | null | undefined): boolean {
  if (type && RETRYABLE_ERROR_TYPES.has(type)) return true;
  // No status and no type: the request never got an answer. A typed stream error is transient only
  // when its type says so.
  if (status === undefined) return !type;
  return isRetryableStatus(status);
}

/** The error to throw for an aborted call: the signal's reason, as fetch does. */
export function abortError(signal: AbortSignal | undefined): unknown {
  if (signal?.aborted && signal.reason !== undefined) return signal.reason;
  return new DOMException("The operation was aborted.", "AbortError");
}

/**
 * Turns whatever the SDK (or the stream under it) threw into an AGNT5 error: `LlmApiError` with
 * data-driven `isRetryable`, `LlmResponseError` for answers that cannot be read, or the abort reason
 * when the caller aborted. Already-converted AGNT5 errors pass through.
 */
export function toLlmError(error: unknown, context: AnthropicErrorContext): unknown {
  if (context.abortSignal?.aborted) return abortError(context.abortSignal);
  if (error instanceof LlmApiError || error instanceof LlmResponseError) return error;
  // Our own refusal of a request we cannot send (checked before anything goes out) stays as it is.
  if (LlmInvalidArgumentError.isInstance(error)) return error;
  if (error instanceof APIUserAbortError) return abortError(undefined);

  if (error instanceof APIConnectionTimeoutError) {
    return new LlmApiError({
      message: `Anthropic request timed out: ${error.message}`,
      provider: context.provider,
      url: context.url,
      isRetryable: true,
      code: "LLM_TIMEOUT",
      cause: error,
    });
  }
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return new LlmApiError({
      message: `Could not reach Anthropic: ${error.message}${cause}`,
      provider: context.provider,
      url: context.url,
      isRetryable: true,
      cause: error,
    });
  }
  if (error instanceof APIError) {
    const status = error.status;
    const type = error.type ?? undefined;
    const detail = error.apiMessage ?? error.message;
    const where = status === undefined ? "in the response stream" : `(HTTP ${status})`;
    return new LlmApiError({
      message: `Anthropic API error ${where}${type ? ` ${type}` : ""}: ${detail}`,
      provider: context.provider,
      url: context.url,
      statusCode: status,
      isRetryable: isRetryableAnthropicError(status, type),
      retryAfterMs: parseRetryAfterMs(status === undefined ? undefined : error.headers),
      responseBody: error.error === undefined ? undefined : JSON.stringify(error.error),
      ...(status === undefined ? { code: (type && CODE_FOR_ERROR_TYPE[type]) || "LLM_API_ERROR" } : {}),
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return new LlmResponseError(`Anthropic sent a stream event that is not JSON: ${error.message}`, {
      cause: error,
      provider: context.provider,
    });
  }
  // Anything else from the SDK before a request goes out (bad options, "streaming is required for
  // long requests") is a programming error: retrying it cannot help.
  return new LlmApiError({
    message: `Anthropic request failed: ${error instanceof Error ? error.message : String(error)}`,
    provider: context.provider,
    url: context.url,
    isRetryable: false,
    code: "LLM_INVALID_REQUEST",
    cause: error,
  });
}

/** The stream's connection broke (or ended early) after its 200: transient, worth another try. */
export function streamBrokenError(cause: unknown, context: AnthropicErrorContext): LlmApiError {
  const reason = cause === undefined ? "it ended before message_stop" : errorMessage(cause);
  return new LlmApiError({
    message: `Anthropic stream broke: ${reason}`,
    provider: context.provider,
    url: context.url,
    isRetryable: true,
    code: "LLM_STREAM_INTERRUPTED",
    cause,
  });
}

function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}
