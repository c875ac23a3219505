// The SDK's Client against the real gateway (no fake): every client method end to end, and errors
// surfacing as Agnt5ClientError with the gateway's status and code. Once per store.
import { randomUUID } from "node:crypto";
import { Agnt5ClientError, Client, fn, Registry, TerminalError } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { STORE_KINDS, startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "client-service";

function clientService() {
  const registry = new Registry();
  const runs = new Map<string, number>();
  fn({ name: "greet", registry }, (name: string) => `Hello, ${name}!`);
  fn({ name: "math_add", registry, input: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => a + b);
  fn({ name: "count_runs", registry }, (input: { tag: string }) => {
    const run = (runs.get(input.tag) ?? 0) + 1;
    runs.set(input.tag, run);
    return { tag: input.tag, run };
  });
  fn({ name: "count_to", registry }, async function* (n: number) {
    for (let i = 1; i <= n; i++) yield { n: i };
  });
  fn({ name: "stream_then_fail", registry, retry: { maxAttempts: 1 } }, async function* (_input: null) {
    yield "first";
    throw new TerminalError("the stream gave up", { code: "GAVE_UP" });
  });
  fn({ name: "decline", registry }, (_input: null) => {
    throw new TerminalError("card declined", { details: { reason: "insufficient_funds" } });
  });
  return { registry, runsOf: (tag: string) => runs.get(tag) ?? 0 };
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Agnt5ClientError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(Agnt5ClientError);
  return error as Agnt5ClientError;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe.each(STORE_KINDS)("@agnt5/sdk Client against the gateway (%s store)", (kind) => {
  const service = clientService();
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  let client: Client;

  beforeAll(async () => {
    coordinator = await startTestCoordinator(kind);
    worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: coordinator.endpoint,
      registry: service.registry,
    });
    client = new Client(coordinator.url);
  });

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  it("call() sends the seed's base64 inputData and returns the decoded output", async () => {
    await expect(client.call({ serviceName: SERVICE, handlerName: "greet", inputData: "QWxpY2U=" })).resolves.toBe(
      "Hello, Alice!",
    );
    await expect(client.call({ serviceName: SERVICE, handlerName: "math_add", input: { a: 5, b: 3 } })).resolves.toBe(
      8,
    );
  });

  it("invoke() returns the handler's JSON output", async () => {
    await expect(client.invoke(SERVICE, "math_add", { a: 2, b: 40 })).resolves.toBe(42);
    await expect(client.invoke(SERVICE, "greet", "Ada")).resolves.toBe("Hello, Ada!");
  });

  it("invoke() with an idempotencyKey runs the handler once for repeated calls", async () => {
    const tag = randomUUID();
    const first = await client.invoke(SERVICE, "count_runs", { tag }, { idempotencyKey: `k-${tag}` });
    const second = await client.invoke(SERVICE, "count_runs", { tag }, { idempotencyKey: `k-${tag}` });

    expect(first).toEqual({ tag, run: 1 });
    expect(second).toEqual(first);
    expect(service.runsOf(tag)).toBe(1);
  });

  it("submit() returns an invocation id and waitForResult() its output", async () => {
    const { invocationId } = await client.submit(SERVICE, "math_add", { a: 7, b: 8 });

    expect(invocationId).toMatch(/^inv_/);
    await expect(client.waitForResult(invocationId, { timeoutMs: 10_000 })).resolves.toBe(15);
    await expect(client.getInvocation(invocationId)).resolves.toMatchObject({
      invocationId,
      serviceName: SERVICE,
      handlerName: "math_add",
      status: "completed",
      output: 15,
    });
  });

  it("stream() yields a streaming function's chunks in order, over NDJSON and over SSE", async () => {
    await expect(collect(client.stream(SERVICE, "count_to", 3))).resolves.toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await expect(collect(client.stream(SERVICE, "count_to", 2, { format: "sse" }))).resolves.toEqual([
      { n: 1 },
      { n: 2 },
    ]);
  });

  it("a refused request surfaces as Agnt5ClientError with the gateway's status and code", async () => {
    const notFound = await rejection(client.invoke(SERVICE, "no_such_handler", null));
    expect(notFound.status).toBe(404);
    expect(notFound.code).toBe("HANDLER_NOT_FOUND");
    expect(notFound.message).toContain("no_such_handler");
    expect(notFound.retryable).toBe(false);

    const invalid = await rejection(client.invoke(SERVICE, "math_add", { a: 1 }));
    expect(invalid.status).toBe(400);
    expect(invalid.code).toBe("INVALID_INPUT");
    expect(invalid.details).toEqual({ issues: [{ path: "b", message: expect.any(String) }] });
    // Refused by the coordinator from the registered schema, before any invocation is recorded.
    expect(invalid.invocationId).toBeUndefined();

    const unknownService = await rejection(
      client.call({ serviceName: "ghost-service", handlerName: "greet", inputData: "QWxpY2U=" }),
    );
    expect(unknownService.status).toBe(404);
    expect(unknownService.code).toBe("SERVICE_NOT_FOUND");
  });

  it("a handler failure surfaces as Agnt5ClientError 500 with its code, details and invocation id", async () => {
    const error = await rejection(client.invoke(SERVICE, "decline", null));

    expect(error.status).toBe(500);
    expect(error.code).toBe("TERMINAL");
    expect(error.message).toBe("card declined");
    expect(error.details).toEqual({ reason: "insufficient_funds" });
    expect(error.invocationId).toMatch(/^inv_/);
  });

  it("waitForResult() of a failed invocation throws Agnt5ClientError with the invocation's code", async () => {
    const { invocationId } = await client.submit(SERVICE, "decline", null);
    const error = await rejection(client.waitForResult(invocationId, { timeoutMs: 10_000 }));

    expect(error.code).toBe("TERMINAL");
    expect(error.message).toBe("card declined");
    expect(error.invocationId).toBe(invocationId);
  });

  it("stream() throws Agnt5ClientError with the stream's error code after the chunks before it", async () => {
    const received: unknown[] = [];
    const error = await rejection(
      (async () => {
        for await (const chunk of client.stream(SERVICE, "stream_then_fail", null)) received.push(chunk);
      })(),
    );

    expect(received).toEqual(["first"]);
    expect(error.code).toBe("GAVE_UP");
    expect(error.message).toBe("the stream gave up");
    expect(error.invocationId).toMatch(/^inv_/);
  });

  it("a client pointed at a closed port fails with NETWORK_ERROR, status 0", async () => {
    const unreachable = new Client("http://127.0.0.1:1");
    const error = await rejection(unreachable.invoke(SERVICE, "greet", "Alice"));

    expect(error.status).toBe(0);
    expect(error.code).toBe("NETWORK_ERROR");
    expect(error.retryable).toBe(true);
  });
});
