#!/usr/bin/env node
// `npm run docs:trace`: the picture of one run's trace in docs/observability.md. Starts a coordinator
// (embedded PGlite store in a temporary directory) and two worker processes with OTLP export to an
// in-process receiver, calls the workflow order_flow (two steps, a model call on a scripted model,
// a child call to the other worker, a durable sleep), and renders the exported spans of that call as
// an SVG waterfall: docs/trace-run.svg (or the path given as the first argument).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startOtlpReceiver } from "./otlp-receiver.mjs";
import { renderWaterfall } from "./trace-svg.mjs";

const root = new URL("..", import.meta.url).pathname;
const output = process.argv[2] ?? join(root, "docs/trace-run.svg");

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** A node process whose output lines can be awaited. */
function start(name, script, env) {
  const child = spawn(process.execPath, [script], {
    cwd: root,
    env: { ...process.env, AGNT5_LOG_FORMAT: "json", AGNT5_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = [];
  const exited = new Promise((resolve) => child.once("exit", resolve));
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on("line", (l) => lines.push(l));
  return {
    async waitFor(text) {
      while (!lines.some((line) => line.includes(text))) {
        if (child.exitCode !== null) throw new Error(`${name} exited:\n${lines.slice(-20).join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

const receiver = await startOtlpReceiver({ keepSpans: true });
const dataDir = mkdtempSync(join(tmpdir(), "agnt5-docs-trace-"));
const [grpcPort, httpPort] = [await freePort(), await freePort()];
const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "50" };
const processes = [];
try {
  const coordinator = start("coordinator", "apps/coordinator/dist/main.js", {
    ...otel,
    AGNT5_DATA_DIR: dataDir,
    AGNT5_DEV_MODE: "1",
    AGNT5_HOST: "127.0.0.1",
    AGNT5_GRPC_PORT: String(grpcPort),
    AGNT5_HTTP_PORT: String(httpPort),
  });
  processes.push(coordinator);
  await coordinator.waitFor("Coordinator listening");
  for (const role of ["child", "parent"]) {
    const worker = start(`${role} worker`, "bench/traced-worker.mjs", {
      ...otel,
      TRACE_ROLE: role,
      AGNT5_COORDINATOR_ENDPOINT: `http://127.0.0.1:${grpcPort}`,
      // Suspend at once while waiting (the child call, the sleep): the trace shows each resume.
      AGNT5_SUSPEND_AFTER_MS: "0",
    });
    processes.push(worker);
    await worker.waitFor("Worker running, waiting for tasks");
  }

  const response = await fetch(`http://127.0.0.1:${httpPort}/v1/services/orders/order_flow`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id: "ord-7", items: [{ cents: 1200 }, { cents: 850 }] }),
  });
  const answer = await response.text();
  if (!response.ok) throw new Error(`order_flow answered HTTP ${response.status}: ${answer}`);
  const traceId = response.headers.get("traceparent")?.split("-")[1];
  if (!traceId) throw new Error("The gateway returned no traceparent: is tracing on?");

  const ofTrace = (spans) => spans.filter((span) => span.traceId === traceId);
  const complete = (spans) =>
    ofTrace(spans).some((s) => s.name === "workflow order_flow" && s.attributes["agnt5.outcome"] === "completed") &&
    ofTrace(spans).some((s) => s.name === "step sum") &&
    ofTrace(spans).some((s) => s.service === "agnt5-coordinator");
  const timeout = setTimeout(() => {
    console.error(`[docs:trace] the spans of trace ${traceId} did not all arrive within 30 s`);
    process.exit(1);
  }, 30_000);
  const spans = ofTrace(await receiver.until(complete));
  clearTimeout(timeout);

  const svg = renderWaterfall(spans, {
    title: "One run of the workflow order_flow, as exported over OTLP",
    subtitle: `${spans.length} spans of trace ${traceId}. The workflow suspends for the child call and for the sleep, so it runs three times.`,
  });
  writeFileSync(output, svg);
  console.log(`[docs:trace] ${answer}`);
  console.log(`[docs:trace] wrote ${spans.length} spans of trace ${traceId} to ${output}`);
} finally {
  await Promise.all(processes.map((p) => p.stop()));
  await receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
}
