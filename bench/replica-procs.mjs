// Processes for bench/replicas.mjs: N coordinator replicas (or one single-mode coordinator) on one
// fresh PostgreSQL schema, one bench worker per replica, and the load helpers that spread calls
// over the replicas' gateways.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import pg from "pg";
import { Pool } from "undici";

export const databaseUrl = process.env.AGNT5_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const redisUrl = process.env.AGNT5_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const root = new URL("..", import.meta.url).pathname;

/** `uptime`'s three load averages, noted beside every figure (the machine is shared). */
export const load = () => loadavg().map((n) => +n.toFixed(2));

export function startProcess(name, script, env, execArgv = []) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AGNT5_")));
  const child = spawn(process.execPath, [...execArgv, script], {
    cwd: root,
    env: { ...inherited, AGNT5_LOG_FORMAT: "json", AGNT5_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = [];
  let waiters = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      if (lines.length > 2000) lines.splice(0, 1000);
      const matched = waiters.filter((w) => line.includes(w.text));
      waiters = waiters.filter((w) => !line.includes(w.text));
      for (const w of matched) w.resolve();
    });
  }
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    name,
    child,
    lines,
    waitFor: (text) =>
      lines.some((l) => l.includes(text))
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            waiters.push({ text, resolve });
            exited.then(() => reject(new Error(`${name} exited:\n${lines.slice(-20).join("\n")}`)));
          }),
    kill: async (signal = "SIGKILL") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

async function waitHealthy(url) {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy`);
}

export async function sql(text, params = []) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * `replicas` 0: one coordinator in single mode (AGNT5_CLUSTER unset); N >= 1: N replicas with
 * AGNT5_CLUSTER=1 and the local Redis. One bench worker per coordinator, connected to its own
 * replica first and to the others after it (the SDK's endpoint list), so a worker whose replica
 * dies moves on.
 */
export async function startSet({ replicas, portBase = 0, leaseSeconds, profileDir }) {
  const schema = `bench_replicas_${Date.now().toString(36)}`;
  const count = Math.max(1, replicas);
  const ports = Array.from({ length: count }, (_, i) => ({ http: 18600 + portBase + i, grpc: 19600 + portBase + i }));
  const coordinators = [];
  const workers = [];
  const startReplica = (i) =>
    startProcess(
      `coordinator-${i}`,
      "apps/coordinator/dist/main.js",
      {
        AGNT5_DATABASE_URL: databaseUrl,
        AGNT5_DATABASE_SCHEMA: schema,
        AGNT5_DEV_MODE: "1",
        AGNT5_HOST: "127.0.0.1",
        AGNT5_HTTP_PORT: String(ports[i].http),
        AGNT5_GRPC_PORT: String(ports[i].grpc),
        ...(replicas > 0
          ? {
              AGNT5_CLUSTER: "1",
              AGNT5_REDIS_URL: redisUrl,
              AGNT5_REPLICA_NAME: `bench-r${i}`,
              ...(leaseSeconds ? { AGNT5_LEASE_SECONDS: String(leaseSeconds) } : {}),
            }
          : {}),
      },
      profileDir && i === 0 ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
    );
  const set = {
    schema,
    replicas,
    urls: ports.map((p) => `http://127.0.0.1:${p.http}`),
    coordinators,
    workers,
    pools: [],
    /** Every process's on-CPU ns (all threads), for CPU per call. */
    cpuNanos: () => [...coordinators, ...workers].reduce((sum, p) => sum + processCpu(p.child.pid), 0),
    stop: async ({ dropSchema = true } = {}) => {
      await Promise.all(set.pools.map((pool) => pool.close().catch(() => {})));
      await Promise.all(workers.map((w) => w.kill()));
      // SIGINT when profiling: the profile is written at exit.
      await Promise.all(coordinators.map((c) => c.kill(profileDir ? "SIGINT" : "SIGKILL")));
      if (dropSchema) await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
  try {
    // The first migrates the schema; the others join it after.
    coordinators.push(startReplica(0));
    await coordinators[0].waitFor("Coordinator listening");
    for (let i = 1; i < count; i++) coordinators.push(startReplica(i));
    await Promise.all(coordinators.map((c) => c.waitFor("Coordinator listening")));
    await Promise.all(set.urls.map(waitHealthy));
    for (let i = 0; i < count; i++) {
      const order = [...ports.slice(i), ...ports.slice(0, i)].map((p) => `http://127.0.0.1:${p.grpc}`);
      workers.push(
        startProcess(`worker-${i}`, "bench/bench-worker.mjs", { AGNT5_COORDINATOR_ENDPOINT: order.join(",") }),
      );
    }
    await Promise.all(workers.map((w) => w.waitFor("Worker running")));
    set.pools = set.urls.map((url) => new Pool(url, { connections: 64, pipelining: 1 }));
    // Each replica learns the others' services at its lease round: wait until a call made on every
    // gateway is answered.
    for (const pool of set.pools) await call(pool, "/v1/services/bench/echo", { warm: true });
    return set;
  } catch (error) {
    await set.stop();
    throw error;
  }
}

function processCpu(pid) {
  let total = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
      } catch {}
    }
  } catch {}
  return total;
}

