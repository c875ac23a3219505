import { Agnt5Error, CancelledError, type Logger, TerminalError } from "@agnt5/core";
import type { Context } from "@opentelemetry/api";
import { failedOutcome } from "./entry-failure.js";
import {
  type EntryKind,
  type EntryResult,
  type ExecutionOutcome,
  isCompletedAtProposal,
  type JournalEntry,
  type Outbound,
} from "./journal-entry.js";
import { Operation, type OperationState } from "./operation.js";
import { OperationSpans } from "./operation-spans.js";
import { ReplayCursor } from "./replay-cursor.js";
import { currentStep } from "./step-scope.js";
import { type ExecutionTimers, SuspensionTracker } from "./suspension-tracker.js";

export interface ExecutionCoreOptions {
  journal: readonly JournalEntry[];
  send(frame: Outbound): void;
  suspendAfterMs: number;
  timers: ExecutionTimers;
  logger: Logger;
  cancelRequested: boolean;
  /** The invocation span's context: operations get spans under it (none when absent). */
  traceContext?: Context;
}

type Convert<T> = (result: EntryResult, operation: Operation<T>) => T;

const BUSY: ReadonlySet<OperationState> = new Set<OperationState>(["new", "running", "proposing"]);

/**
 * The replay state machine of one invocation: hands out journal indexes, matches them against the
 * recorded journal, tracks each operation from proposal to acknowledgement, and decides the outcome
 * (once: whatever comes first of the handler settling, a suspension, or a fatal engine error).
 * After the outcome is decided every later call, ack or cancellation is ignored and the handler's
 * pending operations are abandoned (their promises never settle).
 */
export class ExecutionCore {
  readonly #cursor: ReplayCursor;
  readonly #send: (frame: Outbound) => void;
  readonly #logger: Logger;
  readonly #suspension: SuspensionTracker;
  readonly spans: OperationSpans;
  /** Operations with an index that are not settled yet. */
  readonly #operations = new Map<number, Operation<any>>();
  /** How many operations are new, running or proposing (the handler is not blocked while any is). */
  #busy = 0;
  /** Indexes of recorded-pending awaiting entries the handler awaits. */
  readonly #awaitedPending = new Set<number>();
  #closed = false;
  #cancellation: CancelledError | undefined;
  readonly outcome: Promise<ExecutionOutcome>;
  #resolveOutcome!: (outcome: ExecutionOutcome) => void;

