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
   * Rows from which an HNSW index (cosine) serves searches, built when a write crosses it (default
   * 10,000). Below it a search scans every row: exact, and fast at that size.
   */
  hnswThreshold?: number;
  /**
   * HNSW parameters: build (pgvector's defaults, m 16 and ef_construction 64) and search (ef_search,
   * default here 100 rather than pgvector's 40: better recall for a few milliseconds; applied on PGlite
   * and on a pool this service opens, not on a pool you pass).
   */
  hnsw?: { m?: number; efConstruction?: number; efSearch?: number };
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
  #indexed = false;

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
    const connection = await openDatabase(this.#options.database, vectorExtension, { "hnsw.ef_search": efSearch });
    try {
      await ensureVectorExtension(connection);
      if (this.#options.schema !== undefined)
        await execLockedDdl(connection, this.#table, `CREATE SCHEMA IF NOT EXISTS "${this.#options.schema}";`);
      const [row] = await connection.query<{ type: string | null; indexed: boolean }>(
        `SELECT format_type(a.atttypid, a.atttypmod) AS type,
           EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
                   WHERE i.indrelid = a.attrelid AND am.amname = 'hnsw') AS indexed
         FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attname = 'embedding'`,
        [this.#table],
      );
      if (row?.type) {
        this.#dimensions = Number(/vector\((\d+)\)/.exec(row.type)?.[1]);
        this.#indexed = row.indexed;
      }
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

  /** Builds the HNSW index once the table holds `hnswThreshold` rows (an exact scan is fine below). */
  async #indexIfLarge(): Promise<void> {
    if (this.#indexed) return;
    const [{ count } = { count: 0 }] = await this.#query<{ count: number }>(
      `SELECT count(*)::int AS count FROM ${this.#table}`,
    );
    if (count >= this.#threshold) await this.createIndex();
  }

  /** Builds the HNSW index now (idempotent); searches use it from then on. */
  async createIndex(): Promise<void> {
    const m = this.#options.hnsw?.m ?? 16;
    const ef = this.#options.hnsw?.efConstruction ?? 64;
    if (this.#dimensions === undefined) return;
    await this.#query(
      `CREATE INDEX IF NOT EXISTS "${this.#tableName}_embedding_hnsw" ON ${this.#table}
       USING hnsw (embedding vector_cosine_ops) WITH (m = ${Math.trunc(m)}, ef_construction = ${Math.trunc(ef)})`,
    );
    this.#indexed = true;
  }

  /** Whether searches go through the HNSW index (else they scan every row). */
  get indexed(): boolean {
    return this.#indexed;
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
    // ORDER BY the distance operator itself, so the HNSW index (when built) serves the query.
    const rows = await this.#query<RecordRow & { distance: number }>(
      `SELECT ${RECORD_COLUMNS}, (embedding <=> $1::vector)::float8 AS distance
       FROM ${this.#table} WHERE ${where}
       ORDER BY embedding <=> $1::vector, key LIMIT $2`,
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

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) await (await connection.catch(() => undefined))?.close();
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
