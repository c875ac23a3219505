import type { StreamPart } from "./language-model-v1/language-model-v1.js";

/**
 * Stream parts as they arrive, readable any number of times: each reader starts at the beginning,
 * waits for more, ends after `end()`, and throws the error of `fail()` after the parts before it.
 */
export class PartLog implements AsyncIterable<StreamPart> {
  readonly parts: StreamPart[] = [];
  #closed: { error?: { value: unknown } } | undefined;
  #waiters: Array<() => void> = [];

  push(part: StreamPart): void {
    if (this.#closed) return;
    this.parts.push(part);
    this.#wake();
  }

  end(): void {
    this.#closed ??= {};
    this.#wake();
  }

  fail(error: unknown): void {
    this.#closed ??= { error: { value: error } };
    this.#wake();
  }

  async *read(): AsyncGenerator<StreamPart> {
    for (let index = 0; ; index++) {
      while (index >= this.parts.length) {
        const closed = this.#closed;
        if (closed?.error) throw closed.error.value;
        if (closed) return;
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
      }
      yield this.parts[index]!;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamPart> {
    return this.read();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
