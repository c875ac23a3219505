import { Agnt5Error, TerminalError } from "@agnt5/core";

/**
 * A provider's API answered with an error (or could not be reached). `isRetryable` is data: 408,
 * 409, 429 and 5xx (and a provider's "overloaded") are retryable by default, auth and invalid
 * requests are not; an adapter may override it. The retry loop reads only this flag.
 */
export class LlmApiError extends Agnt5Error {
  readonly provider: string;
  readonly statusCode: number | undefined;
  readonly isRetryable: boolean;
  /** From a Retry-After (or retry-after-ms) header, when the provider sent one. */
  readonly retryAfterMs: number | undefined;
  readonly url: string | undefined;
  readonly responseBody: string | undefined;

  constructor(options: {
    message: string;
    provider: string;
    statusCode?: number;
    isRetryable?: boolean;
    retryAfterMs?: number;
    url?: string;
    responseBody?: string;
    code?: string;
    cause?: unknown;
  }) {
    super({
      message: options.message,
      code: options.code ?? codeForStatus(options.statusCode),
      cause: options.cause,
      details: { provider: options.provider, statusCode: options.statusCode },
    });
    this.provider = options.provider;
    this.statusCode = options.statusCode;
    this.isRetryable = options.isRetryable ?? isRetryableStatus(options.statusCode);
    this.retryAfterMs = options.retryAfterMs;
    this.url = options.url;
    this.responseBody = options.responseBody;
  }
}

export function isRetryableStatus(status: number | undefined): boolean {
  // No status: the request never got an answer (connection reset, DNS): worth another try.
  if (status === undefined) return true;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function codeForStatus(status: number | undefined): string {
  if (status === undefined) return "LLM_CONNECTION_ERROR";
  if (status === 401 || status === 403) return "LLM_AUTHENTICATION_ERROR";
  if (status === 429) return "LLM_RATE_LIMITED";
  if (status === 400 || status === 404 || status === 422) return "LLM_INVALID_REQUEST";
  if (status >= 500) return "LLM_SERVER_ERROR";
  return "LLM_API_ERROR";
}

/** The model's answer could not be understood (broken SSE, missing fields, invalid tool JSON). */
export class LlmResponseError extends Agnt5Error {
  constructor(message: string, options: { cause?: unknown; provider?: string } = {}) {
    super({ message, code: "LLM_INVALID_RESPONSE", cause: options.cause, details: { provider: options.provider } });
  }
}

/** Structured output that does not parse or does not match its schema. */
export class LlmStructuredOutputError extends Agnt5Error {
  readonly text: string;
  /** The schema's validation issues ({ path, message }[] from generateObject), when the JSON parsed. */
  readonly issues: unknown;
  constructor(message: string, text: string, options: { cause?: unknown; issues?: unknown } = {}) {
    super({ message, code: "LLM_STRUCTURED_OUTPUT", cause: options.cause, details: { issues: options.issues } });
    this.text = text;
    this.issues = options.issues;
  }
}

/** A model string names a provider or model that cannot be resolved (with the install hint). */
export class NoSuchModelError extends Agnt5Error {
  constructor(message: string) {
    super({ message, code: "LLM_NO_SUCH_MODEL" });
  }
}

/**
 * A request an adapter cannot send as written: a tool or tool choice it cannot express, a reserved
 * tool name, a provider option of the wrong type, prompt and messages both given, ... Every adapter
 * throws this one class for such misuse, before any request goes out. Terminal (code
 * INVALID_ARGUMENT, `isRetryable` false): no retry, step retry or fallback can fix it.
 */
export class LlmInvalidArgumentError extends TerminalError {
  readonly provider: string | undefined;
  readonly isRetryable = false;

  constructor(message: string, options: { provider?: string; cause?: unknown } = {}) {
    super(message, {
      code: "INVALID_ARGUMENT",
      cause: options.cause,
      ...(options.provider === undefined ? {} : { details: { provider: options.provider } }),
    });
    this.provider = options.provider;
  }

  /** true for an LlmInvalidArgumentError from any copy of this package. */
  static override isInstance(error: unknown): error is LlmInvalidArgumentError {
    return TerminalError.isInstance(error) && error.name === "LlmInvalidArgumentError";
  }
}
