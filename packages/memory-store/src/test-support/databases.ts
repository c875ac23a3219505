// The two databases the SQL backends are tested on, for real: the PostgreSQL server of the test
// environment (a fresh schema per test file, dropped afterwards) and PGlite (in memory).
import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import pg from "pg";

export const DATABASE_URL = process.env.AGNT5_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A schema name no other run uses. */
export function uniqueSchema(prefix = "mem"): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A PGlite in memory with pgvector loaded. */
export function pgliteWithVector(): Promise<PGlite> {
  return PGlite.create({ extensions: { vector } });
}
