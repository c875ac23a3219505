// Against real PostgreSQL: prepared group-commit statements return what unprepared ones do, and
// only small batches are prepared. PostgreSQL being unreachable is a test FAILURE, not a skip.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PG_URL, testSchemaName } from "./__fixtures__/backends.js";
import type { Queryable } from "./database.js";
import { PREPARED_MAX_ROWS, queryBatch } from "./prepared-writes.js";

const schema = testSchemaName();
const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
const onClient: Queryable = {
  query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
  exec: async (sql: string) => {
    await client.query(sql);
  },
  queryPrepared: async <T>(name: string, sql: string, params: unknown[]) =>
    (await client.query({ name, text: sql, values: params })).rows as T[],
};

/** A multi-row insert like the group commit's, for `ids`. */
function insert(tx: Queryable, ids: number[]) {
  const values = ids.map((_, i) => `($${i + 1}::int)`).join(", ");
  return queryBatch<{ id: number }>(
    tx,
    ids.length,
    `INSERT INTO t (id) VALUES ${values} ON CONFLICT DO NOTHING RETURNING id`,
    ids,
  );
}

const preparedTexts = async () =>
  (await client.query<{ statement: string }>(`SELECT statement FROM pg_prepared_statements`)).rows.map(
    (r) => r.statement,
  );

beforeAll(async () => {
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id int PRIMARY KEY)`);
});

afterAll(async () => {
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

describe("queryBatch", () => {
  it("runs a small batch's statement prepared, once per text, with the same results as unprepared", async () => {
    expect(await insert(onClient, [1])).toEqual([{ id: 1 }]);
    expect(await insert(onClient, [2])).toEqual([{ id: 2 }]);
    expect(await insert(onClient, [2])).toEqual([]); // the conflict clause still applies
    expect(await insert(onClient, [3, 4])).toEqual([{ id: 3 }, { id: 4 }]);
    const texts = await preparedTexts();
    expect(texts.filter((t) => t.includes("VALUES ($1::int) ON"))).toHaveLength(1);
    expect(texts.filter((t) => t.includes("VALUES ($1::int), ($2::int) ON"))).toHaveLength(1);
  });

  it("runs a batch bigger than PREPARED_MAX_ROWS unprepared", async () => {
    const ids = Array.from({ length: PREPARED_MAX_ROWS + 1 }, (_, i) => 100 + i);
    expect((await insert(onClient, ids)).map((r) => r.id)).toEqual(ids);
    const texts = await preparedTexts();
    expect(texts.some((t) => t.includes(`$${PREPARED_MAX_ROWS + 1}::int`))).toBe(false);
  });

  it("uses plain queries where the queryable has no prepared statements (PGlite)", async () => {
    const plain: Queryable = { query: onClient.query, exec: onClient.exec };
    expect(await insert(plain, [50])).toEqual([{ id: 50 }]);
  });
});
