import {
  embedTexts,
  type MemoryChanges,
  type MemoryEmbedding,
  type MemoryFilter,
  type MemoryRecord,
  type MemorySearchResult,
  type MemoryService,
  type MemoryWrite,
} from "@agnt5/adk";
import { lastWritePerKey } from "./database-memory-service.js";
import { type HnswBuildOptions, HnswIndex, type HnswIndexStatus } from "./hnsw-index.js";
import { memoryStoreError } from "./memory-store-errors.js";
import { execLockedDdl, type MemoryDatabase, openDatabase, type SqlConnection } from "./sql-database.js";
import {
  deleteRecords,
  filterSql,
  getRecords,
  listRecordKeys,
  qualifiedTable,
  RECORD_COLUMNS,
  type RecordRow,
  toRecord,
} from "./sql-memory-table.js";

export interface VectorMemoryServiceOptions extends MemoryEmbedding {
  /**
   * PostgreSQL with the pgvector extension, or PGlite: `{ pglite: {} }` (in memory) or
   * `{ pglite: { dataDir } }` create one with pgvector loaded; a PGlite you pass must have been created
   * with `extensions: { vector }` (from @electric-sql/pglite-pgvector).
   */
  database: MemoryDatabase;
  /** Table name (default "agnt5_vector_memories"), created if missing. */
  table?: string;
  /** Schema of the table (created if missing); default: the connection's search_path. */
  schema?: string;
  /**
   * Rows from which an HNSW index (cosine) serves searches (default 10,000). The write that crosses it
   * schedules the build in the background and returns; searches scan every row (exact, and fast at
   * that size) until the index is valid. `buildIndex()` builds it and waits.
   */
  hnswThreshold?: number;
  /**
   * HNSW parameters: build (pgvector's defaults, m 16 and ef_construction 64; maintenanceWorkMem for
   * the build) and search (ef_search, default here 100 rather than pgvector's 40: better recall for a
   * few milliseconds). Search settings (ef_search, and iterative scans so that a filtered search still
   * finds `limit` results) apply on PGlite and on a pool this service opens, not on a pool you pass.
   */
  hnsw?: HnswBuildOptions & { efSearch?: number };
  /** Called with a background index build's error (default: console.warn); the next write retries. */
  onIndexError?: (error: Error) => void;
}

const DEFAULT_HNSW_THRESHOLD = 10_000;
const DEFAULT_EF_SEARCH = 100;

/**
 * Memories embedded with any @agnt5/llm embedding model and searched by cosine similarity with
 * pgvector, on PostgreSQL (the server needs the pgvector extension: a server without it is refused at
 * start with VECTOR_EXTENSION_MISSING, saying how to install it) or on PGlite (pgvector for PGlite is
 * loaded by this package). Scores are cosine similarities (1 = same direction).
 */
export class VectorMemoryService implements MemoryService {
  readonly name: string;
  readonly #options: VectorMemoryServiceOptions;
  readonly #table: string;
  readonly #tableName: string;
  readonly #threshold: number;
  #connection: Promise<SqlConnection> | undefined;
  /** The table's vector dimensions once it exists (fixed by the first write). */
  #dimensions: number | undefined;
  readonly #index: HnswIndex;

  constructor(options: VectorMemoryServiceOptions) {
    if (options?.model === undefined || options.model === "") {
      throw memoryStoreError(
        "INVALID_ARGUMENT",
        'VectorMemoryService needs an embedding model: { model: "openai/text-embedding-3-small" } or an EmbeddingModelV1',
      );
    }
    this.#options = options;
    this.#tableName = options.table ?? "agnt5_vector_memories";
    this.#table = qualifiedTable(this.#tableName, options.schema, "VectorMemoryService");
    this.#threshold = options.hnswThreshold ?? DEFAULT_HNSW_THRESHOLD;
    if (!Number.isInteger(this.#threshold) || this.#threshold < 0) {
      throw memoryStoreError(
        "INVALID_ARGUMENT",
        `VectorMemoryService: hnswThreshold must be a non-negative integer, got ${this.#threshold}`,
      );
    }
    this.name = `pgvector (${"postgres" in options.database ? "PostgreSQL" : "PGlite"})`;
    const indexName = `"${this.#tableName}_embedding_hnsw"`;
    this.#index = new HnswIndex(
      this.#table,
      options.schema === undefined ? indexName : `"${options.schema}".${indexName}`,
      options.hnsw ?? {},
      options.onIndexError ??
        ((error) => console.warn(`VectorMemoryService: building the HNSW index of ${this.#table} failed:`, error)),
    );
  }

