import { NonDeterminismError } from "@agnt5/core";
import type { EntryKind, JournalEntry } from "./journal-entry.js";

/**
 * Walks the recorded journal as the handler calls durable operations: operation number i either
 * matches entry i (same kind and name) or is new. Indexes are handed out in call order.
 */
export class ReplayCursor {
  readonly #recorded = new Map<number, JournalEntry>();
  #next = 0;
  /** The highest recorded index (-1 for an empty journal). */
  readonly #last: number;

  constructor(journal: readonly JournalEntry[]) {
    let last = -1;
    for (const entry of journal) {
      this.#recorded.set(entry.index, entry);
      last = Math.max(last, entry.index);
    }
    this.#last = last;
  }

  /**
   * true while the code has not reached the last recorded entry: what it does now, the run that
   * recorded the journal already did (logged, counted) once.
   */
  get replaying(): boolean {
    return this.#next <= this.#last;
  }

  /** The index the next operation will get. */
  get nextIndex(): number {
    return this.#next;
  }

  /** The recorded entry at the next index, if any. */
  peek(): JournalEntry | undefined {
    return this.#recorded.get(this.#next);
  }

  /** The error to fail the run with when the next recorded entry is not the operation the code asks for. */
  mismatch(kind: EntryKind, name: string): NonDeterminismError | undefined {
    const recorded = this.peek();
    if (!recorded || (recorded.kind === kind && recorded.name === name)) return undefined;
    return new NonDeterminismError({
      index: this.#next,
      expected: { kind: recorded.kind, name: recorded.name },
      actual: { kind, name },
    });
  }

  /** Reserves the next index. */
  advance(): number {
    return this.#next++;
  }

  /** Recorded entries the code has not reached (yet). */
  unconsumed(): JournalEntry[] {
    return [...this.#recorded.values()].filter((entry) => entry.index >= this.#next).sort((a, b) => a.index - b.index);
  }
}
