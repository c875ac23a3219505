// A minimal database abstraction over two backends that speak the same SQL:
// real PostgreSQL (node-postgres pool) and embedded PGlite (Postgres in WASM).
//
// Both backends are configured to return the same JS types:
//   timestamptz / timestamp / date -> Date   (pg's own text parser on both)
//   int8 (bigint, count(*))        -> number (bigint only beyond 2^53)
//   numeric                        -> number
//   json / jsonb                   -> parsed JSON value
import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

/** Something you can run SQL on: the database itself or an open transaction. */
export interface Queryable {
  /** One statement, `$n` parameters. Returns the result rows. */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * A multi-statement script without parameters (migrations). Separate from
   * `query` because PGlite's `query` uses the extended protocol, which only
   * accepts a single statement.
   */
  exec(sql: string): Promise<void>;
  /**
   * PostgreSQL only: `query` as a named prepared statement, planned once per connection (the
   * entity store's commit and load use it; planning was most of their cost).
   */
  queryPrepared?<T>(name: string, sql: string, params: unknown[]): Promise<T[]>;
}

export interface Database extends Queryable {
  readonly kind: "postgres" | "pglite";
  /** Runs `fn` in BEGIN/COMMIT; rolls back if it throws. Resolves after COMMIT. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- type parsing

const OID = { INT8: 20, NUMERIC: 1700, DATE: 1082, TIMESTAMP: 1114, TIMESTAMPTZ: 1184 } as const;

function parseInt8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

// pg's timestamp parser copes with every offset/precision/infinity format the
// server can print; reusing it for PGlite guarantees identical Dates.
const textParser = (oid: number) => pg.types.getTypeParser(oid, "text") as (text: string) => unknown;

const customParsers: Record<number, (text: string) => unknown> = {
  [OID.INT8]: parseInt8,
  [OID.NUMERIC]: Number,
  [OID.DATE]: textParser(OID.DATE),
  [OID.TIMESTAMP]: textParser(OID.TIMESTAMP),
  [OID.TIMESTAMPTZ]: textParser(OID.TIMESTAMPTZ),
};

// Per-pool type config, so we never mutate pg's process-global parsers.
const pgTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    (format ?? "text") === "text" && customParsers[oid]
      ? customParsers[oid]
      : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
};

// ------------------------------------------------------------------ PostgreSQL

export interface PostgresOptions {
  url: string;
  /** Schema to use (created if missing). Lowercase identifier only. */
  schema?: string;
  poolSize?: number;
  /**
   * Session settings every pooled connection starts with (`-c name=value` startup options, no
   * extra round trip): a cluster replica's fencing token and its idle-in-transaction timeout.
   */
  sessionSettings?: Record<string, string>;
}

const SETTING_NAME_RE = /^[a-z_][a-z0-9_.]*$/;
const SETTING_VALUE_RE = /^[A-Za-z0-9_.:-]*$/;

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const { url, schema, poolSize = 10, sessionSettings = {} } = options;
  if (schema !== undefined && !SCHEMA_RE.test(schema)) {
    throw new Error(`invalid database schema name ${JSON.stringify(schema)}: use [a-z_][a-z0-9_]*`);
  }
  if (schema) await ensureSchema(url, schema);

  const startup = schema ? [`-c search_path=${schema}`] : [];
  for (const [name, value] of Object.entries(sessionSettings)) {
    // Startup options are not quoted: only plain names and values go in.
    if (!SETTING_NAME_RE.test(name) || !SETTING_VALUE_RE.test(value)) {
      throw new Error(`invalid session setting ${JSON.stringify(name)}=${JSON.stringify(value)}`);
    }
    startup.push(`-c ${name}=${value}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: pgTypes,
    // Startup options: every pooled connection gets the search_path (and the session settings)
    // before its first query, with no extra round trip and no race with the first query.
    ...(startup.length ? { options: startup.join(" ") } : {}),
  });
  // An idle client dying (server restart, network) emits 'error' on the pool;
  // without a listener that would crash the process. The pool already drops
  // the client; the next query gets a fresh connection or fails visibly.
  pool.on("error", () => {});

  const asQueryable = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      const res = await client.query(sql, params);
      return res.rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql); // no params -> simple protocol, multi-statement OK
    },
    async queryPrepared<T>(name: string, sql: string, params: unknown[]) {
      const res = await client.query({ name, text: sql, values: params });
      return res.rows as T[];
    },
  });

  return {
    kind: "postgres",
    ...asQueryable(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out connection the server ends (idle_in_transaction_session_timeout after a long
      // pause, a restart) emits 'error'; unheard, that would crash the process. The transaction's
      // next query fails instead, and the connection is not reused.
      const onError = (error: Error) => {
        broken = error;
      };
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        const result = await fn(asQueryable(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch((rollbackErr: Error) => {
          broken = rollbackErr; // connection is unusable: destroy, don't reuse
        });
        throw err;
      } finally {
        client.off("error", onError);
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

async function ensureSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (err) {
    // Two processes racing CREATE SCHEMA IF NOT EXISTS: the loser gets a
    // unique violation on pg_namespace even though the schema now exists.
    if ((err as { code?: string }).code !== "23505") throw err;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------- PGlite

export interface PgliteOptions {
  /** Directory holding the PGlite cluster files (created if missing). */
  dataDir: string;
}

export async function openPglite(options: PgliteOptions): Promise<Database> {
  await mkdir(options.dataDir, { recursive: true });
  // PGlite is single-connection and serializes queries and transactions
  // internally, so no pool or locking is needed here.
  const db = await PGlite.create({ dataDir: options.dataDir, parsers: customParsers });

  const asQueryable = (target: Pick<PGlite, "query" | "exec">): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      const res = await target.query<T>(sql, params);
      return res.rows;
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  });

  return {
    kind: "pglite",
    ...asQueryable(db),
    transaction: (fn) => db.transaction((tx) => fn(asQueryable(tx))),
    async close() {
      if (!db.closed) await db.close();
    },
  };
}
