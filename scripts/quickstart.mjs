#!/usr/bin/env node
// The README's first command: starts the coordinator on the embedded store (PGlite in .agnt5/),
// starts the hello-service worker, makes the seed's curl call, and keeps both running so you can
// try more calls. `--once` stops everything after the call (CI uses it).
import { spawn } from "node:child_process";
import { createServer } from "node:net";

const root = new URL("..", import.meta.url).pathname;
const once = process.argv.includes("--once");
const httpPort = process.env.AGNT5_HTTP_PORT ?? "8080";
const grpcPort = process.env.AGNT5_GRPC_PORT ?? "9091";
const gateway = `http://127.0.0.1:${httpPort}`;
const env = {
  ...process.env,
  AGNT5_HTTP_PORT: httpPort,
  AGNT5_GRPC_PORT: grpcPort,
  AGNT5_LOG_FORMAT: process.env.AGNT5_LOG_FORMAT ?? "pretty",
  // Local try-out: authentication off (the coordinator logs a warning saying so). docs/security.md
  // says how to run with keys.
  AGNT5_DEV_MODE: "1",
};
env.AGNT5_COORDINATOR_ENDPOINT ??= `http://127.0.0.1:${grpcPort}`;

// Another coordinator (an earlier quickstart, `npm run coordinator`) on our ports would answer the
// calls below while ours fails to bind: the run would "succeed" against the wrong process. Refuse
// to start instead, naming the port and the variable that moves it.
const host = process.env.AGNT5_HOST ?? "0.0.0.0";
for (const [port, variable, what] of [
  [httpPort, "AGNT5_HTTP_PORT", "the coordinator's HTTP gateway"],
  [grpcPort, "AGNT5_GRPC_PORT", "the coordinator's gRPC port for workers"],
]) {
  const problem = await cannotListen(Number(port), host);
  if (problem) {
    console.error(
      `[quickstart] Port ${port} (${what}) is ${problem === "EADDRINUSE" ? "already in use, probably by another coordinator or an earlier quickstart" : `not available (${problem})`}.`,
    );
    console.error(
      `[quickstart] Stop that process, or choose another port: ${variable}=${Number(port) + 1} npm run quickstart`,
    );
    process.exit(1);
  }
}

/** undefined when `port` can be listened on, else the error code (EADDRINUSE, EACCES, ...). */
function cannotListen(port, host) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error) => resolve(error.code ?? error.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

const children = [];
const start = (name, script) => {
  const child = spawn(process.execPath, [script], { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`[quickstart] ${name} exited (${signal ?? code}); its output above says why. Stopping.`);
      stop(1);
    }
  });
  children.push(child);
  return child;
};
let stopping = false;
const stop = (code) => {
  // The first reason to stop decides the exit code (a crash is not turned into a success).
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 500).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on("exit", r))))).then(() =>
    process.exit(code),
  );
};
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

async function waitFor(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; Date.now() < deadline && !stopping; delay = Math.min(delay * 2, 1000)) {
    try {
      if (await check()) return;
    } catch {}
    await new Promise((r) => setTimeout(r, delay));
  }
  if (stopping) await new Promise(() => {}); // a child exited: stop() ends the process
  throw new Error(`timed out waiting for ${what}`);
}

start("coordinator", "apps/coordinator/dist/main.js");
await waitFor("the coordinator", async () => (await fetch(`${gateway}/health`)).ok);
start("hello-service worker", "examples/hello-service/dist/worker.js");
await waitFor("the hello-service worker", async () => {
  const { services } = await (await fetch(`${gateway}/v1/services`)).json();
  return services.some((s) => s.name === "hello-service" && s.workers.length > 0);
});

const body = { serviceName: "hello-service", handlerName: "greet", inputData: "QWxpY2U=" };
console.log(`\n$ curl -X POST ${gateway}/call -H "Content-Type: application/json" -d '${JSON.stringify(body)}'`);
const response = await fetch(`${gateway}/call`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
const text = await response.text();
console.log(text, "\n");
if (!response.ok) {
  console.error(`[quickstart] the call failed with HTTP ${response.status}`);
  stop(1);
} else if (once) {
  stop(0);
} else {
  console.log(`Try more (Ctrl+C stops everything):
  curl -X POST ${gateway}/v1/services/hello-service/math_add -H 'content-type: application/json' -d '{"a": 5, "b": 3}'
  curl -N -X POST ${gateway}/v1/services/hello-service/countdown -d '5'
  curl ${gateway}/v1/services
`);
}
