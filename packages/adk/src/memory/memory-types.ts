/**
 * The shapes of long-term memory (issue 10): what a memory is, what a search returns, and the one
 * interface every backend implements (InMemoryMemoryService here; VectorMemoryService and
 * DatabaseMemoryService in @agnt5/memory-store).
 */

/** Any JSON fields: the seed's `type`, `confidence`, `userId`, `sessionId`, `source_session`, ... */
export type MemoryMetadata = Record<string, unknown>;

/** One memory, as stored. */
export interface MemoryRecord {
  /** The memory's key: storing the same key again replaces it (an upsert), so writes are idempotent. */
  key: string;
  content: string;
  metadata: MemoryMetadata;
  /** ISO 8601 time of the first store of this key. */
  createdAt: string;
  /** ISO 8601 time of the last store or update. */
  updatedAt: string;
}

/** A search hit: the memory and how well it matches (higher is better; the scale depends on the backend). */
export interface MemorySearchResult extends MemoryRecord {
  score: number;
}

/**
 * Metadata fields a memory must have. A value matches a field equal to it or an array field holding
 * it; an array of values matches any of them (`{ type: ["fact", "preference"] }`).
 */
export type MemoryFilter = Record<string, unknown>;

export interface MemorySearchOptions {
  /** Results at most (default 10). */
  limit?: number;
  filter?: MemoryFilter;
  /** Leave out results scoring below this (default: none left out). */
  minScore?: number;
}

export interface ListKeysOptions {
  /** Only the memories of this user (metadata.userId). */
  userId?: string;
  /** Only the memories of this session (metadata.sessionId). */
  sessionId?: string;
  /** Only memories of this type (metadata.type). */
  type?: string;
  /** Only keys starting with this. */
  prefix?: string;
  /** Any other metadata fields (as in search). */
  filter?: MemoryFilter;
  /** Keys at most (default: all). */
  limit?: number;
}

/** What a backend is asked to write. */
export interface MemoryWrite {
  key: string;
  content: string;
  metadata: MemoryMetadata;
}

/** update(key, changes): new content (re-embedded) and/or metadata fields merged into the old ones. */
export interface MemoryChanges {
  content?: string;
  /** Merged field by field; a field set to null is removed. */
  metadata?: MemoryMetadata;
}

/**
 * A memory backend. Every method is idempotent by key: `upsert` of a key that exists replaces its
 * content and metadata (keeping createdAt), `delete` of a key that does not exist does nothing.
 */
export interface MemoryService {
  /** A short name for messages ("in-memory", "pgvector (PGlite)", ...). */
  readonly name: string;
  upsert(writes: readonly MemoryWrite[]): Promise<void>;
  /** The memories with these keys, in the order asked, missing keys left out. */
  get(keys: readonly string[]): Promise<MemoryRecord[]>;
  /** Best matches first; `limit` is set. */
  search(query: string, options: MemorySearchOptions & { limit: number }): Promise<MemorySearchResult[]>;
  /** Applies `changes` to one memory in one write; undefined when there is no memory with that key. */
  update(key: string, changes: MemoryChanges): Promise<MemoryRecord | undefined>;
  /** Removes the rows for good; resolves with how many existed. */
  delete(keys: readonly string[]): Promise<number>;
  /** Keys in ascending order. */
  listKeys(options: { prefix?: string; filter: MemoryFilter; limit?: number }): Promise<string[]>;
  /** Releases what the backend opened (a pool, a PGlite instance it created). */
  close?(): Promise<void>;
}
