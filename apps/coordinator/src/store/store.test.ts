// One suite, run against real PostgreSQL (fresh schema) and PGlite (temp dir).
// PostgreSQL being unreachable is a test FAILURE, not a skip.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newInv, PG_URL, pgliteBackend, postgresBackend, testSchemaName } from "./__fixtures__/backends.js";
import { openPostgres } from "./database.js";
import type { StoredError } from "./invocation-store.js";
import { loadMigrations, migrate } from "./migrate.js";
import type { Store } from "./open-store.js";

const boom: StoredError = { code: "HANDLER_ERROR", message: "boom", type: "Error", details: { n: 1 } };

describe.each([postgresBackend(), pgliteBackend()])("store on $name", (backend) => {
  let store: Store;

  beforeAll(async () => {
    await backend.setup();
    store = await backend.open();
  });

  afterAll(async () => {
    await store?.close();
    await backend.teardown();
  });

  it("runs on the expected backend", () => {
    expect(store.db.kind).toBe(backend.name);
  });

  it("migrations are idempotent", async () => {
    const again = await migrate(store.db);
    expect(again).toEqual({ applied: [], current: (await loadMigrations()).length });
    const rows = await store.db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
    expect(rows).toEqual((await loadMigrations()).map((m) => ({ version: m.version })));
  });

  it("parses types identically (int8 -> number, numeric -> number, timestamptz -> Date, jsonb -> value)", async () => {
    const [row] = await store.db.query<Record<string, unknown>>(
      `SELECT count(*) AS n, 1.5::numeric AS num, '2024-01-02T03:04:05.678Z'::timestamptz AS ts,
              '{"a":[1]}'::jsonb AS j, 9007199254740993::int8 AS big`,
    );
    expect(row).toEqual({
      n: 1,
      num: 1.5,
      ts: new Date("2024-01-02T03:04:05.678Z"),
      j: { a: [1] },
      big: 9007199254740993n,
    });
  });

  it("create + get round-trips every field", async () => {
    const inv = newInv({
      objectKey: "user-42",
      idempotencyKey: `k_${randomUUID()}`,
      kind: "entity",
      runKey: "run-1",
    });
    const before = Date.now();
    const { created, record } = await store.invocations.create(inv);
    expect(created).toBe(true);
    expect(record).toMatchObject({
      id: inv.id,
      service: "svc",
      handler: "greet",
      kind: "entity",
      objectKey: "user-42",
      idempotencyKey: inv.idempotencyKey,
      status: "pending",
      input: inv.input,
      output: null,
      error: null,
      attempt: 1,
      headers: { "x-trace": "t1" },
      completedAt: null,
      nextAttemptAt: null,
      parentId: null,
      parentEntryIndex: null,
      cancelRequested: false,
      runKey: "run-1",
    });
    expect(record.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(record.createdAt.getTime() - before)).toBeLessThan(60_000);
    expect(await store.invocations.get(inv.id)).toEqual(record);
    expect(await store.invocations.get("inv_missing")).toBeUndefined();

    const plain = await store.invocations.create(newInv({ id: `inv_${randomUUID()}` }));
    expect(plain.record).toMatchObject({ kind: "function", objectKey: null, idempotencyKey: null });
  });

  it("an existing idempotency key returns the existing record", async () => {
    const key = `k_${randomUUID()}`;
    const first = await store.invocations.create(newInv({ idempotencyKey: key }));
    const second = await store.invocations.create(newInv({ idempotencyKey: key, input: '"other"' }));
    expect(second.created).toBe(false);
    expect(second.record).toEqual(first.record);
    // The key is scoped to (service, handler).
    const otherHandler = await store.invocations.create(newInv({ idempotencyKey: key, handler: "other" }));
    expect(otherHandler.created).toBe(true);
  });

  it("20 concurrent creates with one idempotency key all get the same record", async () => {
    const key = `k_${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.invocations.create(newInv({ idempotencyKey: key }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.record.id)).size).toBe(1);
    const rows = await store.db.query("SELECT id FROM invocations WHERE idempotency_key = $1::text", [key]);
    expect(rows).toHaveLength(1);
  });

  it("complete / fail: the first terminal write wins", async () => {
    const { record } = await store.invocations.create(newInv());
    expect(await store.invocations.complete(record.id, '"hello"', 1)).toEqual({ applied: true });
    expect(await store.invocations.fail(record.id, boom, 2)).toEqual({ applied: false });
    expect(await store.invocations.complete(record.id, '"again"', 3)).toEqual({ applied: false });
    expect(await store.invocations.scheduleRetry(record.id, 4, new Date(), boom)).toBe(false);
    const done = await store.invocations.get(record.id);
    expect(done).toMatchObject({ status: "completed", output: '"hello"', attempt: 1, error: null });
    expect(done?.completedAt).toBeInstanceOf(Date);

    // Racing terminal writes in one batch: enqueue order decides, exactly one applies.
    const { record: r2 } = await store.invocations.create(newInv());
    const [failed, completed] = await Promise.all([
      store.invocations.fail(r2.id, boom, 1),
      store.invocations.complete(r2.id, '"late"', 1),
    ]);
    expect([failed, completed]).toEqual([{ applied: true }, { applied: false }]);
    expect(await store.invocations.get(r2.id)).toMatchObject({ status: "failed", error: boom, output: null });

    expect(await store.invocations.complete("inv_missing", "1", 1)).toEqual({ applied: false });
  });

  it("fail stores only the StoredError fields (never a stack)", async () => {
    const { record } = await store.invocations.create(newInv());
    const withStack = { code: "E", message: "m", stack: "Error: m\n    at x" } as StoredError;
    await store.invocations.fail(record.id, withStack, 1);
    expect((await store.invocations.get(record.id))?.error).toEqual({ code: "E", message: "m" });
  });

  it("recordRunning: written with a later commit, unless a later status write supersedes it", async () => {
    const a = (await store.invocations.create(newInv())).record;
    const b = (await store.invocations.create(newInv())).record;
    store.invocations.recordRunning(a.id);
    store.invocations.recordRunning(b.id);
    // b ends before its mark is written: the mark is dropped, not written over... nor before it.
    await store.invocations.complete(b.id, "1", 1);
    await store.invocations.flushed();
    expect((await store.invocations.get(a.id))?.status).toBe("running");
    expect((await store.invocations.get(b.id))?.status).toBe("completed");
  });

  it("scheduleRetry, markRunning and listUnfinished", async () => {
    const service = `svc_${randomUUID()}`;
    const a = (await store.invocations.create(newInv({ service }))).record;
    const b = (await store.invocations.create(newInv({ service }))).record;
    const c = (await store.invocations.create(newInv({ service }))).record;
    const d = (await store.invocations.create(newInv({ service }))).record;
    await store.invocations.markRunning([a.id, b.id, b.id]);
    const next = new Date(Date.now() + 5_000);
    expect(await store.invocations.scheduleRetry(b.id, 1, next, boom)).toBe(true);
    await store.invocations.complete(c.id, "null", 0);
    await store.invocations.markRunning([c.id]); // terminal: unchanged

    expect(await store.invocations.get(b.id)).toMatchObject({
      status: "pending",
      attempt: 1,
      error: boom,
      nextAttemptAt: next,
    });
    expect((await store.invocations.get(c.id))?.status).toBe("completed");

    const unfinished = (await store.invocations.listUnfinished()).filter((r) => r.service === service);
    expect(unfinished.map((r) => [r.id, r.status])).toEqual([
      [a.id, "running"],
      [b.id, "pending"],
      [d.id, "pending"],
    ]);
  });

  it("services upsert / list", async () => {
    const name = `svc_${randomUUID()}`;
    const components = [{ name: "greet", kind: "function" }, ["nested", 1]];
    const first = await store.invocations.upsertService({ name, version: "1", components });
    expect(first).toMatchObject({ name, version: "1", components });
    expect(first.updatedAt).toBeInstanceOf(Date);
    const at = new Date("2030-01-01T00:00:00.000Z");
    await store.invocations.upsertService({ name, version: "2", components: [], updatedAt: at });
    const mine = (await store.invocations.listServices()).filter((s) => s.name === name);
    expect(mine).toEqual([{ name, version: "2", components: [], updatedAt: at }]);
  });

  it("services delete: the registration is gone, and deleting it again reports there was none", async () => {
    const name = `svc_${randomUUID()}`;
    const other = `svc_${randomUUID()}`;
    await store.invocations.upsertService({ name, version: "1", components: [] });
    await store.invocations.upsertService({ name: other, version: "1", components: [] });

    expect(await store.invocations.deleteService(name)).toBe(true);
    expect(await store.invocations.deleteService(name)).toBe(false);
    const names = (await store.invocations.listServices()).map((s) => s.name);
    expect(names).not.toContain(name);
    expect(names).toContain(other);
  });

  it("group commit: 500 concurrent creates commit in few flushes", async () => {
    const service = `svc_${randomUUID()}`;
    const before = store.invocations.stats.flushes;
    const results = await Promise.all(Array.from({ length: 500 }, () => store.invocations.create(newInv({ service }))));
    const flushes = store.invocations.stats.flushes - before;
    expect(results.every((r) => r.created)).toBe(true);
    expect(flushes).toBeLessThanOrEqual(10);
    const [row] = await store.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM invocations WHERE service = $1::text",
      [service],
    );
    expect(row?.n).toBe(500);

    // Mixed updates on all of them, again batched.
    const f2 = store.invocations.stats.flushes;
    const applied = await Promise.all(results.map((r, i) => store.invocations.complete(r.record.id, String(i), 1)));
    expect(applied.every((r) => r.applied)).toBe(true);
    expect(store.invocations.stats.flushes - f2).toBeLessThanOrEqual(10);
  });

  it("a failing op in a batch does not fail its neighbours", async () => {
    const { record: existing } = await store.invocations.create(newInv());
    const fallbacks = store.invocations.stats.fallbacks;
    const good1 = newInv();
    const good2 = newInv();
    const settled = await Promise.allSettled([
      store.invocations.create(good1),
      store.invocations.create(newInv({ id: existing.id })), // duplicate primary key
      store.invocations.create(good2),
      store.invocations.complete(existing.id, '"ok"', 1),
    ]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(store.invocations.stats.fallbacks).toBe(fallbacks + 1);
    expect(await store.invocations.get(good1.id)).toBeDefined();
    expect(await store.invocations.get(good2.id)).toBeDefined();
    expect((await store.invocations.get(existing.id))?.status).toBe("completed");
  });

  if (backend.name === "postgres") {
    it("two coordinators migrating a fresh schema concurrently do not race", async () => {
      const schema = testSchemaName();
      const [a, b] = await Promise.all([0, 1].map(() => openPostgres({ url: PG_URL, schema, poolSize: 2 })));
      try {
        const results = await Promise.all([migrate(a!), migrate(b!)]);
        expect(results.map((r) => r.applied).sort()).toEqual([[], (await loadMigrations()).map((m) => m.version)]);
      } finally {
        await a!.query(`DROP SCHEMA ${schema} CASCADE`);
        await Promise.all([a!.close(), b!.close()]);
      }
    });

    it("two coordinators creating one idempotency key concurrently agree on the record", async () => {
      const other = await backend.open(); // second coordinator, same schema
      try {
        const key = `k_${randomUUID()}`;
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? other : store).invocations.create(newInv({ idempotencyKey: key })),
          ),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.record.id)).size).toBe(1);
      } finally {
        await other.close();
      }
    });
  }

  // Keep last: replaces the shared store.
  it("data survives close + reopen, including writes queued at close", async () => {
    const { record } = await store.invocations.create(newInv({ idempotencyKey: `k_${randomUUID()}` }));
    await store.invocations.complete(record.id, '{"ok":true}', 2);
    const stored = await store.invocations.get(record.id);
    const queued = newInv();
    const pending = store.invocations.create(queued); // not awaited before close
    await store.close();
    await expect(pending).resolves.toMatchObject({ created: true });

    store = await backend.open();
    expect(await store.invocations.get(record.id)).toEqual(stored);
    expect(await store.invocations.get(queued.id)).toMatchObject({ status: "pending" });
    expect(await migrate(store.db)).toEqual({ applied: [], current: (await loadMigrations()).length });
  });
});
