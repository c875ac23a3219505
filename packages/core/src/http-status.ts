/**
 * The HTTP status for each error code a caller can get over HTTP, shared by the coordinator's gateway
 * and the SDK's HTTP runtime so the same code never answers with two statuses. Codes not listed
 * (handler failures: HANDLER_ERROR, TERMINAL, WORKER_LOST, a handler's own codes) are 500.
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<string, number>> = Object.freeze({
  INVALID_REQUEST: 400,
  INVALID_JSON: 400,
  INVALID_BASE64: 400,
  INVALID_INPUT: 400,
  INVALID_ID: 400,
  SERVICE_NOT_FOUND: 404,
  HANDLER_NOT_FOUND: 404,
  COMPONENT_NOT_FOUND: 404,
  INVOCATION_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  WORKFLOW_NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  ENTITY_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  // A missing, unknown, revoked or malformed API key (with WWW-Authenticate: Bearer).
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RUN_FINISHED: 409,
  RUN_ID_CONFLICT: 409,
  RUN_NOT_PAUSABLE: 409,
  RUN_NOT_RETRYABLE: 409,
  NO_PENDING_APPROVAL: 409,
  AMBIGUOUS_WORKFLOW: 409,
  AMBIGUOUS_AGENT: 409,
  SERVICE_HAS_WORKERS: 409,
  // A session whose retention says immutable refuses prune and delete (@agnt5/adk's agnt5.session entity).
  SESSION_IMMUTABLE: 409,
  // Not 499 (nginx's "client closed request", which no client ever reads): a conflict with the
  // invocation's state, the same everywhere.
  CANCELLED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REQUEST_TIMEOUT: 408,
  // A caller over its AGNT5_RATE_LIMIT_PER_MINUTE; Retry-After says when its window resets.
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
});

/** The status for `code`: from HTTP_STATUS_BY_CODE, else 500 (a handler's failure). */
export function httpStatusForCode(code: string): number {
  return Object.hasOwn(HTTP_STATUS_BY_CODE, code) ? (HTTP_STATUS_BY_CODE[code] as number) : 500;
}
