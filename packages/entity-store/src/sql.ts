// The SQL backend: one table, the same statements on PostgreSQL (node-postgres) and on PGlite
// (PostgreSQL compiled to WASM). Every operation is a single statement, so the store needs no
// transactions and runs on any `Queryable`: its own pool, a PGlite instance, or the coordinator's
// database handed in (same PostgreSQL, same schema).
//
// The results never depend on the queryable's type parsers: versions come back as `::text`
// and the state as `::text`, parsed here. That is what lets a caller's pool that parses int8 to
// number and jsonb to objects (the coordinator's) and a default pg.Pool (strings) behave alike.
import { createHash } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import { EntityStoreError, invalid, redactUrl } from "./errors.js";
import type {
  CommitResult,
  EntityCommit,
  EntitySnapshot,
  EntityStore,
  ListKeysOptions,
  ListKeysPage,
} from "./types.js";
import { checkEntityId, encodeCursor, normalizeCommit, normalizeListOptions } from "./validate.js";

/** Something SQL can run on: one statement, `$n` parameters, the result rows. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Optional: the same, as a named prepared statement (node-postgres: `{ name, text, values }`),
   * planned once per connection instead of on every call. Planning was most of PostgreSQL's CPU
   * per entity write; without it the store runs `query`.
   */
  queryPrepared?<T = Record<string, unknown>>(name: string, sql: string, params: unknown[]): Promise<T[]>;
}

export interface SqlEntityStoreOptions {
  backend: "postgres" | "pglite";
  /**
   * Schema holding `entity_state` (created if missing); lowercase identifier. Without it the table
   * is named unqualified, so the queryable's `search_path` decides (the coordinator sets one).
   */
  schema?: string;
  /**
   * Create the table (if missing) before the first operation. Default true. Turn it off when the
   * caller runs `entityStoreSchemaSql()` in its own migrations.
   */
  migrate?: boolean;
}

export interface SqlEntityStore extends EntityStore {
  readonly backend: "postgres" | "pglite";
  /** Creates the schema and table if missing. Idempotent; concurrent callers serialize on an advisory lock. */
  migrate(): Promise<void>;
}

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Advisory lock class for this package's DDL ("AG5E"); the second key is the schema. */
const LOCK_CLASS = 0x41473545;

function checkSchema(schema: string | undefined): void {
  if (schema !== undefined && !SCHEMA_RE.test(schema)) {
    throw invalid(`invalid database schema name ${JSON.stringify(schema)}: use [a-z_][a-z0-9_]*`);
  }
}

const qualified = (name: string, schema?: string) => (schema ? `"${schema}".${name}` : name);

interface Tables {
  /** One row per entity: its version and the marker of the write that produced it. */
  entity: string;
  /** One row per state field: a write inserts, updates or deletes only the fields it changed. */
  field: string;
  /** The commit function (see commitFunctionSql). */
  commit: string;
}

const tablesOf = (schema?: string): Tables => ({
  entity: qualified("entity_state", schema),
  field: qualified("entity_field", schema),
  commit: qualified("agnt5_entity_commit", schema),
});

/**
 * The commit as a PL/pgSQL function: PL/pgSQL plans each of its statements once per connection and
 * reuses the plans, so a commit costs a call, not the planning of its statements (which was most
 * of PostgreSQL's and PGlite's CPU per write). It runs inside the caller's one statement, so it is
 * atomic: either the version moves and every changed field with it, or nothing changes.
 * Returns the new version, or NULL when the entity is not at `p_expected` (stale).
 */
