#!/usr/bin/env node
// CPU cost per request of the coordinator and the worker, for a fixed number of calls: a figure
// that other load on a shared machine disturbs far less than requests/s. Each process's on-CPU
// time is read from /proc/<pid>/task/*/schedstat (nanoseconds, every thread: main, libuv pool, GC)
// before and after the calls. Wall-clock figures are printed too, for context only.
//
// Usage: node bench/cpu.mjs [--root=<checkout>] [--scenarios=echo1,echo64,steps1,steps32] [--calls=5000]
//                           [--profile=<dir>]  (writes --cpu-prof profiles of both processes there)
// --root runs another checkout's built coordinator and bench worker (an A/B against an older commit);
// the load generator and the PostgreSQL schema handling stay this script's.
import { resolve } from "node:path";
import pg from "pg";
import { Pool } from "undici";
import { cpuNanos, startProcess } from "./cpu-processes.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const root = resolve(args.root ?? new URL("..", import.meta.url).pathname);
const scenarios = (args.scenarios ?? "echo1,echo64,steps1,steps32").split(",");
const calls = Number(args.calls ?? 5000);
const databaseUrl = process.env.AGNT5_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const profileDir = args.profile;

const SCENARIOS = {
  echo1: { handler: "echo", concurrency: 1, calls },
  echo64: { handler: "echo", concurrency: 64, calls: calls * 4 },
  steps1: { handler: "ten_steps", concurrency: 1, calls: Math.ceil(calls / 10) },
  steps32: { handler: "ten_steps", concurrency: 32, calls: Math.ceil(calls / 2) },
};

function start(script, env) {
  return startProcess({ root, script, env, profileDir });
}

async function call(pool, handler, input) {
  const { statusCode, body } = await pool.request({
    path: `/v1/services/bench/${handler}`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  const text = await body.text();
  if (statusCode !== 200) throw new Error(`HTTP ${statusCode}: ${text}`);
}

async function run(pool, { handler, concurrency, calls: total }) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      while (next < total) {
        next++;
        await call(pool, handler, { lane });
      }
    }),
  );
}

const schema = `bench_cpu_${Date.now().toString(36)}`;
// Ports of our own, so runs side by side (an A/B, another helper's bench) do not collide.
const grpcPort = 20000 + (process.pid % 5000) * 2;
const httpPort = grpcPort + 1;
const coordinator = start("apps/coordinator/dist/main.js", {
  AGNT5_DATABASE_URL: databaseUrl,
  AGNT5_DATABASE_SCHEMA: schema,
  AGNT5_DEV_MODE: "1", // no credentials: loopback only
  AGNT5_HOST: "127.0.0.1",
  AGNT5_GRPC_PORT: String(grpcPort),
  AGNT5_HTTP_PORT: String(httpPort),
});
const worker = start("bench/bench-worker.mjs", { AGNT5_COORDINATOR_ENDPOINT: `http://127.0.0.1:${grpcPort}` });
const results = [];
try {
  await coordinator.waitFor("Coordinator listening");
  await worker.waitFor("Worker running");
  const pool = new Pool(`http://127.0.0.1:${httpPort}`, { connections: 64, pipelining: 1 });
  await run(pool, { handler: "echo", concurrency: 16, calls: 2000 }); // warm-up: JIT, pools
  await run(pool, { handler: "ten_steps", concurrency: 8, calls: 200 });
  for (const name of scenarios) {
    const scenario = SCENARIOS[name];
    const before = [cpuNanos(coordinator.pid), cpuNanos(worker.pid)];
    const t0 = performance.now();
    await run(pool, scenario);
    const seconds = (performance.now() - t0) / 1000;
    const after = [cpuNanos(coordinator.pid), cpuNanos(worker.pid)];
    const perCall = (i) => +((after[i] - before[i]) / 1e6 / scenario.calls).toFixed(4);
    results.push({
      scenario: name,
      calls: scenario.calls,
      coordinatorCpuMsPerCall: perCall(0),
      workerCpuMsPerCall: perCall(1),
      callsPerSecond: Math.round(scenario.calls / seconds),
    });
  }
  await pool.close();
} finally {
  await worker.stop();
  await coordinator.stop();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
console.log(JSON.stringify({ root, results }, null, 2));
