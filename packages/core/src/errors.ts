/**
 * Error classes with stable codes. Every AGNT5 error extends Agnt5Error, carries a `code`, and is
 * recognised across duplicated package copies through a Symbol.for marker (use `isInstance`, not
 * `instanceof`, when errors may cross package boundaries).
 *
 * Retry semantics follow durable-execution practice: any error retries per the component's retry
 * policy unless it is a TerminalError (or a subclass such as InputValidationError).
 */

const marker = Symbol.for("agnt5.error");

export type ErrorCode =
  | "HANDLER_ERROR"
  | "TERMINAL"
  | "RETRYABLE"
  | "INVALID_INPUT"
  | "INVALID_OUTPUT"
  | "COMPONENT_NOT_FOUND"
  | "DUPLICATE_COMPONENT"
  | "INVALID_DEFINITION"
  | "CANCELLED"
  | "TIMEOUT"
  | "WORKER_LOST"
  | "NON_DETERMINISM"
  | "SIGNAL_TIMEOUT"
  | "STEP_RETRY"
  | "NOT_IN_WORKER"
  | "INVALID_ARGUMENT"
  | "READ_ONLY"
  | (string & {});

export interface Agnt5ErrorOptions {
  message: string;
  code?: ErrorCode;
  cause?: unknown;
  details?: unknown;
}

export class Agnt5Error extends Error {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through `marker in error` by isInstance
  private readonly [marker] = true;
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor({ message, code = "HANDLER_ERROR", cause, details }: Agnt5ErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }

  /** true when `error` is an Agnt5Error from any copy of this package. */
  static isInstance(error: unknown): error is Agnt5Error {
    return typeof error === "object" && error !== null && marker in error;
  }
}

/** A failure that must never be retried: the invocation fails at once with this error. */
export class TerminalError extends Agnt5Error {
  constructor(message: string, options: { code?: ErrorCode; cause?: unknown; details?: unknown } = {}) {
    super({ message, code: options.code ?? "TERMINAL", cause: options.cause, details: options.details });
  }

  static override isInstance(error: unknown): error is TerminalError {
    return Agnt5Error.isInstance(error) && (error as { terminal?: unknown }).terminal === true;
  }

  /** Marker read by isInstance, so the check survives duplicated package copies. */
  readonly terminal = true;
}

/** A transient failure: retried per the retry policy, after `retryAfterMs` when given. */
export class RetryableError extends Agnt5Error {
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { retryAfterMs?: number; cause?: unknown; details?: unknown } = {}) {
    super({ message, code: "RETRYABLE", cause: options.cause, details: options.details });
    this.retryAfterMs = options.retryAfterMs;
  }
}

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. "items.0.price"; "" for the input itself. */
  path: string;
  message: string;
}

/** Input (or output) that fails the component's schema. Terminal: retrying cannot fix it. */
export class InputValidationError extends TerminalError {
  readonly issues: ValidationIssue[];

  constructor(
    component: string,
    issues: ValidationIssue[],
    code: "INVALID_INPUT" | "INVALID_OUTPUT" = "INVALID_INPUT",
  ) {
    const what = code === "INVALID_INPUT" ? "input" : "output";
    const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
    super(`Invalid ${what} for ${component}: ${summary}`, { code, details: { issues } });
    this.issues = issues;
  }
}

export class ComponentNotFoundError extends TerminalError {
  constructor(name: string, available: readonly string[]) {
    const hint = available.length ? ` (registered: ${available.join(", ")})` : " (no components are registered)";
    super(`No component named "${name}"${hint}`, { code: "COMPONENT_NOT_FOUND" });
  }
}

/** An entity type has no method of that name. Terminal: the definition will not grow one on retry. */
export class EntityMethodNotFoundError extends TerminalError {
  constructor(entityType: string, method: string, available: readonly string[]) {
    const hint = available.length ? ` (methods: ${available.join(", ")})` : " (it has no methods)";
    super(`Entity ${entityType} has no method "${method}"${hint}`, {
      code: "COMPONENT_NOT_FOUND",
      details: { entityType, method, methods: [...available] },
    });
  }
}

/** A component definition that cannot work (bad name, duplicate registration, ...). */
/** Terminal: a definition that is wrong stays wrong on every retry. */
export class DefinitionError extends TerminalError {
  constructor(message: string, code: ErrorCode = "INVALID_DEFINITION") {
    super(message, { code });
  }
}

/**
 * ctx.set() or ctx.delete() in a shared entity method: shared methods run concurrently on the last
 * committed state and cannot change it. Terminal: the method would fail the same way on every retry.
 */
export class EntityReadOnlyError extends TerminalError {
  readonly entityType: string;
  readonly methodName: string;
  /** The state key the method tried to change. */
  readonly stateKey: string;

  constructor(entityType: string, methodName: string, operation: "set" | "delete", stateKey: string) {
    super(
      `ctx.${operation}("${stateKey}") in ${entityType}.${methodName}: shared methods are read-only. ` +
        "Define the method with entity.write(...) to change the entity's state.",
      { code: "READ_ONLY", details: { entityType, method: methodName, operation, key: stateKey } },
    );
    this.entityType = entityType;
    this.methodName = methodName;
    this.stateKey = stateKey;
  }

  static override isInstance(error: unknown): error is EntityReadOnlyError {
    return TerminalError.isInstance(error) && error.name === "EntityReadOnlyError";
  }
}

