// PostgreSQL/PGlite specifics beyond the conformance suite: the tables, the migration (and the
// upgrade of the first, one-jsonb-column layout), writes that touch only their fields, running on a
// database the caller owns (the coordinator's), and failing clearly.
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createSqlEntityStore,
  openPgliteEntityStore,
  openPostgresEntityStore,
  type Queryable,
  type SqlEntityStore,
} from "./sql.js";
import { PG_URL, pgAdmin, postgresReachable, testSchemaName } from "./test-support/backends.js";

const queryableOf = (pool: pg.Pool): Queryable => ({
  async query<T>(sql: string, params?: unknown[]) {
    return (await pool.query(sql, params)).rows as T[];
  },
});

describe("SQL entity store on PostgreSQL", () => {
  const schemas: string[] = [];
  const pools: pg.Pool[] = [];
  const fresh = () => {
    const schema = testSchemaName();
    schemas.push(schema);
    return schema;
  };
  const pool = (config: pg.PoolConfig = {}) => {
    const p = new pg.Pool({ connectionString: PG_URL, max: 4, ...config });
    pools.push(p);
    return p;
  };

  beforeEach(postgresReachable);
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    for (const schema of schemas) await pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it("creates entity_state and entity_field idempotently, even when several processes migrate one schema at once", async () => {
    const schema = fresh();
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => openPostgresEntityStore({ url: PG_URL, schema, poolSize: 2 })),
    );
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      const columns = await queryableOf(pool()).query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns
          WHERE table_schema = $1 AND table_name = 'entity_state' ORDER BY ordinal_position`,
        [schema],
      );
      expect(columns.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
        "type text",
        "key text",
        "version bigint",
        "last_invocation_id text",
        "last_output text",
        "updated_at timestamp with time zone",
      ]);
      const fieldColumns = await queryableOf(pool()).query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns
          WHERE table_schema = $1 AND table_name = 'entity_field' ORDER BY ordinal_position`,
        [schema],
      );
      expect(fieldColumns.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
        "type text",
        "key text",
        "field text",
        "value text",
      ]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("keeps each field's JSON text in its own row, byte for byte, so SQL can read the state", async () => {
    const schema = fresh();
    const store = await openPostgresEntityStore({ url: PG_URL, schema });
    try {
      await store.commit("Cart", "c1", {
        expectedVersion: 0,
        sets: { count: "3", owner: '{ "name": "Ada" }' },
        deletes: [],
        write: { invocationId: "inv_1", output: '{"ok":true}' },
      });
      const [row] = await queryableOf(pool()).query<Record<string, unknown>>(
        `SELECT version, last_invocation_id, last_output, updated_at <= now() AS fresh
           FROM ${schema}.entity_state WHERE type = 'Cart' AND key = 'c1'`,
      );
      expect(row).toEqual({ version: "1", last_invocation_id: "inv_1", last_output: '{"ok":true}', fresh: true });
      const fields = await queryableOf(pool()).query<Record<string, unknown>>(
        `SELECT field, value, value::jsonb ->> 'name' AS name FROM ${schema}.entity_field
          WHERE type = 'Cart' AND key = 'c1' ORDER BY field`,
      );
      expect(fields).toEqual([
        { field: "count", value: "3", name: null },
        { field: "owner", value: '{ "name": "Ada" }', name: "Ada" },
      ]);
    } finally {
      await store.close();
    }
  });

  it("a write touches only the field rows it sets or deletes; a refused one touches none", async () => {
    const schema = fresh();
    const store = await openPostgresEntityStore({ url: PG_URL, schema });
    const rowVersions = async () =>
      Object.fromEntries(
        (
          await queryableOf(pool()).query<{ field: string; xmin: string }>(
            `SELECT field, xmin::text AS xmin FROM ${schema}.entity_field WHERE type = 'T' AND key = 'k'`,
          )
        ).map((r) => [r.field, r.xmin]),
      );
    try {
      const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`m:${i}`, `"message ${i}"`]));
      await store.commit("T", "k", { expectedVersion: 0, sets: { ...many, next: "50", tmp: "true" }, deletes: [] });
      const before = await rowVersions();
      expect(Object.keys(before)).toHaveLength(52);

      expect(
        await store.commit("T", "k", {
          expectedVersion: 1,
          sets: { "m:50": '"message 50"', next: "51" },
          deletes: ["tmp"],
        }),
      ).toEqual({ ok: true, version: 2 });
      const after = await rowVersions();
      // xmin is the transaction that wrote a row version: only the changed fields carry the new one.
      const rewritten = Object.keys(after).filter((field) => after[field] !== before[field]);
      expect(rewritten.sort()).toEqual(["m:50", "next"]);
      expect(after.tmp).toBeUndefined();

      // Two writers that read version 2: one commits, the other is refused and writes no row.
      const results = await Promise.all(
        ["a", "b"].map((who) =>
          store.commit("T", "k", { expectedVersion: 2, sets: { [`by_${who}`]: "true" }, deletes: ["next"] }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: "stale", currentVersion: 3 }]);
      const { state, version } = await store.load("T", "k");
      expect(version).toBe(3);
      expect(["by_a", "by_b"].filter((field) => field in state)).toHaveLength(1);
      expect(Object.keys(state)).toHaveLength(52);
    } finally {
      await store.close();
    }
  });

  it("upgrades a schema of the first layout (every field in one jsonb column) in place", async () => {
    const schema = fresh();
    await pgAdmin(`CREATE SCHEMA ${schema}`);
    await pgAdmin(FIRST_LAYOUT_SQL(schema));
    const stores = await Promise.all(
      Array.from({ length: 3 }, () => openPostgresEntityStore({ url: PG_URL, schema, poolSize: 2 })),
    );
    try {
      await expectUpgraded(stores[0]!);
      const [gone] = await queryableOf(pool()).query<{ n: number }>(
        `SELECT count(*)::int AS n FROM information_schema.columns
          WHERE table_schema = $1 AND table_name = 'entity_state' AND column_name = 'state'`,
        [schema],
      );
      expect(gone).toEqual({ n: 0 });
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("runs on a caller's database whatever its type parsers, in its search_path, and leaves it open", async () => {
    const schema = fresh();
    await pgAdmin(`CREATE SCHEMA ${schema}`);
    // Like the coordinator's pool: int8 parsed to number, a search_path per connection.
    const int8AsNumber = {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === 20 ? Number : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
    };
    const coordinatorLike = pool({ types: int8AsNumber, options: `-c search_path=${schema}` });
    const plain = pool({ options: `-c search_path=${schema}` }); // int8 as string, jsonb parsed
    const a = createSqlEntityStore(queryableOf(coordinatorLike), { backend: "postgres" });
    const b = createSqlEntityStore(queryableOf(plain), { backend: "postgres" });
    expect(await a.commit("T", "k", { expectedVersion: 0, sets: { n: "1" }, deletes: [] })).toEqual({
      ok: true,
      version: 1,
    });
    expect(await b.commit("T", "k", { expectedVersion: 1, sets: { m: '{"x":1}' }, deletes: [] })).toEqual({
      ok: true,
      version: 2,
    });
    for (const store of [a, b]) {
      expect(await store.load("T", "k")).toEqual({ state: { n: "1", m: '{"x":1}' }, version: 2 });
      expect(await store.listKeys("T")).toEqual({ keys: ["k"] });
    }
    await a.close();
    await b.close();
    await expect(a.load("T", "k")).rejects.toMatchObject({ code: "CLOSED" });
    // The table went into the search_path's schema, and the caller's pools are still open.
    const [row] = await queryableOf(coordinatorLike).query<{ n: number }>(
      `SELECT count(*) AS n FROM ${schema}.entity_state`,
    );
    expect(row).toEqual({ n: 1 });
  });

  it("runs its statements prepared when the queryable offers it, stores of two schemas on one pool apart", async () => {
    const [a, b] = [fresh(), fresh()];
    const shared = pool({ max: 1 }); // one connection: both stores prepare on it
    const names = new Set<string>();
    const prepared: Queryable = {
      ...queryableOf(shared),
      async queryPrepared<T>(name: string, sql: string, params: unknown[]) {
        names.add(name);
        return (await shared.query({ name, text: sql, values: params })).rows as T[];
      },
    };
    const stores = [a, b].map((schema) => createSqlEntityStore(prepared, { backend: "postgres", schema }));
    for (const [i, store] of stores.entries()) {
      expect(await store.commit("T", "k", { expectedVersion: 0, sets: { n: String(i) }, deletes: [] })).toEqual({
        ok: true,
        version: 1,
      });
      expect(await store.commit("T", "k", { expectedVersion: 1, sets: { m: "1" }, deletes: ["n"] })).toMatchObject({
        ok: true,
      });
      expect(await store.commit("T", "k", { expectedVersion: 1, sets: {}, deletes: [] })).toEqual({
        ok: false,
        reason: "stale",
        currentVersion: 2,
      });
      expect(await store.load("T", "k")).toEqual({ state: { m: "1" }, version: 2 });
    }
    // commit, version (after the stale one), load: per schema.
    expect(names.size).toBe(6);
  });

  it("the coordinator's Database type can be passed as a Queryable", () => {
    // The shape of apps/coordinator's Database (query<T> + exec + transaction), stated here.
    interface CoordinatorDatabase {
      readonly kind: "postgres" | "pglite";
      query<T>(sql: string, params?: unknown[]): Promise<T[]>;
      exec(sql: string): Promise<void>;
      transaction<T>(fn: (tx: unknown) => Promise<T>): Promise<T>;
    }
    const db: CoordinatorDatabase = {
      kind: "postgres",
      query: async () => [],
      exec: async () => {},
      transaction: (fn) => fn(undefined),
    };
    const store = createSqlEntityStore(db, { backend: db.kind });
    expect(store.backend).toBe("postgres");
  });

  it("with migrate: false leaves the schema to the caller's migrations", async () => {
    const schema = fresh();
    await pgAdmin(`CREATE SCHEMA ${schema}`);
    const store = createSqlEntityStore(queryableOf(pool()), { backend: "postgres", schema, migrate: false });
    await expect(store.load("T", "k")).rejects.toMatchObject({ code: "42P01" }); // undefined_table
    await store.migrate();
    expect(await store.load("T", "k")).toEqual({ state: {}, version: 0 });
  });

  it("fails clearly, without printing the password, when PostgreSQL cannot be reached", async () => {
    const opening = openPostgresEntityStore({ url: "postgres://postgres:s3cret@127.0.0.1:1/test" });
    await expect(opening).rejects.toMatchObject({ name: "EntityStoreError", code: "UNAVAILABLE" });
    const err = await opening.catch((e: Error) => e);
    expect(String(err)).toMatch(
      /cannot open the PostgreSQL entity store at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test/,
    );
    expect(String(err)).not.toContain("s3cret");
  });

  it("refuses a schema name that is not a plain lowercase identifier", async () => {
    await expect(openPostgresEntityStore({ url: PG_URL, schema: 'x"; DROP TABLE y; --' })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    expect(() => createSqlEntityStore(queryableOf(pool()), { backend: "postgres", schema: "Public" })).toThrow(
      /invalid database schema name/,
    );
  });
});

/** The table as the first release of this package created it, with two entities in it. */
const FIRST_LAYOUT_SQL = (schema: string) => `
  CREATE TABLE ${schema}.entity_state (
    type               text COLLATE "C" NOT NULL,
    key                text COLLATE "C" NOT NULL,
    version            bigint      NOT NULL CHECK (version > 0),
    state              jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(state) = 'object'),
    last_invocation_id text,
    last_output        text,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (type, key)
  );
  INSERT INTO ${schema}.entity_state (type, key, version, state, last_invocation_id, last_output) VALUES
    ('Cart', 'c1', 7, jsonb_build_object('items', '[ "apple", "pear" ]', 'owner', '{"name":"Ada \\u00e9"}'), 'inv_7', '{"ok":true}'),
    ('Cart', 'empty', 2, '{}'::jsonb, NULL, NULL)`;

/** What FIRST_LAYOUT_SQL's entities load as once upgraded, and a write on top of one. */
async function expectUpgraded(store: SqlEntityStore): Promise<void> {
  expect(await store.load("Cart", "c1")).toEqual({
    state: { items: '[ "apple", "pear" ]', owner: '{"name":"Ada \\u00e9"}' },
    version: 7,
    lastWrite: { invocationId: "inv_7", output: '{"ok":true}' },
  });
  expect(await store.load("Cart", "empty")).toEqual({ state: {}, version: 2 });
  expect(await store.listKeys("Cart")).toEqual({ keys: ["c1", "empty"] });
  expect(await store.commit("Cart", "c1", { expectedVersion: 7, sets: { n: "1" }, deletes: ["items"] })).toEqual({
    ok: true,
    version: 8,
  });
  expect(await store.load("Cart", "c1")).toEqual({ state: { owner: '{"name":"Ada \\u00e9"}', n: "1" }, version: 8 });
}

describe("SQL entity store on a PGlite instance it is handed", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create(); // in memory
  });
  afterAll(async () => {
    await db?.close();
  });

  it("uses the instance, in the given schema, and leaves it open on close", async () => {
    const store = await openPgliteEntityStore({ pglite: db, schema: "entities" });
    expect(store.backend).toBe("pglite");
    await store.commit("T", "k", {
      expectedVersion: 0,
      sets: { a: '"x"' },
      deletes: [],
      write: { invocationId: "i", output: "1" },
    });
    expect(await store.load("T", "k")).toEqual({
      state: { a: '"x"' },
      version: 1,
      lastWrite: { invocationId: "i", output: "1" },
    });
    await store.close();
    expect(db.closed).toBe(false);
    const { rows } = await db.query<{ key: string }>("SELECT key FROM entities.entity_state");
    expect(rows).toEqual([{ key: "k" }]);
  });

  it("upgrades a schema of the first layout in place", async () => {
    await db.exec(`CREATE SCHEMA old_layout; ${FIRST_LAYOUT_SQL("old_layout")}`);
    const store = await openPgliteEntityStore({ pglite: db, schema: "old_layout" });
    try {
      await expectUpgraded(store);
    } finally {
      await store.close();
    }
  });
});
