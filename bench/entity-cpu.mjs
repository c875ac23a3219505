#!/usr/bin/env node
// CPU cost of one entity write (the bench worker's Counter.increment), in every process that serves
// it: the coordinator, the worker and the coordinator's PostgreSQL backends. A fixed number of
// writes, so the figure is disturbed far less by other load on a shared machine than requests/s.
// Each process's on-CPU time is read from /proc/<pid>/task/*/schedstat (nanoseconds, every thread)
// before and after; the PostgreSQL backends are found by the application_name the coordinator's
// connections carry (PGAPPNAME).
//
// Usage: node bench/entity-cpu.mjs [--root=<checkout>] [--scenarios=keys1000,hot] [--writes=4000]
//                                  [--concurrency=64] [--profile=<dir>]
// --root runs another checkout's built coordinator and bench worker (an A/B against an older build).
// --profile writes --cpu-prof profiles of the coordinator and the worker there.
// --store=pglite runs the coordinator on PGlite (in its own process: the coordinator's figure then
// includes the database's work) instead of PostgreSQL.
// --rows also reports the rows each write inserts, updates and deletes per table (PostgreSQL's
// pg_stat_user_tables; idle backends report their counts within 10 s, so each scenario then waits 11 s).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { Pool } from "undici";
import { cpuNanos, startProcess } from "./cpu-processes.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const root = resolve(args.root ?? new URL("..", import.meta.url).pathname);
const scenarios = (args.scenarios ?? "keys1000,hot").split(",");
const writes = Number(args.writes ?? 4000);
const concurrency = Number(args.concurrency ?? 64);
const databaseUrl = process.env.AGNT5_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const profileDir = args.profile;
const countRows = "rows" in args;
const onPglite = args.store === "pglite";
const appName = `agnt5-entity-cpu-${process.pid}`;

function start(script, env) {
  return startProcess({ root, script, env, profileDir });
}

async function increment(pool, key) {
  const { statusCode, body } = await pool.request({
    path: `/v1/entities/Counter/${key}/increment`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "null",
  });
  const text = await body.text();
  if (statusCode !== 200) throw new Error(`HTTP ${statusCode}: ${text}`);
}

async function run(pool, total, keyOf) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await increment(pool, keyOf(next++));
    }),
  );
}

/** Per table, the rows inserted/updated/deleted per write between two pg_stat_user_tables reads. */
function rowDelta(before, after) {
  const out = {};
  for (const row of after) {
    const was = before.find((b) => b.relname === row.relname) ?? { ins: 0, upd: 0, del: 0 };
    const per = (k) => +((row[k] - was[k]) / writes).toFixed(2);
    if (per("ins") || per("upd") || per("del"))
      out[row.relname] = { ins: per("ins"), upd: per("upd"), del: per("del") };
  }
  return out;
}

const SCENARIOS = {
  keys1000: (i) => `key-${(i * 7919) % 1000}`,
  hot: () => "hot",
};

const schema = `bench_entity_cpu_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: databaseUrl });
await admin.connect();
const backendPids = async () =>
  (await admin.query("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [appName])).rows.map((r) => r.pid);
const dataDir = onPglite ? mkdtempSync(join(tmpdir(), "agnt5-entity-cpu-")) : undefined;
const coordinator = start("apps/coordinator/dist/main.js", {
  ...(dataDir ? { AGNT5_DATA_DIR: dataDir } : { AGNT5_DATABASE_URL: databaseUrl, AGNT5_DATABASE_SCHEMA: schema }),
  AGNT5_DEV_MODE: "1",
  AGNT5_HOST: "127.0.0.1",
  AGNT5_GRPC_PORT: "19291",
  AGNT5_HTTP_PORT: "18281",
  PGAPPNAME: appName,
});
const worker = start("bench/bench-worker.mjs", { AGNT5_COORDINATOR_ENDPOINT: "http://127.0.0.1:19291" });
const results = [];
try {
  await coordinator.waitFor("Coordinator listening");
  await worker.waitFor("Worker running");
  const pool = new Pool("http://127.0.0.1:18281", { connections: concurrency, pipelining: 1 });
  await run(pool, 2000, SCENARIOS.keys1000); // warm-up: JIT, pools, every key created
  for (const name of scenarios) {
    const keyOf = SCENARIOS[name];
    const rows = async () => {
      if (!countRows) return [];
      await new Promise((r) => setTimeout(r, 11_000));
      return (
        await admin.query(
          `SELECT relname, n_tup_ins::int AS ins, n_tup_upd::int AS upd, n_tup_del::int AS del
             FROM pg_stat_user_tables WHERE schemaname = $1`,
          [schema],
        )
      ).rows;
    };
    const rowsBefore = await rows();
    // PostgreSQL backends by pid; a connection the pool opens during the run counts from 0.
    const backendsBefore = new Map((await backendPids()).map((pid) => [pid, cpuNanos(pid)]));
    const backendCpu = async () => {
      let total = 0;
      for (const pid of await backendPids()) total += cpuNanos(pid) - (backendsBefore.get(pid) ?? 0);
      return total;
    };
    const cpu = () => [cpuNanos(coordinator.pid), cpuNanos(worker.pid)];
    const before = cpu();
    const t0 = performance.now();
    await run(pool, writes, keyOf);
    const seconds = (performance.now() - t0) / 1000;
    const after = [...cpu(), await backendCpu()];
    before.push(0);
    const rowsAfter = await rows();
    const perWrite = (i) => +((after[i] - before[i]) / 1e6 / writes).toFixed(4);
    results.push({
      scenario: name,
      writes,
      concurrency,
      coordinatorCpuMsPerWrite: perWrite(0),
      workerCpuMsPerWrite: perWrite(1),
      postgresCpuMsPerWrite: perWrite(2),
      totalCpuMsPerWrite: +(perWrite(0) + perWrite(1) + perWrite(2)).toFixed(4),
      postgresBackends: backendsBefore.size,
      writesPerSecond: Math.round(writes / seconds),
      ...(countRows ? { rowsPerWrite: rowDelta(rowsBefore, rowsAfter) } : {}),
      store: onPglite ? "pglite" : "postgres",
    });
    console.error(`[entity cpu] ${JSON.stringify(results.at(-1))}`);
  }
  await pool.close();
} finally {
  await worker.stop();
  await coordinator.stop();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
console.log(JSON.stringify({ root, results }, null, 2));
