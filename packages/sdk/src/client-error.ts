// The errors subpath alone: the Client entry (@agnt5/sdk/client) must not load zod with the rest of core.
import { Agnt5Error, type ErrorCode } from "@agnt5/core/errors";

export interface Agnt5ClientErrorOptions {
  message: string;
  /** HTTP status of the response that carried the error; 0 when there was no response (network, timeout). */
  status: number;
  code: ErrorCode;
  invocationId?: string;
  details?: unknown;
  cause?: unknown;
}

/** A call through the coordinator's gateway that failed: refused, failed in the handler, or unreachable. */
export class Agnt5ClientError extends Agnt5Error {
  readonly status: number;
  readonly invocationId: string | undefined;

  constructor(options: Agnt5ClientErrorOptions) {
    super({ message: options.message, code: options.code, cause: options.cause, details: options.details });
    this.status = options.status;
    this.invocationId = options.invocationId;
  }

  /** Whether trying again may succeed: no response at all, 408, 429 or a 5xx other than 501. */
  get retryable(): boolean {
    const { status } = this;
    return status === 0 || status === 408 || status === 429 || (status >= 500 && status !== 501);
  }
}