  /**
   * Connects, checks pgvector and reads the table if it exists. Every operation does it first; call
   * it at startup to fail early (VECTOR_EXTENSION_MISSING on a PostgreSQL server without pgvector).
   */
  start(): Promise<SqlConnection> {
    this.#connection ??= this.#open().catch((error) => {
      this.#connection = undefined;
      throw error;
    });
    return this.#connection;
  }

  async #open(): Promise<SqlConnection> {
    const vectorExtension =
      "pglite" in this.#options.database ? { vector: (await import("@electric-sql/pglite-pgvector")).vector } : {};
    const efSearch = Math.trunc(this.#options.hnsw?.efSearch ?? DEFAULT_EF_SEARCH);
    // relaxed_order: a filtered search goes on through the index until it has `limit` matches (else
    // the filter applies to ef_search candidates only and a selective filter returns fewer); search()
    // re-sorts what it gets.
    const connection = await openDatabase(this.#options.database, vectorExtension, {
      "hnsw.ef_search": efSearch,
      "hnsw.iterative_scan": "relaxed_order",
    });
    try {
      await ensureVectorExtension(connection);
      if (this.#options.schema !== undefined)
        await execLockedDdl(connection, this.#table, `CREATE SCHEMA IF NOT EXISTS "${this.#options.schema}";`);
      const [row] = await connection.query<{ type: string | null; indexed: boolean }>(
        `SELECT format_type(a.atttypid, a.atttypmod) AS type,
           EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
                   WHERE i.indrelid = a.attrelid AND am.amname = 'hnsw' AND i.indisvalid) AS indexed
         FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attname = 'embedding'`,
        [this.#table],
      );
      if (row?.type) {
        this.#dimensions = Number(/vector\((\d+)\)/.exec(row.type)?.[1]);
      }
      this.#index.reset(row?.indexed === true);
    } catch (error) {
      await connection.close();
      throw error;
    }
    return connection;
  }

  async #query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return (await this.start()).query<T>(sql, params);
  }

  /** Creates the table for vectors of `dimensions` (the first write decides), or checks they match it. */
  async #ensureTable(dimensions: number): Promise<void> {
    const connection = await this.start();
    if (this.#dimensions === undefined) {
      await execLockedDdl(
        connection,
        this.#table,
        `CREATE TABLE IF NOT EXISTS ${this.#table} (
          key text COLLATE "C" PRIMARY KEY,
          content text NOT NULL,
          metadata jsonb NOT NULL DEFAULT '{}',
          embedding vector(${dimensions}) NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS "${this.#tableName}_metadata" ON ${this.#table} USING gin (metadata jsonb_path_ops);`,
      );
      this.#dimensions = dimensions;
    }
    this.#checkDimensions(dimensions);
  }

  #checkDimensions(dimensions: number): void {
    if (this.#dimensions !== undefined && dimensions !== this.#dimensions) {
      throw memoryStoreError(
        "EMBEDDING_DIMENSION_MISMATCH",
        `VectorMemoryService: the embedding model returned ${dimensions} dimensions but ${this.#table} holds vectors of ${this.#dimensions} (the model changed since these memories were stored: use another table)`,
      );
    }
  }

  async upsert(writes: readonly MemoryWrite[]): Promise<void> {
    const rows = lastWritePerKey(writes);
    if (rows.length === 0) return;
    const embeddings = await embedTexts(
      this.#options,
      rows.map((row) => row.content),
    );
    await this.#ensureTable(embeddings[0]?.length ?? 0);
    for (const embedding of embeddings) this.#checkDimensions(embedding.length);
    await this.#query(
      `INSERT INTO ${this.#table} (key, content, metadata, embedding)
       SELECT key, content, metadata, embedding::vector
       FROM jsonb_to_recordset($1::jsonb) AS w(key text, content text, metadata jsonb, embedding text)
       ON CONFLICT (key) DO UPDATE SET content = excluded.content, metadata = excluded.metadata,
         embedding = excluded.embedding, updated_at = now()`,
      [JSON.stringify(rows.map((row, i) => ({ ...row, embedding: JSON.stringify(embeddings[i]) })))],
    );
    await this.#indexIfLarge();
  }

  /**
   * Schedules the HNSW index build once the table holds `hnswThreshold` rows (an exact scan is fine
   * below) and returns without waiting for it.
   */
  async #indexIfLarge(): Promise<void> {
    if (this.#index.status !== "none") return;
    const [{ count } = { count: 0 }] = await this.#query<{ count: number }>(
      `SELECT count(*)::int AS count FROM ${this.#table}`,
    );
    if (count >= this.#threshold) this.#index.schedule(await this.start());
  }

  /**
   * Builds the HNSW index now, or waits for the build in flight, whatever the row count (nothing
   * before the first write: the table does not exist). Searches use the index once this resolves.
   */
  async buildIndex(): Promise<void> {
    const connection = await this.start();
    if (this.#dimensions === undefined) return;
    await this.#index.ensure(connection);
  }

  /** Whether searches go through the HNSW index (else they scan every row). */
  get indexed(): boolean {
    return this.#index.status === "ready";
  }

  /** `none` (searches scan), `building` (in the background; searches still scan) or `ready`. */
  get indexStatus(): HnswIndexStatus {
    return this.#index.status;
  }

  get(keys: readonly string[]): Promise<MemoryRecord[]> {
    return this.#whenTable([], () => getRecords((sql, params) => this.#query(sql, params), this.#table, keys));
  }

  async search(
    query: string,
    options: { limit: number; filter?: MemoryFilter; minScore?: number },
  ): Promise<MemorySearchResult[]> {
    await this.start();
    if (this.#dimensions === undefined) return [];
    const [embedding] = await embedTexts(this.#options, [query]);
    this.#checkDimensions(embedding?.length ?? 0);
    const params: unknown[] = [JSON.stringify(embedding), options.limit];
    const where = filterSql(options.filter, params);
    // ORDER BY the distance operator itself, so the HNSW index (when valid) serves the inner query;
    // an iterative scan returns its rows nearly but not exactly in order, so the outer one re-sorts.
    const rows = await this.#query<RecordRow & { distance: number }>(
      `WITH nearest AS MATERIALIZED (
         SELECT ${RECORD_COLUMNS}, (embedding <=> $1::vector)::float8 AS distance
         FROM ${this.#table} WHERE ${where}
         ORDER BY embedding <=> $1::vector, key LIMIT $2)
       SELECT * FROM nearest ORDER BY distance, key`,
      params,
    );
    return rows
      .map((row) => ({ ...toRecord(row), score: 1 - Number(row.distance) }))
      .filter((hit) => options.minScore === undefined || hit.score >= options.minScore);
  }

  async update(key: string, changes: MemoryChanges): Promise<MemoryRecord | undefined> {
    return this.#whenTable(undefined, async () => {
      const embedding =
        changes.content === undefined ? null : JSON.stringify((await embedTexts(this.#options, [changes.content]))[0]);
      const entries = Object.entries(changes.metadata ?? {});
      const rows = await this.#query<RecordRow>(
        `UPDATE ${this.#table} SET content = coalesce($2, content), embedding = coalesce($5::vector, embedding),
           metadata = (metadata - $3::text[]) || $4::jsonb, updated_at = now()
         WHERE key = $1 RETURNING ${RECORD_COLUMNS}`,
        [
          key,
          changes.content ?? null,
          entries.flatMap(([field, value]) => (value === null ? [field] : [])),
          JSON.stringify(Object.fromEntries(entries.filter(([, value]) => value !== null))),
          embedding,
        ],
      );
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    });
  }

  delete(keys: readonly string[]): Promise<number> {
    return this.#whenTable(0, () => deleteRecords((sql, params) => this.#query(sql, params), this.#table, keys));
  }

  listKeys(options: { prefix?: string; filter: MemoryFilter; limit?: number }): Promise<string[]> {
    return this.#whenTable([], () => listRecordKeys((sql, params) => this.#query(sql, params), this.#table, options));
  }

  /** Cancels an index build in flight (PostgreSQL; the next build starts over) or waits for it (PGlite), then disconnects. */
  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    const open = await connection?.catch(() => undefined);
    await this.#index.close(open);
    await open?.close();
  }

  /** `fn`'s result once the table exists (the first write creates it); `empty` before. */
  async #whenTable<T>(empty: T, fn: () => Promise<T>): Promise<T> {
    await this.start();
    return this.#dimensions === undefined ? empty : fn();
  }
}

