#!/usr/bin/env node
// Admin API query benchmark on PostgreSQL, in process (no gateway): the runs list's page query
// (newest first, keyset cursor) over N runs, first page, a page deep in the list, filtered pages,
// with and without migration 0005's (created_at, id) index; and the retention sweeper deleting
// expired runs with their journals in batches.
// Needs the coordinator built (npm run build) and PostgreSQL (AGNT5_BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/test); works in a throwaway schema it drops at the end.
// Usage: node bench/admin-queries.mjs [--n=100000] [--expired=20000] [--repeat=30]
import { randomBytes } from "node:crypto";
import { deleteExpiredRuns } from "../apps/coordinator/dist/admin/queries/retention-rows.js";
import { listRunRows } from "../apps/coordinator/dist/admin/queries/run-rows.js";
import { openPostgres } from "../apps/coordinator/dist/store/database.js";
import { migrate } from "../apps/coordinator/dist/store/migrate.js";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const n = Number(args.n ?? 100_000);
const expired = Number(args.expired ?? 20_000);
const repeat = Number(args.repeat ?? 30);
const url = process.env.AGNT5_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `agnt5_bench_admin_${randomBytes(4).toString("hex")}`;

const db = await openPostgres({ url, schema, poolSize: 2 });
const results = { n, expired, repeat, schema };
try {
  await migrate(db);
  // n runs one second apart (newest now): 80% completed, 10% failed, 10% suspended; one journal
  // entry each. The first `expired` completed ones finished 30 days ago.
  await db.query(
    `INSERT INTO invocations (id, service, handler, kind, status, input, created_at, updated_at, completed_at)
     SELECT 'run-' || lpad(g::text, 8, '0'), 'svc-' || (g % 4), 'wf-' || (g % 10), 'workflow',
            CASE WHEN g % 10 = 0 THEN 'failed' WHEN g % 10 = 1 THEN 'suspended' ELSE 'completed' END,
            'null', now() - (($1::int - g) * interval '1 second'), now(),
            CASE WHEN g % 10 = 1 THEN NULL
                 WHEN g <= $2::int THEN now() - interval '30 days' ELSE now() END
     FROM generate_series(1, $1::int) g`,
    [n, expired],
  );
  await db.query(
    `INSERT INTO journal_entries (invocation_id, idx, kind, name, request, result, completed_at)
     SELECT id, 0, 'step', 'work', NULL, '1', now() FROM invocations`,
  );
  await db.query("ANALYZE invocations");
  await db.query("ANALYZE journal_entries");

  const time = async (label, filters) => {
    const ms = [];
    for (let i = 0; i < repeat; i++) {
      const start = performance.now();
      await listRunRows(db, { limit: 51, ...filters });
      ms.push(performance.now() - start);
    }
    ms.sort((a, b) => a - b);
    results[label] = { p50Ms: round(ms[Math.floor(ms.length / 2)]), p99Ms: round(ms[Math.ceil(ms.length * 0.99) - 1]) };
  };
  const [deep] = await db.query(
    `SELECT id, ((extract(epoch FROM created_at) * 1000000)::bigint)::text AS created_us
     FROM invocations ORDER BY created_at DESC, id DESC OFFSET $1::int LIMIT 1`,
    [Math.floor(n / 2)],
  );
  const after = { createdUs: deep.created_us, id: deep.id };
  const pages = async (suffix) => {
    await time(`firstPage${suffix}`, {});
    await time(`deepPage${suffix}`, { after });
    await time(`failedFirstPage${suffix}`, { statuses: ["failed"] });
    await time(`serviceComponentPage${suffix}`, { service: "svc-1", component: "wf-1" });
  };
  await pages("");
  await db.query("DROP INDEX invocations_created_idx");
  await pages("WithoutIndex");

  const start = performance.now();
  let deleted = 0;
  for (;;) {
    const ids = await deleteExpiredRuns(db, { cutoff: new Date(Date.now() - 86_400_000), limit: 500 });
    deleted += ids.length;
    if (ids.length < 500) break;
  }
  const seconds = (performance.now() - start) / 1000;
  results.retention = { deletedRuns: deleted, seconds: round(seconds), runsPerSecond: Math.round(deleted / seconds) };
} finally {
  await db.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
  await db.close();
}
console.log(JSON.stringify(results, null, 2));

function round(x) {
  return Math.round(x * 100) / 100;
}
