// PGlite on its worker thread against PGlite on the calling thread: the same values back, the
// same errors, transactions that hold the line, a close that finishes what was asked before it,
// and a thread that dies failing its callers instead of leaving them waiting.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newPgliteDataDir } from "../../test-support/pglite-template.js";
import { type Database, openPglite } from "../database.js";
import { openPgliteThread, PgliteThreadError } from "./pglite-proxy.js";

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await newPgliteDataDir("agnt5-pglite-thread-test-");
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("PGlite on a worker thread", () => {
  let onThread: Database;
  let inThread: Database;
  beforeAll(async () => {
    [onThread, inThread] = await Promise.all([
      dataDir().then((dir) => openPgliteThread({ dataDir: dir })),
      dataDir().then((dir) => openPglite({ dataDir: dir })),
    ]);
    for (const db of [onThread, inThread]) {
      await db.exec("CREATE TABLE proxy_kv (k text PRIMARY KEY, v int NOT NULL CHECK (v >= 0))");
    }
  });
  afterAll(async () => {
    await Promise.all([onThread?.close(), inThread?.close()]);
  });

  it("returns the same values, of the same types, as PGlite on the calling thread", async () => {
    const sql = `SELECT $1::timestamptz AS at, '2020-02-29'::date AS day, '2020-01-01 10:00:00'::timestamp AS local,
      9007199254740993::int8 AS big, count(*) AS n, 1.5::numeric AS dec, $2::bytea AS bytes,
      $3::jsonb AS doc, '"text"'::json AS scalar, $4::int8 AS param_big, true AS yes, NULL::text AS nothing,
      ARRAY[1, 2]::int[] AS ints, 'café'::text AS word, 2.5::float8 AS real`;
    const params = [
      new Date("2026-12-02T14:30:00.123Z"),
      new Uint8Array([0, 1, 255]),
      { a: [1, { b: null }], s: "é" },
      12345678901234n,
    ];
    const [fromThread] = await onThread.query<Record<string, unknown>>(sql, params);
    const [fromCaller] = await inThread.query<Record<string, unknown>>(sql, params);
    expect(fromThread).toStrictEqual(fromCaller);
    expect(fromThread?.at).toBeInstanceOf(Date);
    expect(fromThread?.bytes).toBeInstanceOf(Uint8Array);
    expect(fromThread?.big).toBe(9007199254740993n);
    expect(fromThread?.n).toBe(1);
    expect(fromThread?.doc).toEqual({ a: [1, { b: null }], s: "é" });
  });

  it("keeps a PostgreSQL error's code, message and detail", async () => {
    const failures = async (db: Database) => {
      await db.query("INSERT INTO proxy_kv (k, v) VALUES ('dup', 1)");
      const unique = await db.query("INSERT INTO proxy_kv (k, v) VALUES ('dup', 2)").catch((e: unknown) => e);
      const encoding = await db.query("SELECT convert_from('\\xff'::bytea, 'UTF8')").catch((e: unknown) => e);
      return [unique, encoding].map((err) => {
        const { code, message, detail, constraint } = err as Record<string, unknown>;
        return { isError: err instanceof Error, code, message, detail, constraint };
      });
    };
    const [fromThread, fromCaller] = [await failures(onThread), await failures(inThread)];
    expect(fromThread).toEqual(fromCaller);
    expect(fromThread.map((e) => e.code)).toEqual(["23505", "22021"]);
    expect(fromThread[0]?.isError).toBe(true);
    expect(fromThread[0]?.detail).toContain("(k)=(dup)");
  });

  it("rolls back a transaction that throws, and statements from outside wait for it", async () => {
    let outsideSettled = false;
    let outside: Promise<{ n: number }[]> | undefined;
    const failed = await onThread
      .transaction(async (tx) => {
        await tx.query("INSERT INTO proxy_kv (k, v) VALUES ('in-tx', 1)");
        // Issued while the transaction holds the line: had it been sent, it would run on the one
        // connection inside the transaction and count the uncommitted row.
        outside = onThread.query<{ n: number }>("SELECT count(*) AS n FROM proxy_kv WHERE k = 'in-tx'");
        void outside.then(() => {
          outsideSettled = true;
        });
        const [seen] = await tx.query<{ n: number }>("SELECT count(*) AS n FROM proxy_kv WHERE k = 'in-tx'");
        expect(seen?.n).toBe(1);
        expect(outsideSettled).toBe(false);
        throw new Error("abandon");
      })
      .catch((e: unknown) => e);
    expect((failed as Error).message).toBe("abandon");
    expect(await outside).toEqual([{ n: 0 }]);
    // The connection is usable (no transaction left open) and the next transaction commits.
    await onThread.transaction((tx) => tx.query("INSERT INTO proxy_kv (k, v) VALUES ('after', 1)"));
    expect(await onThread.query("SELECT k FROM proxy_kv WHERE k IN ('in-tx', 'after')")).toEqual([{ k: "after" }]);
  });

  it("rolls back when a statement in the transaction fails, keeping its code", async () => {
    const failed = await onThread
      .transaction(async (tx) => {
        await tx.query("INSERT INTO proxy_kv (k, v) VALUES ('half', 1)");
        await tx.query("INSERT INTO proxy_kv (k, v) VALUES ('negative', -1)");
      })
      .catch((e: unknown) => e);
    expect((failed as { code?: string }).code).toBe("23514");
    expect(await onThread.query("SELECT k FROM proxy_kv WHERE k IN ('half', 'negative')")).toEqual([]);
  });
});

