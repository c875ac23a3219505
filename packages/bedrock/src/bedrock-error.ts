/**
 * One place that turns whatever the AWS SDK throws into the contract's errors:
 *
 * - a Bedrock service exception (HTTP error, or a modeled exception event inside a ConverseStream)
 *   becomes an LlmApiError with `statusCode` from `$metadata.httpStatusCode` (for exceptions that
 *   arrive inside a 200 stream: the status Bedrock documents for that exception) and `isRetryable`
 *   from the table below, falling back to the status (408/409/429/5xx);
 * - a connection that failed or broke (refused, reset, truncated event stream) becomes an
 *   LlmApiError without a status, which is retryable;
 * - credentials the SDK cannot find or use become a non-retryable LlmApiError;
 * - a body that does not parse becomes an LlmResponseError;
 * - aborts are passed through unchanged (the caller asked for them: nothing to retry).
 */
import { LlmApiError, LlmResponseError, parseRetryAfterMs } from "@agnt5/llm";

/** What Bedrock answers each exception with, for exceptions that carry no HTTP status (stream events). */
const STATUS_BY_EXCEPTION: Readonly<Record<string, number>> = {
  AccessDeniedException: 403,
  ConflictException: 400,
  InternalServerException: 500,
  ModelErrorException: 424,
  ModelNotReadyException: 429,
  ModelStreamErrorException: 424,
  ModelTimeoutException: 408,
  ResourceNotFoundException: 404,
  ServiceQuotaExceededException: 400,
  ServiceUnavailableException: 503,
  ThrottlingException: 429,
  ValidationException: 400,
};

/** Exceptions whose retryability is not what their status alone says. */
const RETRYABLE_BY_EXCEPTION: Readonly<Record<string, boolean>> = {
  ThrottlingException: true,
  ServiceUnavailableException: true,
  InternalServerException: true,
  ModelNotReadyException: true,
  // "An error occurred while streaming the response. Retry your request." (424)
  ModelStreamErrorException: true,
  ModelTimeoutException: true,
  AccessDeniedException: false,
  ValidationException: false,
  ResourceNotFoundException: false,
  ServiceQuotaExceededException: false,
  ModelErrorException: false,
  UnrecognizedClientException: false,
  ExpiredTokenException: false,
  InvalidSignatureException: false,
};

const NETWORK_ERROR_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
]);

const NETWORK_MESSAGE =
  /socket hang up|premature close|truncated event message|ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN/i;

interface ServiceExceptionLike {
  name: string;
  message: string;
  $fault: "client" | "server";
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { headers?: Record<string, string | undefined> };
  $retryable?: unknown;
}

function isServiceException(error: unknown): error is ServiceExceptionLike {
  return (
    error instanceof Error &&
    "$fault" in error &&
    ((error as { $fault?: unknown }).$fault === "client" || (error as { $fault?: unknown }).$fault === "server")
  );
}

/** true for the SDK's (and the platform's) abort errors. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || (error as { code?: unknown }).code === "ABORT_ERR");
}

export interface BedrockErrorContext {
  provider: string;
  /** Where the call went, e.g. "/model/{modelId}/converse". */
  url?: string;
  /** The exception arrived as an event inside a ConverseStream answered with 200. */
  inStream?: boolean;
}

/** Maps anything the SDK threw to LlmApiError / LlmResponseError (aborts are returned unchanged). */
export function toLlmError(error: unknown, context: BedrockErrorContext): unknown {
  // Already one of ours (any Agnt5Error, from any copy of the package): keep it.
  if (LlmApiError.isInstance(error)) return error;
  if (isAbortError(error)) return error;

  // A service exception, or an event-stream error the SDK could not model, named like one
  // ("throttlingException", "InternalFailure"...).
  const exceptionName = isServiceException(error) ? error.name : knownExceptionName(error);
  if (exceptionName !== undefined) {
    const exception = error as Partial<ServiceExceptionLike> & Error;
    const httpStatus = exception.$metadata?.httpStatusCode;
    const statusCode =
      context.inStream || httpStatus === undefined || httpStatus < 400
        ? STATUS_BY_EXCEPTION[exceptionName]
        : httpStatus;
    const isRetryable =
      RETRYABLE_BY_EXCEPTION[exceptionName] ??
      (exception.$retryable !== undefined
        ? true
        : statusCode === undefined
          ? false
          : isRetryableStatusCode(statusCode));
    const requestId = exception.$metadata?.requestId;
    return new LlmApiError({
      message: `Bedrock ${exceptionName}${statusCode === undefined ? "" : ` (${statusCode})`}: ${exception.message}${
        requestId ? ` [request id ${requestId}]` : ""
      }`,
      provider: context.provider,
      statusCode,
      isRetryable,
      retryAfterMs: parseRetryAfterMs(exception.$response?.headers),
      url: context.url,
      responseBody: JSON.stringify({ __type: exceptionName, message: exception.message }),
      cause: error,
    });
  }

  if (error instanceof Error) {
    if (error.name === "CredentialsProviderError" || error.name === "TokenProviderError") {
      return new LlmApiError({
        message: `Bedrock: no usable AWS credentials: ${error.message}`,
        provider: context.provider,
        isRetryable: false,
        code: "LLM_AUTHENTICATION_ERROR",
        url: context.url,
        cause: error,
      });
    }
    if (isNetworkError(error)) {
      return new LlmApiError({
        message: `Bedrock: connection failed: ${error.message}`,
        provider: context.provider,
        isRetryable: true,
        url: context.url,
        cause: error,
      });
    }
    if (error instanceof SyntaxError || error.name === "SyntaxError") {
      return new LlmResponseError(`Bedrock: the response could not be parsed: ${error.message}`, {
        cause: error,
        provider: context.provider,
      });
    }
  }
  // Anything else (a configuration error such as a missing region, a bug): not worth a retry.
  return new LlmApiError({
    message: `Bedrock: ${error instanceof Error ? error.message : String(error)}`,
    provider: context.provider,
    isRetryable: false,
    code: "LLM_API_ERROR",
    url: context.url,
    cause: error,
  });
}

/** "throttlingException" (an event's name) → "ThrottlingException", when it is one Bedrock documents. */
function knownExceptionName(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name === "") return undefined;
  const name = error.name[0]!.toUpperCase() + error.name.slice(1);
  return name in STATUS_BY_EXCEPTION ? name : undefined;
}

function isRetryableStatusCode(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function isNetworkError(error: Error): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (NETWORK_ERROR_CODES.has(code) || code.startsWith("ERR_HTTP2_"))) return true;
    if (NETWORK_MESSAGE.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}