function commitFunctionSql({ entity, field, commit }: Tables): string {
  return `CREATE OR REPLACE FUNCTION ${commit}(
    p_type text, p_key text, p_expected bigint, p_sets jsonb, p_deletes jsonb, p_invocation_id text, p_output text
  ) RETURNS bigint LANGUAGE plpgsql AS $agnt5_entity_commit$
  DECLARE
    v_version bigint;
  BEGIN
    IF p_expected = 0 THEN
      -- Version 0 means "no row": a row that exists (whatever its version) wins.
      INSERT INTO ${entity} (type, key, version, last_invocation_id, last_output, updated_at)
      VALUES (p_type, p_key, 1, p_invocation_id, p_output, now())
      ON CONFLICT (type, key) DO NOTHING
      RETURNING version INTO v_version;
      IF v_version IS NULL THEN RETURN NULL; END IF;
      -- Field rows left without an entity (none should be: delete removes both) are cleared.
      DELETE FROM ${field} WHERE type = p_type AND key = p_key;
    ELSE
      -- The compare-and-set: under READ COMMITTED a concurrent update makes it wait for the row,
      -- then re-check the version on the new row. Holding that row lock, this write is the key's
      -- only writer until it commits.
      UPDATE ${entity}
         SET version = version + 1, last_invocation_id = p_invocation_id, last_output = p_output, updated_at = now()
       WHERE type = p_type AND key = p_key AND version = p_expected
      RETURNING version INTO v_version;
      IF v_version IS NULL THEN RETURN NULL; END IF;
      IF jsonb_array_length(p_deletes) > 0 THEN
        DELETE FROM ${field}
         WHERE type = p_type AND key = p_key AND field IN (SELECT jsonb_array_elements_text(p_deletes));
      END IF;
    END IF;
    INSERT INTO ${field} (type, key, field, value)
    SELECT p_type, p_key, f.key, f.value FROM jsonb_each_text(p_sets) f
    ON CONFLICT (type, key, field) DO UPDATE SET value = EXCLUDED.value;
    RETURN v_version;
  END
  $agnt5_entity_commit$;`;
}

/**
 * The statements that move rows of the first layout (every field in one jsonb column,
 * \`entity_state.state\`, rewritten whole by each write) into \`entity_field\`, then drop the column.
 * Idempotent: they do nothing once the column is gone. Run inside a DO block (PL/pgSQL).
 * The coordinator's migration 0006 holds the same statements for its own schema.
 */
function upgradeFromJsonbStateSql(tables: Tables): string {
  return `IF EXISTS (SELECT 1 FROM pg_attribute
              WHERE attrelid = to_regclass('${tables.entity}') AND attname = 'state' AND NOT attisdropped) THEN
    INSERT INTO ${tables.field} (type, key, field, value)
      SELECT s.type, s.key, f.key, f.value FROM ${tables.entity} s, jsonb_each_text(s.state) f
      ON CONFLICT (type, key, field) DO NOTHING;
    ALTER TABLE ${tables.entity} DROP COLUMN state;
  END IF;`;
}

/**
 * The DDL, as one idempotent statement (a DO block: one implicit transaction holding an advisory
 * lock, so processes migrating one schema together serialize instead of racing in the catalog).
 *
 * Two tables: \`entity_state\` holds each entity's version and last-write marker, \`entity_field\`
 * one row per state field holding its JSON text byte for byte (\`value::jsonb\` to query it as
 * JSON). A commit bumps the version (the compare-and-set) and writes only the fields it changed, in
 * one statement, so a write costs the same whatever the size of the rest of the state. Keys and
 * field names use the "C" collation: byte order, the order listKeys pages in, straight from the
 * primary key index. A database holding the first layout (every field in one jsonb column) is
 * upgraded in place.
 */
export function entityStoreSchemaSql(schema?: string): string {
  checkSchema(schema);
  const lockKey = schema ? `'${schema}'` : "coalesce(current_schema(), '')";
  const tables = tablesOf(schema);
  return `DO $agnt5_entity_store$
BEGIN
  PERFORM pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(${lockKey}));
  ${
    schema
      ? `BEGIN
    CREATE SCHEMA IF NOT EXISTS "${schema}";
  EXCEPTION WHEN unique_violation THEN NULL; -- created concurrently by someone not holding our lock
  END;`
      : ""
  }
  CREATE TABLE IF NOT EXISTS ${tables.entity} (
    type               text COLLATE "C" NOT NULL,
    key                text COLLATE "C" NOT NULL,
    version            bigint      NOT NULL CHECK (version > 0),
    last_invocation_id text,
    last_output        text,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (type, key)
  );
  CREATE TABLE IF NOT EXISTS ${tables.field} (
    type  text COLLATE "C" NOT NULL,
    key   text COLLATE "C" NOT NULL,
    field text COLLATE "C" NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (type, key, field)
  );
  ${upgradeFromJsonbStateSql(tables)}
  ${commitFunctionSql(tables)}
END
$agnt5_entity_store$`;
}

interface StateRow {
  version: string;
  state: string;
  last_invocation_id: string | null;
  last_output: string | null;
}

class SqlStore implements SqlEntityStore {
  readonly backend: "postgres" | "pglite";
  readonly #db: Queryable;
  readonly #schema: string | undefined;
  readonly #autoMigrate: boolean;
  readonly #release: (() => Promise<void>) | undefined;
  readonly #sql: Statements;
  /** Prepared-statement names: a hash of the text, so stores on one pool in other schemas never collide. */
  readonly #names: Record<keyof Statements, string>;
  #ready: Promise<void> | undefined;
  #closed = false;