/** CREATE EXTENSION vector, or a VECTOR_EXTENSION_MISSING error saying what to install where. */
async function ensureVectorExtension(connection: SqlConnection): Promise<void> {
  if (connection.kind === "postgres") {
    const available = await connection.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
    if (available.length === 0) {
      const [{ version } = { version: "" }] = await connection.query<{ version: string }>(
        "SELECT current_setting('server_version_num') AS version",
      );
      const major = Math.floor(Number(version) / 10_000) || "<major>";
      throw memoryStoreError(
        "VECTOR_EXTENSION_MISSING",
        `VectorMemoryService: ${connection.label} has no pgvector extension ("vector" is not in pg_available_extensions). ` +
          `Install pgvector on the database server (Debian/Ubuntu: apt-get install postgresql-${major}-pgvector; ` +
          "or build it from source, or use an image that ships it such as pgvector/pgvector) and start again: " +
          "this service runs CREATE EXTENSION vector itself. Without pgvector, use " +
          "VectorMemoryService on PGlite ({ database: { pglite: {} } }) or DatabaseMemoryService (full-text search, no extension).",
      );
    }
  }
  try {
    await execLockedDdl(connection, "extension vector", "CREATE EXTENSION IF NOT EXISTS vector;");
  } catch (error) {
    const hint =
      connection.kind === "pglite"
        ? "the PGlite instance was created without it: PGlite.create({ extensions: { vector } }) with vector from @electric-sql/pglite-pgvector, or pass { pglite: {} } and this service creates one"
        : "CREATE EXTENSION vector needs a role allowed to create it (a superuser, or the database owner on PostgreSQL 13+ for trusted extensions): run it once as one";
    throw memoryStoreError(
      "VECTOR_EXTENSION_MISSING",
      `VectorMemoryService: could not enable pgvector on ${connection.label}: ${(error as Error).message}; ${hint}`,
      error,
    );
  }
}