export async function call(pool, path, input) {
  const { statusCode, body } = await pool.request({
    path,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  const text = await body.text();
  if (statusCode !== 200) throw new Error(`HTTP ${statusCode}: ${text}`);
  return text;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** `calls` calls one after the other, the i-th to gateway i mod N: p50/p99 and calls/s. */
export async function latency(set, calls, path) {
  const samples = [];
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) {
    const started = process.hrtime.bigint();
    await call(set.pools[i % set.pools.length], path(0, i), { i });
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const elapsed = (performance.now() - t0) / 1000;
  samples.sort((a, b) => a - b);
  return {
    concurrency: 1,
    calls,
    callsPerSecond: Math.round(calls / elapsed),
    p50Ms: +percentile(samples, 50).toFixed(3),
    p99Ms: +percentile(samples, 99).toFixed(3),
  };
}

/** `concurrency` lanes for `seconds`, lane i on gateway i mod N: calls/s, p50/p99, CPU µs per call. */
export async function throughput(set, concurrency, seconds, path) {
  const samples = [];
  const cpuBefore = set.cpuNanos();
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      const pool = set.pools[lane % set.pools.length];
      while (performance.now() < deadline) {
        const started = performance.now();
        await call(pool, path(lane, samples.length), { lane });
        samples.push(performance.now() - started);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpuUs = (set.cpuNanos() - cpuBefore) / 1e3;
  samples.sort((a, b) => a - b);
  return {
    concurrency,
    calls: samples.length,
    seconds: +elapsed.toFixed(2),
    callsPerSecond: Math.round(samples.length / elapsed),
    p50Ms: +percentile(samples, 50).toFixed(3),
    p99Ms: +percentile(samples, 99).toFixed(3),
    // Coordinators and workers together (PostgreSQL and Redis not counted).
    cpuUsPerCall: Math.round(cpuUs / samples.length),
  };
}

export const echo = () => "/v1/services/bench/echo";
export const tenSteps = () => "/v1/services/bench/ten_steps";
export const entityWrite1000Keys = (lane, done) => `/v1/entities/Counter/key-${(lane * 7919 + done) % 1000}/increment`;

/**
 * On-CPU ns of the PostgreSQL backends serving a process's connections (found with `ss` by its
 * local ports, then pg_stat_activity.client_port): what a statement costs the server, which other
 * load on the machine disturbs far less than wall-clock time.
 */
export async function backendCpu(pid) {
  const { execFileSync } = await import("node:child_process");
  const ports = execFileSync("ss", ["-tnpH", "state", "established", "( dport = :5432 )"], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => Number(line.trim().split(/\s+/)[2].split(":").pop()));
  const rows = await sql(`SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])`, [ports]);
  return (backends) => (backends ?? rows).reduce((sum, row) => sum + processCpu(row.pid), 0);
}
