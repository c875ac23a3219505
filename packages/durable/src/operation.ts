import type { EntryKind, EntryResult } from "./journal-entry.js";
import { OperationPromise } from "./operation-promise.js";

/**
 * Where an operation is:
 * - new: index reserved, nothing sent yet (transient);
 * - running: a step's function (or its in-process retry backoff) is running;
 * - proposing: the entry was proposed, its EntryAck is outstanding;
 * - pending: an awaiting entry is recorded and waits for its result;
 * - settled: the handler has its value or error;
 * - abandoned: the run ended (suspended, failed) and the promise will never settle.
 */
export type OperationState = "new" | "running" | "proposing" | "pending" | "settled" | "abandoned";

/** One durable operation of the handler: a journal entry and the promise the handler awaits. */
export class Operation<T = unknown> {
  state: OperationState = "new";
  /** The handler awaits (or otherwise observes) the promise. */
  awaited = false;
  /** For completed-at-proposal kinds: the result sent with the proposal. */
  proposedResult: EntryResult | undefined;
  /** The error a step threw on this run (the cause of its StepFailedError). */
  localError: unknown;
  readonly promise: OperationPromise<T>;
  readonly #resolve: (value: T) => void;
  readonly #reject: (error: unknown) => void;

  constructor(
    /** The journal index, or -1 for an operation refused before it got one. */
    readonly index: number,
    readonly kind: EntryKind,
    readonly name: string,
    /** Turns the entry's result into what the handler sees; throws for a failure. */
    private readonly convert: (result: EntryResult, operation: Operation<T>) => T,
    onObserved: (operation: Operation<T>) => void,
  ) {
    const { promise, resolve, reject } = OperationPromise.create<T>(() => onObserved(this));
    this.promise = promise;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** Delivers the entry's result to the handler. */
  settleWith(result: EntryResult): void {
    let value: T;
    try {
      value = this.convert(result, this);
    } catch (error) {
      this.#reject(error);
      return;
    }
    this.#resolve(value);
  }

  /** Delivers an error to the handler. */
  rejectWith(error: unknown): void {
    this.#reject(error);
  }
}
