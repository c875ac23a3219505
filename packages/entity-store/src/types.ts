/**
 * The one interface every entity-state backend implements.
 *
 * An entity is identified by `(type, key)`. Its state is a map from field name to JSON text,
 * versioned by an integer that starts at 0 (never written) and grows by exactly 1 with every
 * successful commit. A commit is a compare-and-set on that version: it applies all of its sets and
 * deletes, records the write that produced them, and bumps the version, atomically, or it changes
 * nothing and reports the version it found.
 */

/** The committed state of one entity. */
export interface EntitySnapshot {
  /** Field name -> JSON text, exactly as committed (byte for byte). */
  state: Record<string, string>;
  /** 0 for an entity that was never written (or was deleted); then 1, 2, ... one per commit. */
  version: number;
  /**
   * The write recorded by the commit that produced `version`; absent when that commit carried no
   * `write` (or nothing was ever committed).
   */
  lastWrite?: LastWrite;
}

/** Identifies the write (an entity method invocation) whose changes a commit holds. */
export interface LastWrite {
  invocationId: string;
  /** The write's result as the coordinator will return it (opaque text, usually JSON). */
  output: string;
}

export interface EntityCommit {
  /** The version the changes were computed against; the commit fails as stale unless it is current. */
  expectedVersion: number;
  /** Fields to set: field name -> JSON text. */
  sets: Record<string, string>;
  /** Fields to remove (removing an absent field is a no-op). A field may not be both set and deleted. */
  deletes: string[];
  /**
   * The write whose changes these are: recorded atomically with the state, so a write whose state
   * committed just before a crash is known as done (its output returned) instead of being run twice.
   * A commit without it clears the previous marker (the marker always describes the current version).
   */
  write?: LastWrite;
}

export type CommitResult = { ok: true; version: number } | { ok: false; reason: "stale"; currentVersion: number };

export interface ListKeysOptions {
  /** Only keys starting with this string. */
  prefix?: string;
  /** Page size: default 100, at most 1000. */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
}

export interface ListKeysPage {
  /** Keys that have been committed (version >= 1), in Unicode code point order (= UTF-8 byte order). */
  keys: string[];
  /** Present when there may be more keys: pass it back to get the next page. */
  cursor?: string;
}

export type EntityStoreBackend = "memory" | "postgres" | "pglite" | "redis";

export interface EntityStore {
  readonly backend: EntityStoreBackend;
  /** The committed state; an unknown entity loads as `{ state: {}, version: 0 }`. */
  load(type: string, key: string): Promise<EntitySnapshot>;
  /** Atomic compare-and-set: applies everything and returns the new version, or nothing and reports stale. */
  commit(type: string, key: string, commit: EntityCommit): Promise<CommitResult>;
  /** Keys of `type` that exist, a page at a time. */
  listKeys(type: string, options?: ListKeysOptions): Promise<ListKeysPage>;
  /** Removes the entity (state, version and marker): it then loads as never written. No-op if absent. */
  delete(type: string, key: string): Promise<void>;
  /** Releases what the store opened (pool, connection, PGlite); never what it was handed. Idempotent. */
  close(): Promise<void>;
}
