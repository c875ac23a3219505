// Where a SQL memory backend runs: a PostgreSQL server (node-postgres, loaded only when used) or
// PGlite (PostgreSQL in WASM, in process). Both run the same statements through one `query`.
import type { PGlite, PGliteOptions } from "@electric-sql/pglite";
import type { Pool } from "pg";

/**
 * - `{ postgres: "postgres://..." }` or `{ postgres: pool }`: a PostgreSQL server;
 * - `{ pglite: instance }`: a PGlite you created (for VectorMemoryService, created with
 *   `extensions: { vector }` from @electric-sql/pglite-pgvector); `{ pglite: { dataDir } }`: one this
 *   service creates (in memory without dataDir) and closes on close().
 */
export type MemoryDatabase = { postgres: string | Pool } | { pglite: PGlite | { dataDir?: string } };

export interface SqlConnection {
  readonly kind: "postgres" | "pglite";
  /** The server's address with the password hidden, or "PGlite" (for messages). */
  readonly label: string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters (DDL). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` on one connection of its own (PostgreSQL: a pooled client held for `fn`, whose backend
   * pid `cancel` can interrupt; PGlite: its only connection, pid undefined). For statements that must
   * not share a pooled connection's session, such as CREATE INDEX CONCURRENTLY with its own settings.
   */
  dedicated<T>(fn: (query: SqlConnection["query"], pid: number | undefined) => Promise<T>): Promise<T>;
  /** Cancels the statement running on backend `pid` (PostgreSQL; nothing on PGlite). */
  cancel(pid: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the connection. `settings` are session settings (e.g. `hnsw.ef_search`): applied at connect on
 * a pool opened here and on PGlite; a pool you pass keeps its own (set them in its `options`).
 */
export async function openDatabase(
  database: MemoryDatabase,
  pgliteExtensions: Record<string, unknown> = {},
  settings: Record<string, string | number> = {},
): Promise<SqlConnection> {
  const entries = Object.entries(settings);
  if ("postgres" in database) {
    const target = database.postgres;
    if (typeof target === "string") {
      const { default: pg } = await import("pg");
      const options = entries.map(([name, value]) => `-c ${name}=${value}`).join(" ");
      const pool = new pg.Pool({ connectionString: target, max: 4, ...(options === "" ? {} : { options }) });
      return postgresConnection(pool, redactUrl(target), () => pool.end());
    }
    return postgresConnection(target, "the given pg.Pool", async () => {});
  }
  const given: PGlite | { dataDir?: string } = database.pglite;
  const apply = async (db: PGlite) => {
    for (const [name, value] of entries) await db.query("SELECT set_config($1, $2, false)", [name, String(value)]);
  };
  if (isPGlite(given)) {
    await apply(given);
    return pgliteConnection(given, async () => {});
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const options: PGliteOptions = {
    ...(given?.dataDir === undefined ? {} : { dataDir: given.dataDir }),
    extensions: pgliteExtensions as PGliteOptions["extensions"],
  };
  const db: PGlite = await PGlite.create(options);
  await apply(db);
  return pgliteConnection(db, () => db.close());
}

function postgresConnection(pool: Pool, label: string, close: () => Promise<void>): SqlConnection {
  return {
    kind: "postgres",
    label: `PostgreSQL at ${label}`,
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async dedicated(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        const [{ pid } = { pid: 0 }] = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows;
        return await fn(async (sql, params) => (await client.query(sql, params)).rows, pid);
      } catch (error) {
        // A session left with settings or an aborted statement is not handed back to the pool.
        broken = error as Error;
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async cancel(pid) {
      await pool.query("SELECT pg_cancel_backend($1)", [pid]);
    },
    close,
  };
}

function pgliteConnection(db: PGlite, close: () => Promise<void>): SqlConnection {
  return {
    kind: "pglite",
    label: "PGlite",
    async query<T>(sql: string, params?: unknown[]) {
      return (await db.query<T>(sql, params)).rows;
    },
    async exec(sql) {
      await db.exec(sql);
    },
    async dedicated(fn) {
      return fn(async (sql, params) => (await db.query<never>(sql, params)).rows, undefined);
    },
    async cancel() {},
    close,
  };
}

function isPGlite(value: PGlite | { dataDir?: string }): value is PGlite {
  return typeof (value as PGlite | undefined)?.query === "function";
}

/** A URL safe to print: the password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable url>";
  }
}

/** Advisory lock class of this package's DDL ("AG5M"); the second key is the table. */
export const LOCK_CLASS = 0x4147354d;

/**
 * Runs DDL statements as one DO block holding a transaction-scoped advisory lock on `lockName`, so
 * processes creating the same table at once take turns instead of racing in the catalog (two
 * concurrent CREATE ... IF NOT EXISTS can fail with a unique violation).
 */
export async function execLockedDdl(connection: SqlConnection, lockName: string, statements: string): Promise<void> {
  await connection.exec(`DO $agnt5_memory$
BEGIN
  PERFORM pg_advisory_xact_lock(${LOCK_CLASS}, hashtext('${lockName.replace(/'/g, "''")}'));
  ${statements}
END
$agnt5_memory$;`);
}