  constructor(db: Queryable, options: SqlEntityStoreOptions, release?: () => Promise<void>) {
    if (options.backend !== "postgres" && options.backend !== "pglite") {
      throw invalid(`SQL entity store backend must be "postgres" or "pglite", got ${String(options.backend)}`);
    }
    checkSchema(options.schema);
    this.backend = options.backend;
    this.#db = db;
    this.#schema = options.schema;
    this.#autoMigrate = options.migrate ?? true;
    this.#release = release;
    this.#sql = statements(tablesOf(options.schema));
    this.#names = Object.fromEntries(
      Object.entries(this.#sql).map(([key, sql]) => [
        key,
        `agnt5_es_${createHash("sha1").update(sql).digest("hex").slice(0, 16)}`,
      ]),
    ) as Record<keyof Statements, string>;
  }

  migrate(): Promise<void> {
    this.#assertOpen();
    this.#ready ??= this.#db.query(entityStoreSchemaSql(this.#schema)).then(
      () => {},
      (err: unknown) => {
        this.#ready = undefined; // let the next call try again
        throw err;
      },
    );
    return this.#ready;
  }

  async load(type: string, key: string): Promise<EntitySnapshot> {
    checkEntityId(type, key);
    await this.#prepare();
    const [row] = await this.#run<StateRow>("load", [type, key]);
    if (!row) return { state: {}, version: 0 };
    // JSON.parse defines own properties, so a field named "__proto__" stays a field.
    const snapshot: EntitySnapshot = { state: JSON.parse(row.state), version: Number(row.version) };
    if (row.last_invocation_id !== null) {
      snapshot.lastWrite = { invocationId: row.last_invocation_id, output: row.last_output ?? "" };
    }
    return snapshot;
  }

  async commit(type: string, key: string, commit: EntityCommit): Promise<CommitResult> {
    checkEntityId(type, key);
    const change = normalizeCommit(commit);
    await this.#prepare();
    const sets = JSON.stringify(Object.fromEntries(change.sets));
    const deletes = JSON.stringify(change.deletes);
    const invocationId = change.write?.invocationId ?? null;
    const output = change.write?.output ?? null;
    for (let attempt = 1; ; attempt++) {
      // One statement (the commit function), so nothing is ever half-written.
      const rows = await this.#run<{ version: string | null }>("commit", [
        type,
        key,
        change.expectedVersion,
        sets,
        deletes,
        invocationId,
        output,
      ]);
      if (rows[0]?.version) return { ok: true, version: Number(rows[0].version) };
      const [current] = await this.#run<{ version: string }>("version", [type, key]);
      const currentVersion = current ? Number(current.version) : 0;
      // The row moved back to the expected version between the two statements (deleted and
      // re-created): the compare-and-set may succeed now, so try again.
      if (currentVersion !== change.expectedVersion || attempt >= 3) {
        return { ok: false, reason: "stale", currentVersion };
      }
    }
  }

  async listKeys(type: string, options?: ListKeysOptions): Promise<ListKeysPage> {
    const { prefix, prefixEnd, limit, after } = normalizeListOptions(type, options);
    await this.#prepare();
    const rows = await this.#run<{ key: string }>("listKeys", [
      type,
      prefix,
      prefixEnd ?? null,
      after ?? null,
      limit + 1,
    ]);
    const keys = rows.slice(0, limit).map((r) => r.key);
    return rows.length > limit ? { keys, cursor: encodeCursor(keys[keys.length - 1]!) } : { keys };
  }

  async delete(type: string, key: string): Promise<void> {
    checkEntityId(type, key);
    await this.#prepare();
    await this.#run("delete", [type, key]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#release?.();
  }

  #run<T>(statement: keyof Statements, params: unknown[]): Promise<T[]> {
    const sql = this.#sql[statement];
    return this.#db.queryPrepared
      ? this.#db.queryPrepared<T>(this.#names[statement], sql, params)
      : this.#db.query<T>(sql, params);
  }

  async #prepare(): Promise<void> {
    this.#assertOpen();
    if (this.#autoMigrate) await this.migrate();
  }

  #assertOpen(): void {
    if (this.#closed) throw new EntityStoreError("CLOSED", `the ${this.backend} entity store is closed`);
  }
}

type Statements = ReturnType<typeof statements>;

