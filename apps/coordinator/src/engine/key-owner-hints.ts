/** Entity keys whose owner elsewhere is remembered. */
const MAX_REMEMBERED_OWNERS = 10_000;

/** The `type\0key` id of an entity key, as the routing and the scheduler name it. */
export function entityKeyId(type: string, key: string | null): string {
  return `${type}\u0000${key ?? ""}`;
}

/**
 * Which replica wrote an entity key when last asked (bounded: the oldest are forgotten). A hint
 * only: a hand-over checks the replica still lives, and one that no longer writes the key passes
 * the invocation on.
 */
export class KeyOwnerHints {
  readonly #owners = new Map<string, string>();

  get(id: string): string | undefined {
    return this.#owners.get(id);
  }

  remember(id: string, owner: string): void {
    if (this.#owners.size >= MAX_REMEMBERED_OWNERS) {
      const oldest = this.#owners.keys().next().value;
      if (oldest !== undefined) this.#owners.delete(oldest);
    }
    this.#owners.set(id, owner);
  }

  forget(id: string): void {
    this.#owners.delete(id);
  }

  clear(): void {
    this.#owners.clear();
  }
}
