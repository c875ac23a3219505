import type {
  MemoryChanges,
  MemoryFilter,
  MemoryRecord,
  MemorySearchResult,
  MemoryService,
  MemoryWrite,
} from "@agnt5/adk";
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

export interface DatabaseMemoryServiceOptions {
  database: MemoryDatabase;
  /** Table name (default "agnt5_memories"), created if missing. */
  table?: string;
  /** Schema of the table (created if missing); default: the connection's search_path. */
  schema?: string;
  /** The text search configuration: stemming and stop words (default "english"). */
  language?: string;
}

/**
 * Memories in PostgreSQL (or PGlite) searched with PostgreSQL full-text search: no embedding model
 * needed. A query matches memories sharing any of its words (stemmed: "databases" finds "database"),
 * ranked by ts_rank normalized to 0..1 (more shared words, and rarer ones, rank higher).
 */
export class DatabaseMemoryService implements MemoryService {
  readonly name: string;
  readonly #options: DatabaseMemoryServiceOptions;
  readonly #table: string;
  readonly #language: string;
  #connection: Promise<SqlConnection> | undefined;

  constructor(options: DatabaseMemoryServiceOptions) {
    this.#options = options;
    this.#table = qualifiedTable(options.table ?? "agnt5_memories", options.schema, "DatabaseMemoryService");
    this.#language = options.language ?? "english";
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.#language)) {
      throw memoryStoreError(
        "INVALID_ARGUMENT",
        `DatabaseMemoryService: language ${JSON.stringify(this.#language)} is not a text search configuration name`,
      );
    }
    this.name = `full-text (${"postgres" in options.database ? "PostgreSQL" : "PGlite"})`;
  }

  /** Connects and creates the table if missing; every operation does it first, call it to fail early. */
  start(): Promise<SqlConnection> {
    this.#connection ??= this.#open().catch((error) => {
      this.#connection = undefined;
      throw error;
    });
    return this.#connection;
  }

  async #open(): Promise<SqlConnection> {
    const connection = await openDatabase(this.#options.database);
    try {
      const [{ exists } = { exists: false }] = await connection.query<{ exists: boolean }>(
        "SELECT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = $1) AS exists",
        [this.#language],
      );
      if (!exists) {
        throw memoryStoreError(
          "INVALID_ARGUMENT",
          `DatabaseMemoryService: ${connection.label} has no text search configuration "${this.#language}" (see pg_ts_config)`,
        );
      }
      const schema = this.#options.schema;
      const name = this.#options.table ?? "agnt5_memories";
      await execLockedDdl(
        connection,
        this.#table,
        `${schema === undefined ? "" : `CREATE SCHEMA IF NOT EXISTS "${schema}";`}
        CREATE TABLE IF NOT EXISTS ${this.#table} (
          key text COLLATE "C" PRIMARY KEY,
          content text NOT NULL,
          metadata jsonb NOT NULL DEFAULT '{}',
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          search tsvector GENERATED ALWAYS AS (to_tsvector('${this.#language}'::regconfig, content)) STORED
        );
        CREATE INDEX IF NOT EXISTS "${name}_search" ON ${this.#table} USING gin (search);
        CREATE INDEX IF NOT EXISTS "${name}_metadata" ON ${this.#table} USING gin (metadata jsonb_path_ops);`,
      );
    } catch (error) {
      await connection.close();
      throw error;
    }
    return connection;
  }

  async #query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return (await this.start()).query<T>(sql, params);
  }

  async upsert(writes: readonly MemoryWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await this.#query(
      `INSERT INTO ${this.#table} (key, content, metadata)
       SELECT key, content, metadata FROM jsonb_to_recordset($1::jsonb) AS w(key text, content text, metadata jsonb)
       ON CONFLICT (key) DO UPDATE SET content = excluded.content, metadata = excluded.metadata, updated_at = now()`,
      [JSON.stringify(lastWritePerKey(writes))],
    );
  }

  get(keys: readonly string[]): Promise<MemoryRecord[]> {
    return getRecords((sql, params) => this.#query(sql, params), this.#table, keys);
  }

  async search(
    query: string,
    options: { limit: number; filter?: MemoryFilter; minScore?: number },
  ): Promise<MemorySearchResult[]> {
    // Any of the query's words (OR), so a question in natural language finds memories sharing some of them.
    const params: unknown[] = [query, options.limit];
    const where = filterSql(options.filter, params);
    params.push(options.minScore ?? 0);
    const rows = await this.#query<RecordRow & { score: number }>(
      `WITH q AS (
         -- Cast, not to_tsquery(): the lexemes are stemmed already, stemming them again would change them.
         SELECT coalesce((SELECT string_agg(quote_literal(lexeme), ' | ') FROM unnest(to_tsvector('${this.#language}'::regconfig, $1))), '')::tsquery AS query
       )
       SELECT ${RECORD_COLUMNS}, ts_rank(search, q.query, 32)::float8 AS score
       FROM ${this.#table}, q
       WHERE search @@ q.query AND ${where} AND ts_rank(search, q.query, 32) >= $${params.length}
       ORDER BY score DESC, key LIMIT $2`,
      params,
    );
    return rows.map((row) => ({ ...toRecord(row), score: Number(row.score) }));
  }

  async update(key: string, changes: MemoryChanges): Promise<MemoryRecord | undefined> {
    const sets = Object.entries(changes.metadata ?? {}).filter(([, value]) => value !== null);
    const removes = Object.entries(changes.metadata ?? {}).flatMap(([field, value]) => (value === null ? [field] : []));
    const rows = await this.#query<RecordRow>(
      `UPDATE ${this.#table} SET content = coalesce($2, content), metadata = (metadata - $3::text[]) || $4::jsonb,
         updated_at = now() WHERE key = $1 RETURNING ${RECORD_COLUMNS}`,
      [key, changes.content ?? null, removes, JSON.stringify(Object.fromEntries(sets))],
    );
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  delete(keys: readonly string[]): Promise<number> {
    return deleteRecords((sql, params) => this.#query(sql, params), this.#table, keys);
  }

  listKeys(options: { prefix?: string; filter: MemoryFilter; limit?: number }): Promise<string[]> {
    return listRecordKeys((sql, params) => this.#query(sql, params), this.#table, options);
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) await (await connection.catch(() => undefined))?.close();
  }
}

/** One row per key (the last write wins, as two stores in a row would): one INSERT cannot touch a row twice. */
export function lastWritePerKey<T extends { key: string }>(writes: readonly T[]): T[] {
  return [...new Map(writes.map((write) => [write.key, write])).values()];
}