  constructor(options: ExecutionCoreOptions) {
    this.#cursor = new ReplayCursor(options.journal);
    this.#send = options.send;
    this.#logger = options.logger;
    this.spans = new OperationSpans(options.traceContext);
    this.#suspension = new SuspensionTracker({
      delayMs: options.suspendAfterMs,
      timers: options.timers,
      blockedOn: () => this.#blockedOn(),
      suspend: (waitingOn) => this.#suspend(waitingOn),
    });
    this.outcome = new Promise((resolve) => {
      this.#resolveOutcome = resolve;
    });
    if (options.cancelRequested) this.#cancellation = new CancelledError("cancellation was requested");
  }

  /** The outcome is decided: nothing the handler does matters any more. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The handler is re-running code whose journal entries are recorded (see ReplayCursor.replaying). */
  get replaying(): boolean {
    return this.#cursor.replaying;
  }

  get cancellation(): CancelledError | undefined {
    return this.#cancellation;
  }

  /**
   * Starts operation number `nextIndex`. The returned operation is:
   * - settled, when the journal holds its result (replay) or it is refused (nested in a step,
   *   cancelled);
   * - pending, when the journal holds it without a result (an awaiting entry still waiting);
   * - new, when it is not in the journal: the caller runs or proposes it;
   * - abandoned, when the run is over (or this call is non-deterministic, which ends it).
   */
  begin<T>(kind: EntryKind, name: string, convert: Convert<T>, label: string): Operation<T> {
    if (this.#closed) return this.#detached(kind, name, convert, "abandoned");
    const step = currentStep(this);
    if (step !== undefined) {
      return this.#refused(
        kind,
        name,
        convert,
        new TerminalError(
          `${label} was called inside the function of step "${step}": durable operations cannot be nested in a ` +
            "step (their journal order would depend on timing). Call it before or after the step.",
          { code: "INVALID_OPERATION" },
        ),
      );
    }
    const mismatch = this.#cursor.mismatch(kind, name);
    if (mismatch) {
      this.fail(mismatch);
      return this.#detached(kind, name, convert, "abandoned");
    }
    const recorded = this.#cursor.peek();
    if (this.#cancellation && kind !== "step" && recorded?.result === undefined) {
      // Only ctx.step still runs once the run is cancelled; nothing new is proposed otherwise.
      const index = recorded ? this.#cursor.advance() : -1;
      return this.#refused(kind, name, convert, this.#cancellation, index);
    }
    const operation = new Operation<T>(this.#cursor.advance(), kind, name, convert, (op) => this.#observed(op));
    if (recorded?.result !== undefined) {
      operation.state = "settled";
      operation.settleWith(recorded.result);
    } else if (recorded && !isCompletedAtProposal(kind)) {
      this.#setState(operation, "pending");
    } else {
      this.#setState(operation, "new");
    }
    return operation;
  }

  /** Starts an awaiting operation (timer, signal wait, call): proposes it unless it is recorded. */
  awaitEntry<T>(kind: EntryKind, name: string, request: unknown, convert: Convert<T>, label: string): Operation<T> {
    const operation = this.begin(kind, name, convert, label);
    if (operation.state === "new") this.propose(operation, request);
    return operation;
  }

  /** A step's function starts running. */
  markRunning(operation: Operation<any>): void {
    if (this.#closed) return;
    this.spans.start(operation.index, operation.kind, operation.name);
    this.#setState(operation, "running");
  }

  /** Proposes a new entry: with its result for completed-at-proposal kinds, without for awaiting ones. */
  propose(operation: Operation<any>, request: unknown, result?: EntryResult): void {
    if (this.#closed) return;
    operation.proposedResult = result;
    this.#setState(operation, "proposing");
    const { index, kind, name } = operation;
    this.spans.start(index, kind, name);
    if (kind === "call") request = this.spans.withTraceHeaders(index, request);
    this.#sendFrame({
      type: "propose",
      entry: result === undefined ? { index, kind, name, request } : { index, kind, name, request, result },
    });
  }

  /** An EntryAck: the entry is committed (with its result, once it has one). */
  onAck(index: number, result?: EntryResult): void {
    if (this.#closed) return;
    const operation = this.#operations.get(index);
    if (!operation) return;
    if (operation.state === "proposing") {
      if (isCompletedAtProposal(operation.kind)) {
        this.#settle(operation, result ?? operation.proposedResult ?? { ok: true, value: null });
      } else if (result) {
        this.#settle(operation, result);
      } else {
        this.#setState(operation, "pending");
      }
    } else if (operation.state === "pending" && result) {
      this.#settle(operation, result);
    }
  }

  /**
   * The run is cancelled: awaiting operations in flight are rejected with CancelledError, and so is
   * every later operation except ctx.step. Steps running or proposed finish and are journaled.
   */
  cancel(reason: string): void {
    if (this.#closed || this.#cancellation) return;
    const cancellation = new CancelledError(reason);
    this.#cancellation = cancellation;
    for (const operation of [...this.#operations.values()]) {
      if (isCompletedAtProposal(operation.kind)) continue;
      if (operation.state !== "proposing" && operation.state !== "pending") continue;
      this.#setState(operation, "settled");
      operation.rejectWith(cancellation);
    }
  }

  /** Ends the run with `outcome` (first call wins). */
  finish(outcome: ExecutionOutcome): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#suspension.stop();
    this.spans.endAll(outcome.type);
    for (const operation of this.#operations.values()) operation.state = "abandoned";
    this.#operations.clear();
    this.#awaitedPending.clear();
    this.#busy = 0;
    if (outcome.type === "completed" || outcome.type === "cancelled") this.#warnAboutUnconsumedEntries();
    this.#resolveOutcome(outcome);
  }

  /** Ends the run as failed with `error` (e.g. NON_DETERMINISM). */
  fail(error: unknown): void {
    this.finish(failedOutcome(error));
  }

  #observed(operation: Operation<any>): void {
    operation.awaited = true;
    if (operation.state === "pending" && !this.#closed) {
      this.#awaitedPending.add(operation.index);
      this.#suspension.update();
    }
  }

  #settle(operation: Operation<any>, result: EntryResult): void {
    this.spans.end(operation.index, result);
    this.#setState(operation, "settled");
    operation.settleWith(result);
  }

  #setState(operation: Operation<any>, next: OperationState): void {
    const previous = operation.state;
    const tracked = this.#operations.has(operation.index);
    if (tracked && BUSY.has(previous)) this.#busy--;
    if (previous === "pending") this.#awaitedPending.delete(operation.index);
    operation.state = next;
    if (next === "settled" || next === "abandoned") {
      this.#operations.delete(operation.index);
    } else {
      this.#operations.set(operation.index, operation);
      if (BUSY.has(next)) this.#busy++;
      if (next === "pending" && operation.awaited) this.#awaitedPending.add(operation.index);
    }
    this.#suspension.update();
  }

  /** The indexes the handler is blocked on, when it waits only on recorded-pending awaiting entries. */
  #blockedOn(): number[] | undefined {
    if (this.#closed || this.#busy > 0 || this.#awaitedPending.size === 0) return undefined;
    return [...this.#awaitedPending].sort((a, b) => a - b);
  }

  #suspend(waitingOn: number[]): void {
    this.#logger.debug({ waitingOn }, "Suspending: the handler waits only on entries the coordinator completes");
    this.#sendFrame({ type: "suspend", waitingOn });
    this.finish({ type: "suspended", waitingOn });
  }

  #sendFrame(frame: Outbound): void {
    try {
      this.#send(frame);
    } catch (error) {
      this.fail(
        new Agnt5Error({
          message: `Could not send ${frame.type} to the coordinator: ${(error as Error)?.message ?? String(error)}`,
          code: "SEND_FAILED",
          cause: error,
        }),
      );
    }
  }

  #detached<T>(kind: EntryKind, name: string, convert: Convert<T>, state: OperationState, index = -1): Operation<T> {
    const operation = new Operation<T>(index, kind, name, convert, () => {});
    operation.state = state;
    return operation;
  }

  #refused<T>(kind: EntryKind, name: string, convert: Convert<T>, error: unknown, index = -1): Operation<T> {
    const operation = this.#detached(kind, name, convert, "settled", index);
    operation.rejectWith(error);
    return operation;
  }

  #warnAboutUnconsumedEntries(): void {
    const left = this.#cursor.unconsumed();
    if (left.length === 0) return;
    this.#logger.warn(
      { entries: left.map(({ index, kind, name }) => ({ index, kind, name })) },
      `The handler returned before reaching ${left.length} recorded journal entr${left.length === 1 ? "y" : "ies"}; ` +
        "did the code change while this run was in flight?",
    );
  }
}
