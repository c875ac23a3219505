import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fn, Registry, workflow } from "@agnt5/core";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createCaptureLogger } from "./test-support/capture-logger.js";
import { Worker } from "./worker.js";
import type { WorkerOptions } from "./worker-options.js";

function components() {
  const registry = new Registry();
  fn({ name: "api_handler", registry }, (request: Record<string, unknown>) => ({
    message: "Hello from AGNT5!",
    received: request,
  }));
  fn({ name: "math_add", registry, input: z.object({ a: z.number(), b: z.number() }) }, async ({ a, b }) => {
    await Promise.resolve();
    return a + b;
  });
  fn({ name: "failing_function", registry }, (_data: unknown) => {
    throw new Error("Something went wrong");
  });
  fn({ name: "count", registry }, async function* (upTo: number) {
    for (let i = 1; i <= upTo; i++) yield { i };
  });
  fn({ name: "count_then_fail", registry }, async function* () {
    yield 1;
    throw new Error("midway");
  });
  workflow({ name: "checkout", registry, input: z.object({ orderId: z.string() }) }, async (ctx, { orderId }) => {
    const charge = await ctx.step("charge", () => ({ id: `ch_${orderId}` }));
    await ctx.sleep(0);
    return { orderId, charge, runId: ctx.runId, type: ctx.componentType };
  });
  workflow({ name: "await_go", registry }, async (ctx) => ctx.signal("go"));
  return registry;
}

const workers: Worker[] = [];
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
});

async function serve(options: Partial<WorkerOptions> = {}) {
  const worker = new Worker("web-service", {
    runtime: "http",
    serviceVersion: "1.2.0",
    registry: components(),
    logger: createCaptureLogger(),
    handleSignals: false,
    ...options,
  });
  workers.push(worker);
  const { url } = await worker.listen(0, "127.0.0.1");
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { worker, url, post };
}

