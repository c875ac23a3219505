/**
 * Errors the coordinator returns to callers: a stable code, a message that names the problem, and
 * the HTTP status taken from ONE table (httpStatusFor) so codes and statuses never drift apart.
 */
export class CoordinatorError extends Error {
  readonly code: string;
  readonly details: unknown;
  readonly invocationId: string | undefined;

  constructor(code: string, message: string, options: { details?: unknown; invocationId?: string } = {}) {
    super(message);
    this.name = "CoordinatorError";
    this.code = code;
    this.details = options.details;
    this.invocationId = options.invocationId;
  }
}

const statusByCode: Record<string, number> = {
  INVALID_REQUEST: 400,
  INVALID_JSON: 400,
  INVALID_BASE64: 400,
  INVALID_INPUT: 400,
  SERVICE_NOT_FOUND: 404,
  HANDLER_NOT_FOUND: 404,
  COMPONENT_NOT_FOUND: 404,
  INVOCATION_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  WORKFLOW_NOT_FOUND: 404,
  ENTITY_NOT_FOUND: 404,
  FORBIDDEN: 403,
  RUN_FINISHED: 409,
  RUN_ID_CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  NO_PENDING_APPROVAL: 409,
  AMBIGUOUS_WORKFLOW: 409,
  SERVICE_HAS_WORKERS: 409,
  ROUTE_NOT_FOUND: 404,
  CANCELLED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
};

/** Handler failures (HANDLER_ERROR, TERMINAL, RETRYABLE exhausted, WORKER_LOST, ...) are 500. */
export function httpStatusFor(code: string): number {
  return statusByCode[code] ?? 500;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; invocationId?: string };
}

export function errorBody(code: string, message: string, details?: unknown, invocationId?: string): ErrorBody {
  return {
    error: {
      code,
      message,
      ...(details === undefined ? {} : { details }),
      ...(invocationId === undefined ? {} : { invocationId }),
    },
  };
}
