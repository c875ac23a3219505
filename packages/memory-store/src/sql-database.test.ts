import { describe, expect, it } from "vitest";
import { openDatabase } from "./sql-database.js";
import { DATABASE_URL } from "./test-support/databases.js";

describe("openDatabase on PostgreSQL: a dedicated connection (the HNSW build's)", () => {
  it("runs on one backend that cancel() interrupts; a failed client is not handed back to the pool", async () => {
    const connection = await openDatabase({ postgres: DATABASE_URL });
    try {
      let cancelled: number | undefined;
      const running = connection.dedicated(async (query, pid) => {
        cancelled = pid;
        return query("SELECT pg_sleep(600)");
      });
      const outcome = running.then(
        () => "finished",
        (error: { code?: string }) => error.code,
      );
      // Wait until that backend is in the statement (the pool's other connections answer meanwhile).
      for (;;) {
        const rows = await connection.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND query LIKE 'SELECT pg_sleep%' AND state = 'active'",
          [cancelled ?? 0],
        );
        if (rows[0]?.n === 1) break;
      }
      await connection.cancel(cancelled!);
      expect(await outcome).toBe("57014"); // query_canceled
      // The cancelled client was destroyed, not handed back to the pool: its backend goes away (a
      // pooled client would stay connected, idle, and this would wait until the test times out).
      for (;;) {
        const rows = await connection.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1",
          [cancelled],
        );
        if (rows[0]?.n === 0) break;
      }
      expect(await connection.dedicated(async (query) => query<{ one: number }>("SELECT 1 AS one"))).toEqual([
        { one: 1 },
      ]);
    } finally {
      await connection.close();
    }
  });
});