describe("HTTP runtime", () => {
  it("answers GET /health with service name and version", async () => {
    const { url } = await serve();
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "healthy", service: "web-service", version: "1.2.0" });
  });

  it("lists function metadata at GET /functions", async () => {
    const { url } = await serve();
    const functions = (await (await fetch(`${url}/functions`)).json()) as Array<{
      name: string;
      streaming: boolean;
      parameters: unknown[];
    }>;
    // Workflows are components too: listed with their type.
    expect(functions.map((f) => f.name).sort()).toEqual([
      "api_handler",
      "await_go",
      "checkout",
      "count",
      "count_then_fail",
      "failing_function",
      "math_add",
    ]);
    expect(functions.find((f) => f.name === "count")?.streaming).toBe(true);
    expect(functions.find((f) => f.name === "math_add")?.parameters).toMatchObject([
      { name: "a", type: "number", required: true },
      { name: "b" },
    ]);
  });

  it("lists only workflows at GET /workflows", async () => {
    const { url } = await serve();
    const workflows = (await (await fetch(`${url}/workflows`)).json()) as Array<{ name: string; type: string }>;
    expect(workflows.map((w) => [w.name, w.type]).sort()).toEqual([
      ["await_go", "workflow"],
      ["checkout", "workflow"],
    ]);
  });

  it("runs a workflow at POST /invoke/:name in process, without a journal", async () => {
    const { post } = await serve();
    const response = await post("/invoke/checkout", JSON.stringify({ orderId: "o-1" }));
    expect(response.status).toBe(200);
    const { result } = (await response.json()) as { result: { runId: string } };
    expect(result).toMatchObject({ orderId: "o-1", charge: { id: "ch_o-1" }, type: "workflow" });
    expect(result.runId).toMatch(/^http-/);
  });

  it("answers 501 NOT_IN_WORKER for a workflow operation that needs a coordinator", async () => {
    const { post } = await serve();
    const response = await post("/invoke/await_go", "null");
    expect(response.status).toBe(501);
    expect(await response.json()).toMatchObject({ code: "NOT_IN_WORKER", status: 501 });
  });

  it("invokes a sync function and wraps its output in {result}", async () => {
    const { post } = await serve();
    const response = await post("/invoke/api_handler", JSON.stringify({ test: "data" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("agnt5-invocation-id")).toMatch(/^http-/);
    expect(await response.json()).toEqual({ result: { message: "Hello from AGNT5!", received: { test: "data" } } });
  });

  it("invokes an async function with validated input", async () => {
    const { post } = await serve();
    const response = await post("/invoke/math_add", JSON.stringify({ a: 5, b: 3 }));
    expect(await response.json()).toEqual({ result: 8 });
  });

  it("answers 400 INVALID_INPUT naming the field when zod rejects the input", async () => {
    const { post } = await serve();
    const response = await post("/invoke/math_add", JSON.stringify({ a: 5, b: "three" }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: string;
      code: string;
      status: number;
      details: { issues: Array<{ path: string }> };
    };
    expect(body).toMatchObject({ code: "INVALID_INPUT", status: 400 });
    expect(body.error).toContain("b:");
    expect(body.details.issues.map((issue) => issue.path)).toEqual(["b"]);
  });

  it("answers 500 with the seed's error shape when the handler throws", async () => {
    const { post } = await serve();
    const response = await post("/invoke/failing_function", "{}");
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: "Function failing_function failed: Something went wrong",
      code: "HANDLER_ERROR",
      status: 500,
    });
  });

  it("answers 404 for an unknown handler, naming it and the registered ones", async () => {
    const { post } = await serve();
    const response = await post("/invoke/nope", "{}");
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: string; code: string };
    expect(body.code).toBe("COMPONENT_NOT_FOUND");
    expect(body.error).toContain('"nope"');
    expect(body.error).toContain("api_handler");
  });

  it("answers 400 for a malformed JSON body, saying what is wrong", async () => {
    const { post } = await serve();
    const response = await post("/invoke/api_handler", '{"test": ');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; code: string };
    expect(body.code).toBe("INVALID_INPUT");
    expect(body.error).toMatch(/not valid JSON: .+/);
  });

  it("answers 413 for a body over the limit", async () => {
    const { post } = await serve({ bodyLimitBytes: 1024 });
    const response = await post("/invoke/api_handler", JSON.stringify({ blob: "x".repeat(4096) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "PAYLOAD_TOO_LARGE", status: 413 });
  });

  it("answers 404 for unknown routes and 405 for a wrong method", async () => {
    const { url, post } = await serve();
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
    expect((await post("/health", "{}")).status).toBe(405);
  });

  it("streams a streaming function as NDJSON envelopes", async () => {
    const { post } = await serve();
    const response = await post("/invoke/count", "3");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await response.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.slice(0, 3)).toEqual([
      { type: "chunk", seq: 0, data: { i: 1 } },
      { type: "chunk", seq: 1, data: { i: 2 } },
      { type: "chunk", seq: 2, data: { i: 3 } },
    ]);
    expect(lines[3]).toMatchObject({ type: "done", invocationId: expect.stringMatching(/^http-/) });
  });

  it("reports a failure after the first chunk as an error envelope", async () => {
    const { post } = await serve();
    const lines = (await (await post("/invoke/count_then_fail", "")).text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { type: "chunk", seq: 0, data: 1 },
      { type: "error", error: { code: "HANDLER_ERROR", message: "midway" } },
    ]);
  });

  it("sends no CORS headers until CORS is enabled, then allows every origin", async () => {
    const { worker, url } = await serve();
    const headers = { origin: "https://myapp.com" };
    expect((await fetch(`${url}/health`, { headers })).headers.get("access-control-allow-origin")).toBeNull();

    worker.enableCors();
    expect((await fetch(`${url}/health`, { headers })).headers.get("access-control-allow-origin")).toBe("*");
    const preflight = await fetch(`${url}/invoke/api_handler`, {
      method: "OPTIONS",
      headers: {
        ...headers,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("content-type");

    worker.disableCors();
    expect((await fetch(`${url}/health`, { headers })).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("with an origin list, echoes only a listed Origin and varies on it", async () => {
    const { worker, url } = await serve();
    worker.enableCors({ origins: ["https://myapp.com", "https://localhost:3000"] });

    const allowed = await fetch(`${url}/health`, { headers: { origin: "https://localhost:3000" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://localhost:3000");
    expect(allowed.headers.get("vary")).toBe("Origin");

    const refused = await fetch(`${url}/health`, { headers: { origin: "https://evil.example" } });
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    expect(refused.headers.get("vary")).toBe("Origin");

    const preflight = await fetch(`${url}/invoke/api_handler`, {
      method: "OPTIONS",
      headers: { origin: "https://myapp.com", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://myapp.com");
  });

  it("works as a plain request listener in any node http server", async () => {
    const worker = new Worker("web-service", {
      runtime: "http",
      registry: components(),
      logger: createCaptureLogger(),
    });
    const server = createServer(worker.handler);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/invoke/math_add`, {
        method: "POST",
        body: '{"a":1,"b":2}',
      });
      expect(await response.json()).toEqual({ result: 3 });
    } finally {
      server.close();
    }
  });

  it("run() serves on httpPort until stop()", async () => {
    const logger = createCaptureLogger();
    const worker = new Worker("web-service", {
      runtime: "http",
      httpPort: 0,
      registry: components(),
      logger,
      handleSignals: false,
    });
    const listening = once(worker, "listening");
    const running = worker.run();
    const [address] = await listening;
    await worker.ready;
    expect(worker.isRunning()).toBe(true);
    expect(await (await fetch(`${address.url}/health`)).json()).toMatchObject({ status: "healthy" });
    expect(logger.lines.map((line) => line.message)).toContain(`HTTP runtime listening on ${address.url}`);

    await worker.stop();
    await running;
    expect(worker.isRunning()).toBe(false);
  });
});
