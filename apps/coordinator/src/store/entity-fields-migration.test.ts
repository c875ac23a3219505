// Migration 0007: entity state written by the first layout of @agnt5/entity-store (every field in
// one jsonb column) is moved into one row per field, on PostgreSQL and PGlite, and the coordinator's
// entity store then reads and writes it as before.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqlEntityStore } from "@agnt5/entity-store";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PG_URL, testSchemaName } from "./__fixtures__/backends.js";
import { type Database, openPglite, openPostgres } from "./database.js";
import { loadMigrations, migrate } from "./migrate.js";

const FIRST_LAYOUT = `
  CREATE TABLE entity_state (
    type               text COLLATE "C" NOT NULL,
    key                text COLLATE "C" NOT NULL,
    version            bigint      NOT NULL CHECK (version > 0),
    state              jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(state) = 'object'),
    last_invocation_id text,
    last_output        text,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (type, key)
  );
  INSERT INTO entity_state (type, key, version, state, last_invocation_id, last_output) VALUES
    ('Counter', 'a', 3, jsonb_build_object('count', '3', 'label', '{ "text": "caf\\u00e9" }'), 'inv_3', '3'),
    ('agnt5.session', 's1', 2, jsonb_build_object('next_seq', '2', 'm:000000000001', '{"role":"user","content":"hi","seq":1}'), NULL, NULL)`;

async function upgradesFirstLayout(db: Database): Promise<void> {
  const all = await loadMigrations();
  await migrate(
    db,
    all.filter((m) => m.version < 7),
  );
  await db.exec(FIRST_LAYOUT);
  expect((await migrate(db)).applied).toEqual(all.filter((m) => m.version >= 7).map((m) => m.version));

  const columns = await db.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'entity_state' ORDER BY ordinal_position`,
  );
  expect(columns.map((c) => c.column_name)).not.toContain("state");
  const store = createSqlEntityStore(db, { backend: db.kind });
  expect(await store.load("Counter", "a")).toEqual({
    state: { count: "3", label: '{ "text": "caf\\u00e9" }' },
    version: 3,
    lastWrite: { invocationId: "inv_3", output: "3" },
  });
  expect(await store.load("agnt5.session", "s1")).toEqual({
    state: { next_seq: "2", "m:000000000001": '{"role":"user","content":"hi","seq":1}' },
    version: 2,
  });
  expect(await store.commit("Counter", "a", { expectedVersion: 3, sets: { count: "4" }, deletes: ["label"] })).toEqual({
    ok: true,
    version: 4,
  });
  expect(await store.commit("Counter", "a", { expectedVersion: 3, sets: { count: "9" }, deletes: [] })).toEqual({
    ok: false,
    reason: "stale",
    currentVersion: 4,
  });
  expect(await store.load("Counter", "a")).toEqual({ state: { count: "4" }, version: 4 });
}

describe("migration 0007 (entity state as one row per field)", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("moves every field of the first layout into its own row on PostgreSQL", async () => {
    const schema = testSchemaName();
    const db = await openPostgres({ url: PG_URL, schema, poolSize: 2 });
    cleanups.push(async () => {
      await db.close();
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    });
    await upgradesFirstLayout(db);
  });

  it("moves every field of the first layout into its own row on PGlite", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agnt5-entity-fields-"));
    const db = await openPglite({ dataDir: dir });
    cleanups.push(async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    });
    await upgradesFirstLayout(db);
  });

  it("does nothing on a database that never held an entity (the store creates both tables)", async () => {
    const schema = testSchemaName();
    const db = await openPostgres({ url: PG_URL, schema, poolSize: 2 });
    cleanups.push(async () => {
      await db.close();
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    });
    await migrate(db);
    const [tables] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_name IN ('entity_state', 'entity_field')`,
    );
    expect(tables).toEqual({ n: 0 });
    const store = createSqlEntityStore(db, { backend: db.kind });
    expect(await store.commit("T", "k", { expectedVersion: 0, sets: { a: "1" }, deletes: [] })).toEqual({
      ok: true,
      version: 1,
    });
    expect(await store.load("T", "k")).toEqual({ state: { a: "1" }, version: 1 });
  });
});