describe("opening PGlite on a worker thread", () => {
  it("creates a data directory whose parents do not exist yet (a fresh AGNT5_DATA_DIR)", async () => {
    const root = await mkdtemp(join(tmpdir(), "agnt5-pglite-thread-new-"));
    dirs.push(root);
    const db = await openPgliteThread({ dataDir: join(root, "not", "yet", "pglite") });
    try {
      expect(await db.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});

describe("closing PGlite on a worker thread", () => {
  it("finishes the statements asked before the close, flushes them to disk, and refuses later ones", async () => {
    const dir = await dataDir();
    const db = await openPgliteThread({ dataDir: dir });
    await db.exec("CREATE TABLE closing (n int)");
    const inserts = Array.from({ length: 20 }, (_, n) => db.query("INSERT INTO closing VALUES ($1)", [n]));
    const committed = db.transaction((tx) => tx.query("INSERT INTO closing VALUES (100)"));
    const closed = db.close();
    await expect(Promise.all([...inserts, committed])).resolves.toHaveLength(21);
    await closed;
    const late = await db.query("SELECT 1").catch((e: unknown) => e);
    expect(late).toBeInstanceOf(PgliteThreadError);
    expect((late as PgliteThreadError).code).toBe("PGLITE_CLOSED");

    const reopened = await openPgliteThread({ dataDir: dir });
    try {
      expect(await reopened.query("SELECT count(*) AS n FROM closing")).toEqual([{ n: 21 }]);
    } finally {
      await reopened.close();
    }
  });

  it("fails pending and later calls with a clear error when the thread dies, and says so once", async () => {
    const lost: PgliteThreadError[] = [];
    const db = await openPgliteThread({
      dataDir: await dataDir(),
      workerUrl: new URL("./__fixtures__/crashing-worker.mjs", import.meta.url),
      onThreadExit: (error) => lost.push(error),
    });
    const pending = await db.query("SELECT 1").catch((e: unknown) => e);
    expect(pending).toBeInstanceOf(PgliteThreadError);
    expect((pending as PgliteThreadError).code).toBe("PGLITE_THREAD_EXITED");
    expect((pending as Error).message).toContain("simulated crash of the PGlite thread");
    const later = await db.query("SELECT 1").catch((e: unknown) => e);
    expect((later as PgliteThreadError).code).toBe("PGLITE_THREAD_EXITED");
    expect(lost).toHaveLength(1);
    await db.close(); // returns: nothing left to close
  });
});
