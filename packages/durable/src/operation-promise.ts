/**
 * The promise a durable operation returns. It tells the engine when the handler starts waiting on
 * it (`await`, `.then`, Promise.all, ... all call `then`), which is how the engine knows what the
 * handler is blocked on. It is never an unhandled rejection: an operation the handler does not await
 * may fail (or be cancelled) silently.
 */
export class OperationPromise<T> extends Promise<T> {
  // Promises derived with then/catch/finally are plain promises.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  #onObserved: (() => void) | undefined;

  /** A pending operation promise with its settle functions. */
  static create<T>(onObserved: () => void): {
    promise: OperationPromise<T>;
    resolve: (value: T) => void;
    reject: (error: unknown) => void;
  } {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new OperationPromise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.#onObserved = onObserved;
    // Mark it handled without counting as an observation.
    Promise.prototype.then.call(promise, undefined, () => {});
    return { promise, resolve, reject };
  }

  // biome-ignore lint/suspicious/noThenProperty: this is a Promise subclass; then is the point
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const observer = this.#onObserved;
    if (observer) {
      this.#onObserved = undefined;
      observer();
    }
    return super.then(onFulfilled, onRejected);
  }
}
