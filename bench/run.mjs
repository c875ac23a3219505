#!/usr/bin/env node
// Function-call benchmark: HTTP gateway -> coordinator -> worker (one gRPC stream) -> back, with
// every invocation and result committed in the store before the caller gets its answer.
// A 10-step workflow is called the same way: each step is proposed, committed and acknowledged.
// Prints one JSON document.
// Entity writes (one key, 1,000 keys) and shared reads on one key, at concurrency 64.
// An agent run (5 model calls, 4 tool calls; zero-latency scripted model) through POST /v1/agents/:name/runs
// and GET /v1/runs/:id/result, with the per-model-call and per-tool-call overhead from two smaller agents.
// Session appends (opt-in: --scenarios=session) to one session and over 1000 sessions at concurrency 64.
// Usage: node bench/run.mjs [--stores=pglite,postgres,redis] [--scenarios=function,workflow,entity,agent,session] [--seconds=5]
//        [--tracing] (OTLP export from the coordinator and the worker to a receiver this script starts)
//        [--cpu] (on-CPU time of the coordinator and the worker per call, from /proc: Linux only) [--port-base=0]
//        [--rss] (resident memory of the coordinator and the worker: idle after one call, then peak and
//        steady under each load, from /proc/<pid>/status: Linux only)
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { Pool } from "undici";
import { startOtlpReceiver } from "./otlp-receiver.mjs";
import { mb, rssAvailable, rssBytes, sampleRss } from "./rss.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const stores = (args.stores ?? "pglite,postgres,redis").split(",");
const seconds = Number(args.seconds ?? 5);
const scenarios = (args.scenarios ?? "function,workflow,entity,agent").split(",");
const latencyCalls = Number(args.calls ?? 2000);
const databaseUrl = process.env.AGNT5_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const redisUrl = process.env.AGNT5_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const root = new URL("..", import.meta.url).pathname;
const tracing = "tracing" in args;
const measureCpu = "cpu" in args && existsSync("/proc/self/task");
const measureRss = "rss" in args && rssAvailable;
// --tracing: every span is exported (batched every OTEL_BSP_SCHEDULE_DELAY, default 5 s) to a local
// receiver that decodes and counts it, as a collector on the same host would.
const receiver = tracing ? await startOtlpReceiver() : undefined;
const tracingEnv = receiver ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } : {};
/** The processes whose CPU time a measurement reports (--cpu): set by benchStore. */
let measuredProcesses = [];

// BENCH_PROFILE=<dir> (BENCH_PROFILE_WORKER=<dir>) writes a CPU profile of the coordinator (the
// worker) there; the process is then stopped with SIGINT so the profile is written.
function start(name, script, env, execArgv = []) {
  const child = spawn(process.execPath, [...execArgv, script], {
    cwd: root,
    env: { ...process.env, AGNT5_LOG_FORMAT: "json", AGNT5_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = [];
  let waiters = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      const matched = waiters.filter((w) => line.includes(w.text));
      waiters = waiters.filter((w) => !line.includes(w.text));
      for (const w of matched) w.resolve();
    });
  }
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    name,
    child,
    waitFor: (text) =>
      lines.some((l) => l.includes(text))
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            waiters.push({ text, resolve });
            exited.then(() => reject(new Error(`${name} exited:\n${lines.slice(-20).join("\n")}`)));
          }),
    stop: async () => {
      const profiling = process.env.BENCH_PROFILE || process.env.BENCH_PROFILE_WORKER;
      if (child.exitCode === null) child.kill(profiling ? "SIGINT" : "SIGKILL");
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
  throw new Error("coordinator did not become healthy");
}

async function call(pool, input, handler = "echo") {
  // A request with its own body (session appends): { path, body }.
  if (typeof handler === "object") return call(pool, handler.body, handler.path);
  if (handler.startsWith("agent:")) return runAgent(pool, handler.slice("agent:".length), input);
  const { statusCode, body } = await pool.request({
    path: handler.startsWith("/") ? handler : `/v1/services/bench/${handler}`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  const text = await body.text();
  if (statusCode !== 200) throw new Error(`HTTP ${statusCode}: ${text}`);
}

/** An agent run as a user makes it: start it (202 with its run id), then wait for its result. */
async function runAgent(pool, name, input) {
  const started = await pool.request({
    path: `/v1/agents/${name}/runs`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input: `run ${JSON.stringify(input)}` }),
  });
  const text = await started.body.text();
  if (started.statusCode !== 202) throw new Error(`HTTP ${started.statusCode}: ${text}`);
  const { runId } = JSON.parse(text);
  const result = await pool.request({ path: `/v1/runs/${runId}/result?timeoutMs=60000`, method: "GET" });
  const body = JSON.parse(await result.body.text());
  if (body.status !== "completed" || body.output?.status !== "completed") {
    throw new Error(`agent run ${runId} ended ${body.status}: ${JSON.stringify(body.error ?? body.output)}`);
  }
}

