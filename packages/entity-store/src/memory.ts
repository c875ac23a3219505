// In-process backend for unit tests and single-process tools. Nothing survives the process.
import { EntityStoreError } from "./errors.js";
import type {
  CommitResult,
  EntityCommit,
  EntitySnapshot,
  EntityStore,
  LastWrite,
  ListKeysOptions,
  ListKeysPage,
} from "./types.js";
import { checkEntityId, compareCodePoints, encodeCursor, normalizeCommit, normalizeListOptions } from "./validate.js";

interface Entry {
  version: number;
  state: Map<string, string>;
  lastWrite: LastWrite | undefined;
}

class MemoryEntityStore implements EntityStore {
  readonly backend = "memory" as const;
  readonly #types = new Map<string, Map<string, Entry>>();
  #closed = false;

  async load(type: string, key: string): Promise<EntitySnapshot> {
    this.#assertOpen();
    checkEntityId(type, key);
    const entry = this.#types.get(type)?.get(key);
    if (!entry) return { state: {}, version: 0 };
    // Object.fromEntries defines own properties, so a field named "__proto__" stays a field.
    const snapshot: EntitySnapshot = { state: Object.fromEntries(entry.state), version: entry.version };
    if (entry.lastWrite) snapshot.lastWrite = { ...entry.lastWrite };
    return snapshot;
  }

  async commit(type: string, key: string, commit: EntityCommit): Promise<CommitResult> {
    this.#assertOpen();
    checkEntityId(type, key);
    const change = normalizeCommit(commit);
    // Synchronous from here on: nothing else runs between the check and the update.
    let keys = this.#types.get(type);
    const entry = keys?.get(key);
    const current = entry?.version ?? 0;
    if (current !== change.expectedVersion) return { ok: false, reason: "stale", currentVersion: current };
    // Changed in place: load() hands out copies, so only the changed fields cost anything.
    const state = entry?.state ?? new Map<string, string>();
    for (const field of change.deletes) state.delete(field);
    for (const [field, value] of change.sets) state.set(field, value);
    if (!keys) {
      keys = new Map();
      this.#types.set(type, keys);
    }
    keys.set(key, { version: current + 1, state, lastWrite: change.write });
    return { ok: true, version: current + 1 };
  }

  async listKeys(type: string, options?: ListKeysOptions): Promise<ListKeysPage> {
    this.#assertOpen();
    const { prefix, limit, after } = normalizeListOptions(type, options);
    const matching = [...(this.#types.get(type)?.keys() ?? [])]
      .filter((k) => k.startsWith(prefix) && (after === undefined || compareCodePoints(k, after) > 0))
      .sort(compareCodePoints);
    const keys = matching.slice(0, limit);
    return matching.length > limit ? { keys, cursor: encodeCursor(keys[keys.length - 1]!) } : { keys };
  }

  async delete(type: string, key: string): Promise<void> {
    this.#assertOpen();
    checkEntityId(type, key);
    const keys = this.#types.get(type);
    keys?.delete(key);
    if (keys?.size === 0) this.#types.delete(type);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new EntityStoreError("CLOSED", "the memory entity store is closed");
  }
}

/** A fresh, empty in-memory store (for tests: state lives only as long as this object). */
export function createMemoryEntityStore(): EntityStore {
  return new MemoryEntityStore();
}
