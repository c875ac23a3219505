// What the phases of bench/scale.mjs share: a coordinator on a fresh PostgreSQL schema or PGlite
// data directory, bench/scale-worker.mjs workers, HTTP calls, the coordinator's /metrics, and the
// memory of both processes (RSS from /proc; the JS heap after a full collection).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { Pool } from "undici";
import { startProcess } from "./cpu-processes.mjs";
import { connectInspector } from "./inspector.mjs";
import { mb, rssBytes } from "./rss.mjs";

export const root = new URL("..", import.meta.url).pathname;
export const databaseUrl = process.env.AGNT5_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** Where the coordinator's build comes from: --root runs another checkout's (an A/B of a fix). */
export const coordinatorBuild = { root };
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Where one phase keeps its data: a fresh PostgreSQL schema or a fresh PGlite data directory. */
export function freshStore(kind, label) {
  if (kind === "postgres") {
    const schema = `bench_scale_${label}_${Date.now().toString(36)}`;
    return {
      kind,
      schema,
      env: { AGNT5_DATABASE_URL: databaseUrl, AGNT5_DATABASE_SCHEMA: schema },
      async sql(text, params) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          await client.query(`SET search_path TO "${schema}"`);
          return (await client.query(text, params)).rows;
        } finally {
          await client.end();
        }
      },
      async drop() {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), `agnt5-scale-${label}-`));
  return {
    kind,
    dataDir,
    env: { AGNT5_DATA_DIR: dataDir },
    /** Only while no coordinator has the data directory open (PGlite is one process's). */
    async sql(text, params) {
      const db = new PGlite(join(dataDir, "pglite"));
      try {
        return (await db.query(text, params)).rows;
      } finally {
        await db.close();
      }
    },
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Ports of our own (from the pid), so another bench on the machine does not collide; below 32768,
// where Linux starts handing out ephemeral ports for outgoing connections.
const base = 21000 + (process.pid % 2900) * 4;
export const ports = { grpc: base, http: base + 1, inspect: base + 2 };

/** The coordinator on `store`, with its inspector open (the heap is read through it). */
export function startCoordinator(store, env = {}) {
  const coordinator = startProcess({
    root: coordinatorBuild.root,
    script: "apps/coordinator/dist/main.js",
    execArgv: [`--inspect=127.0.0.1:${ports.inspect}`],
    env: {
      ...store.env,
      AGNT5_DEV_MODE: "1", // no credentials: loopback only
      AGNT5_HOST: "127.0.0.1",
      AGNT5_GRPC_PORT: String(ports.grpc),
      AGNT5_HTTP_PORT: String(ports.http),
      ...env,
    },
  });
  return { name: "coordinator", ...coordinator };
}

/** A scale worker (--expose-gc: its `heap` function collects before it reads the heap). */
export function startWorker(env = {}) {
  const worker = startProcess({
    root,
    script: "bench/scale-worker.mjs",
    execArgv: ["--expose-gc"],
    env: { AGNT5_COORDINATOR_ENDPOINT: `http://127.0.0.1:${ports.grpc}`, ...env },
  });
  return { name: "worker", ...worker };
}

export function httpPool() {
  return new Pool(`http://127.0.0.1:${ports.http}`, { connections: 64, pipelining: 1 });
}

export async function request(pool, method, path, body) {
  const response = await pool.request({
    path,
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`${method} ${path}: HTTP ${response.statusCode}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Runs `count` tasks (`task(i)`) with `concurrency` in flight. */
export async function forEachConcurrently(count, concurrency, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** The sum of a metric's samples whose labels include every `labels` pair (Prometheus text). */
export async function metric(pool, name, labels = {}) {
  const { body } = await pool.request({ path: "/metrics", method: "GET" });
  let total = 0;
  for (const line of (await body.text()).split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.split(" ").at(-1));
  }
  return total;
}

/** Polls until `check()` is true (every `everyMs`), or throws after `timeoutMs`. */
export async function until(what, check, { everyMs = 250, timeoutMs = 600_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Both processes' memory: RSS, and the JS heap after a full collection (the coordinator's
 * through its inspector, the worker's through its `heap` function).
 */
export async function memory(coordinator, worker, pool, inspector) {
  const coordinatorHeap = await inspector.memoryAfterGc();
  const workerHeap = await request(pool, "POST", "/v1/services/scale/heap", null);
  return {
    coordinator: {
      rssMb: mb(rssBytes(coordinator.pid)),
      heapUsedMb: mb(coordinatorHeap.heapUsed),
      heapTotalMb: mb(coordinatorHeap.heapTotal),
      externalMb: mb(coordinatorHeap.external),
    },
    worker: { rssMb: mb(rssBytes(worker.pid)), heapUsedMb: mb(workerHeap.heapUsed) },
    raw: { coordinatorHeapUsed: coordinatorHeap.heapUsed, workerHeapUsed: workerHeap.heapUsed },
  };
}

/** Starts a coordinator and a worker on `store` and waits until the worker is registered. */
export async function startPair(store, { coordinatorEnv, workerEnv } = {}) {
  const coordinator = startCoordinator(store, coordinatorEnv);
  const worker = startWorker(workerEnv);
  try {
    await coordinator.waitFor("Coordinator listening");
    await worker.waitFor("Worker running");
  } catch (error) {
    // A coordinator that could not start leaves a worker retrying its connection forever.
    await worker.stop();
    await coordinator.stop();
    throw error;
  }
  const pool = httpPool();
  const inspector = await connectInspector(ports.inspect);
  return {
    coordinator,
    worker,
    pool,
    inspector,
    async stop() {
      inspector.close();
      await pool.close();
      await worker.stop();
      await coordinator.stop();
    },
  };
}
