import { Agnt5Error, type ErrorCode } from "@agnt5/core";

/** A request the HTTP runtime refuses before any handler runs (bad route, body, method). */
export class HttpRequestError extends Agnt5Error {
  readonly status: number;

  constructor(status: number, code: ErrorCode, message: string, details?: unknown) {
    super({ message, code, details });
    this.status = status;
  }
}

/** Error codes -> HTTP status, in one table. Anything unlisted is a 500. */
const STATUS_BY_CODE: Record<string, number> = {
  INVALID_INPUT: 400,
  COMPONENT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CANCELLED: 499,
  // ctx.signal, approvals, cron timers, calls by service name: they need a coordinator.
  NOT_IN_WORKER: 501,
  WORKER_DRAINING: 503,
  TIMEOUT: 504,
};

export function httpStatusForCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 500;
}