/** On-CPU nanoseconds of every thread of a process (main, libuv pool, GC), from /proc. */
function cpuNanos(pid) {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {} // a thread that ended between the listing and the read
  }
  return total;
}

/**
 * Runs `measure` and, with --cpu, adds the coordinator's and the worker's CPU µs per call to its
 * result; with --rss, their peak and steady resident memory during it (`rssMb`).
 */
async function withCpu(measure) {
  if (!measureRss) return withCpuOnly(measure);
  const sampler = sampleRss(measuredProcesses.map((p) => ({ name: p.name, pid: p.child.pid })));
  const result = await withCpuOnly(measure);
  result.rssMb = sampler.stop();
  return result;
}

async function withCpuOnly(measure) {
  if (!measureCpu) return measure();
  const before = measuredProcesses.map((p) => cpuNanos(p.child.pid));
  const result = await measure();
  const perCall = (index) =>
    +((cpuNanos(measuredProcesses[index].child.pid) - before[index]) / 1e3 / result.calls).toFixed(1);
  result.cpuUsPerCall = Object.fromEntries(measuredProcesses.map((p, index) => [p.name, perCall(index)]));
  return result;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function measureLatency(pool, calls, handler) {
  return withCpu(() => latency(pool, calls, handler));
}

async function latency(pool, calls, handler) {
  const samples = [];
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    await call(pool, { i }, handler);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { calls, p50Ms: +percentile(samples, 50).toFixed(3), p99Ms: +percentile(samples, 99).toFixed(3) };
}

async function measureThroughput(pool, concurrency, durationMs, handler) {
  return withCpu(() => throughput(pool, concurrency, durationMs, handler));
}

async function throughput(pool, concurrency, durationMs, handler) {
  const target = typeof handler === "function" ? handler : () => handler;
  let done = 0;
  const deadline = performance.now() + durationMs;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      while (performance.now() < deadline) {
        await call(pool, { lane }, target(lane, done));
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return { concurrency, calls: done, seconds: +elapsed.toFixed(2), callsPerSecond: Math.round(done / elapsed) };
}

async function benchStore(kind) {
  // --port-base=N moves every port by N: two benches can run on one machine at the same time.
  const offset = ({ pglite: 0, postgres: 10, redis: 20 }[kind] ?? 30) + Number(args["port-base"] ?? 0);
  const grpcPort = 19091 + offset;
  const httpPort = 18080 + offset;
  const dataDir = mkdtempSync(join(tmpdir(), "agnt5-bench-"));
  const schema = `bench_${Date.now().toString(36)}`;
  // "redis": the coordinator on PostgreSQL with entity state in Redis (only entity figures).
  const storeEnv =
    kind === "pglite"
      ? { AGNT5_DATA_DIR: dataDir }
      : {
          AGNT5_DATABASE_URL: databaseUrl,
          AGNT5_DATABASE_SCHEMA: schema,
          ...(kind === "redis" ? { AGNT5_ENTITY_STORE: "redis", AGNT5_REDIS_URL: redisUrl } : {}),
        };
  const coordinator = start(
    "coordinator",
    "apps/coordinator/dist/main.js",
    {
      ...storeEnv,
      ...tracingEnv,
      // Authentication off, as in the figures measured before it existed (a cached key costs no query).
      AGNT5_DEV_MODE: "1",
      AGNT5_LOG_LEVEL: "info",
      AGNT5_HOST: "127.0.0.1",
      AGNT5_GRPC_PORT: String(grpcPort),
      AGNT5_HTTP_PORT: String(httpPort),
    },
    process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
  );
  const url = `http://127.0.0.1:${httpPort}`;
  const worker = start(
    "worker",
    "bench/bench-worker.mjs",
    { ...tracingEnv, AGNT5_LOG_LEVEL: "info", AGNT5_COORDINATOR_ENDPOINT: `http://127.0.0.1:${grpcPort}` },
    process.env.BENCH_PROFILE_WORKER ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_WORKER}`] : [],
  );
  try {
    await coordinator.waitFor("Coordinator listening");
    await waitHealthy(url);
    await worker.waitFor("Worker running");
    measuredProcesses = [coordinator, worker];
    const pool = new Pool(url, { connections: 64, pipelining: 1 });
    const result = { store: kind };
    if (measureRss) {
      // Idle: started, one call made (so the worker's stream and the store's pools are open).
      await call(pool, { i: 0 }, "echo");
      result.idleRssMb = Object.fromEntries(measuredProcesses.map((p) => [p.name, mb(rssBytes(p.child.pid))]));
    }
    if (scenarios.includes("function") && kind !== "redis") {
      await measureThroughput(pool, 16, 1000, "echo"); // warm-up: JIT, connection pools
      result.functionCall = {
        concurrency1: await measureLatency(pool, latencyCalls, "echo"),
        concurrency64: await measureThroughput(pool, 64, seconds * 1000, "echo"),
      };
    }
    if (scenarios.includes("entity")) {
      const entity = (key, method) => `/v1/entities/Counter/${key}/${method}`;
      await measureThroughput(pool, 8, 1000, () => entity(`warm-${kind}`, "increment"));
      result.entity = {
        writesOneKeyConcurrency64: await measureThroughput(pool, 64, seconds * 1000, () => entity("hot", "increment")),
        writes1000KeysConcurrency64: await measureThroughput(pool, 64, seconds * 1000, (lane, done) =>
          entity(`key-${(lane * 7919 + done) % 1000}`, "increment"),
        ),
        sharedReadsOneKeyConcurrency64: await measureThroughput(pool, 64, seconds * 1000, () => entity("hot", "read")),
      };
    }
    if (scenarios.includes("session")) {
      // Session appends (@agnt5/adk's agnt5.session entity, hosted by any worker that registers an
      // agent): one message per append, to one session (single writer) and spread over 1000 sessions.
      const append = (id) => `/v1/entities/agnt5.session/${id}/append`;
      const message = { role: "user", content: "hello", message: { role: "user", content: "hello" } };
      const appendTo = (id) => ({ path: append(id), body: { messages: [message] } });
      await measureThroughput(pool, 8, 1000, () => appendTo(`warm-${kind}`));
      result.sessionAppend = {
        oneSessionConcurrency64: await measureThroughput(pool, 64, seconds * 1000, () => appendTo(`hot-${kind}`)),
        spreadOver1000SessionsConcurrency64: await measureThroughput(pool, 64, seconds * 1000, (lane, done) =>
          appendTo(`s-${(lane * 7919 + done) % 1000}`),
        ),
      };
    }
    if (kind === "redis") {
      await pool.close();
      return result;
    }
    if (scenarios.includes("workflow")) {
      await measureThroughput(pool, 8, 1000, "ten_steps");
      result.tenStepWorkflow = {
        concurrency1: await measureLatency(pool, Math.ceil(latencyCalls / 4), "ten_steps"),
        concurrency32: await measureThroughput(pool, 32, seconds * 1000, "ten_steps"),
      };
    }
    if (scenarios.includes("agent")) {
      await measureThroughput(pool, 8, 1000, "agent:agent_5m_4t");
      const runs = Math.ceil(latencyCalls / 4);
      const fiveModelFourTool = await measureLatency(pool, runs, "agent:agent_5m_4t");
      const twoModelFourTool = await measureLatency(pool, runs, "agent:agent_2m_4t");
      const oneModel = await measureLatency(pool, runs, "agent:agent_1m_0t");
      // p50(5m+4t) - p50(2m+4t) = 3 model calls; p50(2m+4t) - p50(1m) = 1 model call + 4 tool calls.
      const perModelCallMs = (fiveModelFourTool.p50Ms - twoModelFourTool.p50Ms) / 3;
      const perToolCallMs = (twoModelFourTool.p50Ms - oneModel.p50Ms - perModelCallMs) / 4;
      result.agentRun = {
        fiveModelCallsFourToolCalls: {
          concurrency1: fiveModelFourTool,
          concurrency32: await measureThroughput(pool, 32, seconds * 1000, "agent:agent_5m_4t"),
        },
        twoModelCallsFourToolCallsConcurrency1: twoModelFourTool,
        oneModelCallConcurrency1: oneModel,
        overheadAtP50: { perModelCallMs: +perModelCallMs.toFixed(3), perToolCallMs: +perToolCallMs.toFixed(3) },
      };
    }
    await pool.close();
    return result;
  } finally {
    await worker.stop();
    await coordinator.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (kind !== "pglite") {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }
}

const results = [];
for (const kind of stores) results.push(await benchStore(kind));
await receiver?.close();
console.log(
  JSON.stringify(
    {
      benchmark:
        "HTTP gateway -> coordinator -> worker -> back; the invocation, every journal entry and the result committed before answering",
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
      tracing: receiver ? { exportedTo: "local OTLP/HTTP receiver", ...receiver.counts } : false,
      results,
    },
    null,
    2,
  ),
);
