/** An admin API call that did not succeed: the server's `{error:{code,message}}`, or a transport failure. */
export class AdminApiError extends Error {
  override readonly name = "AdminApiError";
  /** HTTP status; 0 when no answer arrived (network error). */
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.code = code;
  }
}
