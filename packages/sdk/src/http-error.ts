import { Agnt5Error, type ErrorCode, HTTP_STATUS_BY_CODE } from "@agnt5/core";

/** A request the HTTP runtime refuses before any handler runs (bad route, body, method). */
export class HttpRequestError extends Agnt5Error {
  readonly status: number;

  constructor(status: number, code: ErrorCode, message: string, details?: unknown) {
    super({ message, code, details });
    this.status = status;
  }
}

/**
 * Error codes -> HTTP status: @agnt5/core's table, the coordinator's gateway's too, so a code answers
 * with the same status from both. Anything unlisted is a 500.
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  ...HTTP_STATUS_BY_CODE,
  // The HTTP runtime's own refusals.
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  // ctx.signal, approvals, cron timers, calls by service name: they need a coordinator.
  NOT_IN_WORKER: 501,
  WORKER_DRAINING: 503,
};

export function httpStatusForCode(code: string): number {
  return Object.hasOwn(STATUS_BY_CODE, code) ? (STATUS_BY_CODE[code] as number) : 500;
}
