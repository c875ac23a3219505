import { CoordinatorError } from "../errors.js";
import type { StoredError } from "../store/index.js";
import { PAYLOAD_LIMIT_VARIABLES, type PayloadLimits } from "./payload-limits.js";

/** What each limit is called in messages. */
const LIMIT_SUBJECTS: Record<keyof PayloadLimits, string> = {
  journalEntryBytes: "journal entry",
  stepResultBytes: "step result",
  entityStateBytes: "entity state",
  signalBytes: "signal payload",
};

export interface OversizedPayload {
  limit: keyof PayloadLimits;
  bytes: number;
  maxBytes: number;
  /** What it was, for the message: `entry 3 (step "fetch")`, `entity Counter/a`. */
  subject: string;
}

/** The message and details every PAYLOAD_TOO_LARGE of a payload limit carries (the same over HTTP and in a run's error). */
export function payloadTooLargeFailure(oversized: OversizedPayload): StoredError {
  const variable = PAYLOAD_LIMIT_VARIABLES[oversized.limit];
  return {
    code: "PAYLOAD_TOO_LARGE",
    message:
      `The ${LIMIT_SUBJECTS[oversized.limit]} of ${oversized.subject} is ${oversized.bytes} bytes, over the ` +
      `coordinator's limit of ${oversized.maxBytes} bytes (${variable}); nothing of it was stored`,
    details: { limit: variable, maxBytes: oversized.maxBytes, bytes: oversized.bytes },
  };
}

/** The same, as the gateway's error (413). */
export function payloadTooLargeError(oversized: OversizedPayload): CoordinatorError {
  const failure = payloadTooLargeFailure(oversized);
  return new CoordinatorError(failure.code, failure.message, { details: failure.details });
}

/** Thrown where a payload limit is checked below the gateway (the entity write path); carries the run's failure. */
export class PayloadLimitExceeded extends Error {
  readonly failure: StoredError;

  constructor(oversized: OversizedPayload) {
    const failure = payloadTooLargeFailure(oversized);
    super(failure.message);
    this.name = "PayloadLimitExceeded";
    this.failure = failure;
  }
}
