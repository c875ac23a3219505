// Test support shared by the store suites: the same tests run against real
// PostgreSQL (a fresh schema) and PGlite (a temp dir). PostgreSQL being
// unreachable is a test FAILURE, not a skip. (Excluded from the build.)
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import pg from "pg";
import { newPgliteDataDir } from "../../test-support/pglite-template.js";
import type { Database, Queryable } from "../database.js";
import type { NewInvocation } from "../invocation-store.js";
import type { Store } from "../open-store.js";
import { openStore } from "../open-store.js";

export const PG_URL = process.env.AGNT5_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface Backend {
  name: "postgres" | "pglite";
  /** Prepares isolated storage; throws a clear error if unusable. */
  setup(): Promise<void>;
  /** Opens (or reopens) the same storage. */
  open(): Promise<Store>;
  teardown(): Promise<void>;
}

export const testSchemaName = () => `agnt5_test_${randomUUID().replaceAll("-", "").slice(0, 16)}`;

export function postgresBackend(): Backend {
  const schema = testSchemaName();
  let reachable = false;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    name: "postgres",
    async setup() {
      try {
        await admin("SELECT 1");
        reachable = true;
      } catch (err) {
        throw new Error(
          `PostgreSQL is not reachable at ${PG_URL} (${(err as Error).message}). ` +
            `Start it or point AGNT5_TEST_DATABASE_URL at a reachable database.`,
        );
      }
    },
    open: () => openStore({ databaseUrl: PG_URL, databaseSchema: schema, dataDir: "/nonexistent" }),
    teardown: async () => {
      if (reachable) await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

export function pgliteBackend(): Backend {
  let dir: string | undefined;
  return {
    name: "pglite",
    async setup() {
      dir = await newPgliteDataDir("agnt5-store-test-");
    },
    open: () => openStore({ dataDir: dir ?? "" }),
    teardown: async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A view of `db` whose transactions run in another schema (created if missing): lets a test
 * migrate a fresh schema without opening another database (PGlite's first open is slow).
 * Only `transaction` is scoped; plain `query`/`exec` still use the default schema.
 */
export async function inSchema(db: Database, schema: string): Promise<Database> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema ${schema}`);
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  return {
    ...db,
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      db.transaction(async (tx) => {
        await tx.exec(`SET LOCAL search_path TO ${schema}`);
        return fn(tx);
      }),
  };
}

/**
 * Ids in creation order, like production's time-ordered ids: PGlite's clock has millisecond
 * precision, so rows created in one millisecond are ordered by id, and tests compare orders.
 */
let sequence = 0;
export const orderedId = (prefix = "inv") =>
  `${prefix}_${Date.now().toString(36)}_${String(sequence++).padStart(6, "0")}_${randomUUID().slice(0, 8)}`;

export const newInv = (over: Partial<NewInvocation> = {}): NewInvocation => ({
  id: orderedId(),
  service: "svc",
  handler: "greet",
  input: JSON.stringify({ name: "Ada" }),
  headers: { "x-trace": "t1" },
  ...over,
});
