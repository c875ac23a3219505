// Schema migrations: numbered `NNNN_name.sql` files applied in order.
//
// All pending migrations run in ONE transaction that first takes a
// transaction-scoped advisory lock, so coordinators starting together against
// one PostgreSQL serialize here: the second waits, then sees the versions the
// first recorded and applies nothing. A failing migration rolls back all.
// Never edit an applied migration; add a new file instead.
import { readdir, readFile } from "node:fs/promises";
import type { Database } from "./database.js";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrateResult {
  /** Versions applied by this call (empty if the schema was up to date). */
  applied: number[];
  /** Highest version recorded in the database after this call. */
  current: number;
}

/** Shipped next to the compiled module (build copies src/store/migrations). */
export const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);

const FILE_RE = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;

// Arbitrary constant namespacing our advisory locks ("AG5M"); the second key
// is the schema, so test schemas on one database don't block each other.
const LOCK_CLASS = 0x4147354d;

export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const m = FILE_RE.exec(file);
    if (!m) throw new Error(`bad migration file name ${file}: expected NNNN_name.sql`);
    const version = Number(m[1]);
    if (migrations.some((x) => x.version === version)) {
      throw new Error(`duplicate migration version ${version} (${file})`);
    }
    migrations.push({ version, name: m[2] ?? file, sql: await readFile(new URL(file, dir), "utf8") });
  }
  return migrations.sort((a, b) => a.version - b.version);
}

export async function migrate(db: Database, migrations?: Migration[]): Promise<MigrateResult> {
  const all = migrations ?? (await loadMigrations());
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock($1::int, hashtext(coalesce(current_schema(), '')))`, [LOCK_CLASS]);
    await tx.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    const rows = await tx.query<{ version: number }>(`SELECT version FROM schema_migrations`);
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of all) {
      if (done.has(m.version)) continue;
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new Error(`migration ${m.version}_${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      await tx.query(`INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2::text)`, [m.version, m.name]);
      applied.push(m.version);
      done.add(m.version);
    }
    // A newer coordinator may have applied versions we don't know; we keep
    // running (rolling deploys) and report the real current version.
    return { applied, current: Math.max(0, ...done) };
  });
}