/** A durable operation as the journal names it: its entry kind ("step", "timer", ...) and name. */
export interface JournalOperation {
  kind: string;
  name: string;
}

/**
 * The code asked for a different durable operation than the journal recorded at that index: the
 * handler's code (or its inputs) changed between runs. Terminal: replaying again cannot help.
 */
export class NonDeterminismError extends TerminalError {
  readonly index: number;
  /** What the journal holds at `index`. */
  readonly expected: JournalOperation;
  /** What the code asked for at `index`. */
  readonly actual: JournalOperation;

  constructor({ index, expected, actual }: { index: number; expected: JournalOperation; actual: JournalOperation }) {
    super(
      `Non-determinism at journal index ${index}: the journal holds ${expected.kind} "${expected.name}" ` +
        `but the code asked for ${actual.kind} "${actual.name}". Durable handlers must call ctx operations ` +
        "in the same order on every run; was the code changed while this run was in flight?",
      { code: "NON_DETERMINISM", details: { index, expected, actual } },
    );
    this.index = index;
    this.expected = expected;
    this.actual = actual;
  }

  static override isInstance(error: unknown): error is NonDeterminismError {
    return TerminalError.isInstance(error) && error.name === "NonDeterminismError";
  }
}

/**
 * The run was cancelled. Thrown into the durable operation the handler awaits and into every later
 * one (except ctx.step, which still runs so that cleanup can be journaled).
 */
export class CancelledError extends TerminalError {
  readonly reason: string | undefined;

  constructor(reason?: string, options: { cause?: unknown } = {}) {
    super(reason ? `The run was cancelled: ${reason}` : "The run was cancelled", {
      code: "CANCELLED",
      cause: options.cause,
      ...(reason === undefined ? {} : { details: { reason } }),
    });
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is CancelledError {
    return TerminalError.isInstance(error) && error.name === "CancelledError";
  }
}

/** ctx.signal() (or ctx.human.approval()) waited longer than its timeout and had no default. */
export class SignalTimeoutError extends TerminalError {
  readonly signalName: string;
  readonly timeoutMs: number | undefined;

  constructor(signalName: string, timeoutMs?: number) {
    const within = timeoutMs === undefined ? "" : ` within ${timeoutMs} ms`;
    super(`Signal "${signalName}" was not received${within}`, {
      code: "SIGNAL_TIMEOUT",
      details: { signal: signalName, ...(timeoutMs === undefined ? {} : { timeoutMs }) },
    });
    this.signalName = signalName;
    this.timeoutMs = timeoutMs;
  }

  static override isInstance(error: unknown): error is SignalTimeoutError {
    return TerminalError.isInstance(error) && error.name === "SignalTimeoutError";
  }
}

/** A failure as the journal records it (the `failure` of an `{ ok: false }` entry result). */
export interface RecordedFailure {
  code: string;
  message: string;
  type?: string;
  details?: unknown;
}

/**
 * A ctx.step whose failure was journaled (its retries were exhausted, or it threw a TerminalError).
 * It carries the original error's code, message and type, and is thrown identically when the run
 * is replayed, so handlers can branch on `error.code`. Terminal: a replay would fail the same way.
 */
export class StepFailedError extends TerminalError {
  readonly step: string;
  /** The class name of the error the step threw (e.g. "TypeError", "RetryableError"). */
  readonly failureType: string | undefined;

  constructor(step: string, failure: RecordedFailure, options: { cause?: unknown } = {}) {
    super(failure.message, { code: failure.code, cause: options.cause, details: failure.details });
    this.step = step;
    this.failureType = failure.type;
  }

  static override isInstance(error: unknown): error is StepFailedError {
    return TerminalError.isInstance(error) && error.name === "StepFailedError";
  }
}

/**
 * The child invocation of ctx.task() / ctx.spawn() failed (after its own retries). Carries the
 * child's code, message and type. Terminal: a replay would receive the same recorded failure.
 */
export class TaskFailedError extends TerminalError {
  readonly service: string;
  readonly handler: string;
  readonly failureType: string | undefined;

  constructor(target: { service: string; handler: string }, failure: RecordedFailure) {
    super(failure.message, { code: failure.code, details: failure.details });
    this.service = target.service;
    this.handler = target.handler;
    this.failureType = failure.type;
  }

  static override isInstance(error: unknown): error is TaskFailedError {
    return TerminalError.isInstance(error) && error.name === "TaskFailedError";
  }
}

/** Error as it crosses the wire: what a worker reports and a caller receives. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  type: string;
  retryable: boolean;
  retryAfterMs?: number;
  details?: unknown;
  stack?: string;
}

/** Converts anything thrown by a handler into its wire form. */
export function serializeError(error: unknown): SerializedError {
  if (Agnt5Error.isInstance(error)) {
    const retryAfterMs = (error as Partial<RetryableError>).retryAfterMs;
    return {
      code: error.code,
      message: error.message,
      type: error.name,
      retryable: !TerminalError.isInstance(error),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(error.details === undefined ? {} : { details: error.details }),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  if (error instanceof Error) {
    return {
      code: "HANDLER_ERROR",
      message: error.message,
      type: error.name,
      retryable: true,
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  return { code: "HANDLER_ERROR", message: String(error), type: typeof error, retryable: true };
}