function statements({ entity, field, commit }: Tables) {
  return {
    // One statement, so the version and the fields come from one snapshot.
    load: `SELECT s.version::text AS version, s.last_invocation_id, s.last_output,
                  (SELECT coalesce(jsonb_object_agg(f.field, f.value), '{}'::jsonb)::text
                     FROM ${field} f WHERE f.type = s.type AND f.key = s.key) AS state
             FROM ${entity} s WHERE s.type = $1::text AND s.key = $2::text`,
    version: `SELECT version::text AS version FROM ${entity} WHERE type = $1::text AND key = $2::text`,
    // The sets as one JSON object (field -> JSON text), the deletes as one JSON array: both travel
    // as text, which PostgreSQL and PGlite bind alike.
    commit: `SELECT ${commit}($1::text, $2::text, $3::bigint, $4::text::jsonb, $5::text::jsonb, $6::text, $7::text)::text
               AS version`,
    listKeys: `SELECT key FROM ${entity}
                WHERE type = $1::text AND key >= $2::text
                  AND ($3::text IS NULL OR key < $3::text)
                  AND ($4::text IS NULL OR key > $4::text)
                ORDER BY key
                LIMIT $5::int`,
    delete: `WITH removed AS (DELETE FROM ${entity} WHERE type = $1::text AND key = $2::text)
             DELETE FROM ${field} WHERE type = $1::text AND key = $2::text`,
  };
}

/**
 * An entity store on a database you already have: the coordinator passes its own (PostgreSQL or
 * PGlite) so entity state lives next to invocations and journals. `close()` leaves it open.
 */
export function createSqlEntityStore(queryable: Queryable, options: SqlEntityStoreOptions): SqlEntityStore {
  return new SqlStore(queryable, options);
}

// ------------------------------------------------------------------ PostgreSQL

export interface PostgresEntityStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Schema holding the table (created if missing). Default: the connection's search_path (public). */
  schema?: string;
  /** Pool size, default 10. */
  poolSize?: number;
}

/** Opens its own pg pool and creates the table if missing; fails clearly if PostgreSQL cannot be reached. */
export async function openPostgresEntityStore(options: PostgresEntityStoreOptions): Promise<SqlEntityStore> {
  checkSchema(options.schema);
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  // An idle client dying (server restart) emits 'error' on the pool; unhandled, it would crash the
  // process. The pool drops that client and the next query gets a fresh connection or fails.
  pool.on("error", () => {});
  const store = new SqlStore(
    {
      async query<T>(sql: string, params?: unknown[]) {
        return (await pool.query(sql, params)).rows as T[];
      },
      async queryPrepared<T>(name: string, sql: string, params: unknown[]) {
        return (await pool.query({ name, text: sql, values: params })).rows as T[];
      },
    },
    { backend: "postgres", ...(options.schema ? { schema: options.schema } : {}) },
    () => pool.end(),
  );
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    const where = `${redactUrl(options.url)}${options.schema ? ` (schema ${options.schema})` : ""}`;
    throw new EntityStoreError(
      "UNAVAILABLE",
      `cannot open the PostgreSQL entity store at ${where}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return store;
}

// ---------------------------------------------------------------------- PGlite

export type PgliteEntityStoreOptions =
  | {
      /** Directory holding the PGlite cluster (created if missing). The store owns and closes it. */
      dataDir: string;
      schema?: string;
    }
  | {
      /** A PGlite instance you opened; `close()` leaves it open. */
      pglite: PGlite;
      schema?: string;
    };

/** Embedded PostgreSQL: the same SQL on PGlite. A fresh data directory takes a few seconds to initialize. */
export async function openPgliteEntityStore(options: PgliteEntityStoreOptions): Promise<SqlEntityStore> {
  checkSchema(options.schema);
  let db: PGlite;
  let release: (() => Promise<void>) | undefined;
  if ("pglite" in options) {
    db = options.pglite;
  } else {
    const [{ PGlite: PGliteClass }, { mkdir }] = await Promise.all([
      import("@electric-sql/pglite"),
      import("node:fs/promises"),
    ]);
    await mkdir(options.dataDir, { recursive: true });
    const owned = await PGliteClass.create({ dataDir: options.dataDir });
    db = owned;
    release = async () => {
      if (!owned.closed) await owned.close();
    };
  }
  const store = new SqlStore(
    {
      async query<T>(sql: string, params?: unknown[]) {
        return (await db.query<T>(sql, params)).rows;
      },
    },
    { backend: "pglite", ...(options.schema ? { schema: options.schema } : {}) },
    release,
  );
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw new EntityStoreError("UNAVAILABLE", `cannot open the PGlite entity store: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return store;
}
