import { CoordinatorError } from "../errors.js";
import type { Scope } from "./identity.js";

/**
 * 401: no credentials, or credentials we do not accept (unknown, revoked, expired, malformed).
 * The message never repeats the presented secret: only what was wrong with it.
 */
export class UnauthenticatedError extends CoordinatorError {
  constructor(message: string) {
    super("UNAUTHENTICATED", message);
    this.name = "UnauthenticatedError";
  }
}

/** 403: a valid identity without the scope (or role, or service) the request needs; the message names it. */
export class ForbiddenError extends CoordinatorError {
  constructor(message: string, details?: { scope?: Scope; service?: string }) {
    super("FORBIDDEN", message, details ? { details } : {});
    this.name = "ForbiddenError";
  }
}

export function missingScope(scope: Scope, what: string): ForbiddenError {
  return new ForbiddenError(`This key lacks the "${scope}" scope, which ${what} requires`, { scope });
}
