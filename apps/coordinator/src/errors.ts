import { HTTP_STATUS_BY_CODE, httpStatusForCode } from "@agnt5/core";
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

/** The one code -> status table, shared with the SDK's HTTP runtime (@agnt5/core). */
const statusByCode = HTTP_STATUS_BY_CODE;

/**
 * What each code means, one line, for the exported table (and README's error table, which a test
 * keeps in step with it). A code added to statusByCode without a meaning here fails that test.
 */
const meaningByCode: Record<string, string> = {
  INVALID_REQUEST: "The request is malformed (a field, header, query parameter or URL); the message names it",
  INVALID_JSON: "The body is not UTF-8 JSON, or holds U+0000, which the store cannot keep",
  INVALID_BASE64: "inputData of POST /call is not base64 of UTF-8 text",
  INVALID_INPUT: "The input does not match the handler's schema (with field paths)",
  INVALID_ID: "A path parameter (run id, invocation id, entity key, name) is not a valid id; the message names it",
  SERVICE_NOT_FOUND: "No service of that name has registered",
  HANDLER_NOT_FOUND: "The service or entity has no such handler or method",
  COMPONENT_NOT_FOUND: "The worker has no such component",
  INVOCATION_NOT_FOUND: "No invocation with that id",
  RUN_NOT_FOUND: "No run with that id",
  WORKFLOW_NOT_FOUND: "No workflow of that name has registered",
  AGENT_NOT_FOUND: "No agent of that name has registered (registerAgent in a worker)",
  ENTITY_NOT_FOUND: "No entity type of that name has registered",
  SESSION_NOT_FOUND: "No session with that id (never written, or deleted)",
  KEY_NOT_FOUND: "No API key or worker token with that id",
  UNAUTHENTICATED: "No API key, or one that is unknown, revoked or malformed (Authorization: Bearer <key>)",
  FORBIDDEN: "The key lacks the scope the route needs, or the approver lacks the roles the approval requires",
  RUN_FINISHED: "The run has already finished",
  RUN_NOT_PAUSABLE: "The run has already finished; only a run that has not ended can be paused",
  RUN_NOT_RETRYABLE: "Only a failed run can be retried (restart one from an entry instead)",
  RUN_ID_CONFLICT: "The run id already belongs to a run of another workflow; the message names both",
  IDEMPOTENCY_KEY_REUSED: "The Idempotency-Key was already used with a different request (entity key, method or input)",
  NO_PENDING_APPROVAL: "The run is not waiting for that approval",
  AMBIGUOUS_WORKFLOW: "Several services register that workflow; start it through its service",
  AMBIGUOUS_AGENT: "Several services register that agent; start it through its service",
  SERVICE_HAS_WORKERS: "The service still has live workers; stop them before removing it",
  SESSION_IMMUTABLE: "The session's retention is immutable: prune and delete are refused",
  ROUTE_NOT_FOUND: "No such route (method and path)",
  CANCELLED: "The invocation was cancelled",
  PAYLOAD_TOO_LARGE:
    "The body, or a signal, journal entry, step result or entity state, exceeds its AGNT5_MAX_* limit (named)",
  UNSUPPORTED_MEDIA_TYPE: "The request's content type is not accepted",
  REQUEST_TIMEOUT: "The request was not received in time",
  RATE_LIMITED: "The caller exceeded AGNT5_RATE_LIMIT_PER_MINUTE; Retry-After gives the seconds to wait",
  HEADERS_TOO_LARGE: "The request's headers are too large",
  UNAVAILABLE: "The coordinator cannot take or record the call now (store down, shutting down); retry",
  TIMEOUT: "The call did not complete within timeoutMs; the invocation continues",
};

/** Codes the gateway itself answers with status 500 (besides handler failures, which keep the handler's code). */
const serverFailureMeanings: Record<string, string> = {
  INTERNAL: "A coordinator bug; details in the coordinator's logs",
  HANDLER_ERROR: "The handler threw and its retries ran out",
  TERMINAL: "The handler failed with a TerminalError (or its own code)",
  WORKER_LOST: "The worker running the invocation disappeared and retries ran out",
};

export interface ErrorCodeInfo {
  code: string;
  status: number;
  meaning: string;
}

/**
 * Every code the gateway can answer with, its status and meaning: the single source for README's
 * error table (checked by errors.test.ts). Handlers may add their own codes (500).
 */
export function gatewayErrorCodes(): ErrorCodeInfo[] {
  return [
    ...Object.entries(statusByCode).map(([code, status]) => ({ code, status, meaning: meaningByCode[code] ?? "" })),
    ...Object.entries(serverFailureMeanings).map(([code, meaning]) => ({ code, status: 500, meaning })),
  ];
}

/** Handler failures (HANDLER_ERROR, TERMINAL, RETRYABLE exhausted, WORKER_LOST, ...) are 500. */
export function httpStatusFor(code: string): number {
  return httpStatusForCode(code);
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
