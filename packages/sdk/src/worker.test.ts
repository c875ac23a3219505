import { once } from "node:events";
import { CancelledError, type FunctionContext, fn, Registry, RetryableError, TerminalError } from "@agnt5/core";
import { ComponentKind, ProtocolVersion } from "@agnt5/proto";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { SDK_VERSION } from "./sdk-version.js";
import { createCaptureLogger } from "./test-support/capture-logger.js";
import { FakeCoordinator, type FakeCoordinatorOptions } from "./test-support/fake-coordinator.js";
import { Worker } from "./worker.js";
import type { WorkerOptions } from "./worker-options.js";

const decode = (bytes: Uint8Array) => (bytes.byteLength ? JSON.parse(new TextDecoder().decode(bytes)) : undefined);

/** A promise with its resolve function, to hold a handler until the test lets it go. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function components() {
  const registry = new Registry();
  const seen: { ctx?: FunctionContext } = {};
  const gate = { release: deferred(), entered: deferred() };
  fn({ name: "greet", description: "Greet a user by name.", registry }, (name: string, ctx) => {
    seen.ctx = ctx;
    return `Hello, ${name}!`;
  });
  fn(
    { name: "math_add", registry, input: z.object({ a: z.number(), b: z.number() }), retry: { maxAttempts: 5 } },
    async ({ a, b }) => a + b,
  );
  fn({ name: "count", registry }, async function* (upTo: number) {
    for (let i = 1; i <= upTo; i++) yield { i };
  });
  fn({ name: "explode", registry }, async () => {
    throw new Error("Something went wrong");
  });
  fn({ name: "explode_sync", registry }, () => {
    throw new TypeError("sync boom");
  });
  fn({ name: "refuse", registry }, async () => {
    throw new TerminalError("never going to work", { code: "NOPE" });
  });
  fn({ name: "later", registry }, async () => {
    throw new RetryableError("rate limited", { retryAfterMs: 1500 });
  });
  fn({ name: "wait_for_abort", registry }, async (_input: unknown, ctx) => {
    seen.ctx = ctx;
    gate.entered.resolve();
    await new Promise((_, reject) =>
      ctx.abortSignal.addEventListener("abort", () => reject(ctx.abortSignal.reason), { once: true }),
    );
  });
  fn({ name: "slow", registry }, async (input: string) => {
    gate.entered.resolve();
    await gate.release.promise;
    return `done: ${input}`;
  });
  return { registry, seen, gate };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Partial<WorkerOptions> = {}, coordinatorOptions: FakeCoordinatorOptions = {}) {
  const coordinator = await FakeCoordinator.start(coordinatorOptions);
  cleanups.push(() => coordinator.stop());
  const { registry, seen, gate } = components();
  const logger = createCaptureLogger();
  const worker = new Worker("hello-service", {
    coordinatorEndpoint: coordinator.endpoint,
    registry,
    logger,
    handleSignals: false,
    ...options,
  });
  const running = worker.run();
  cleanups.push(async () => {
    await worker.stop();
    await running;
  });
  return { coordinator, worker, running, registry, seen, gate, logger };
}

describe("Worker (standalone runtime)", () => {
  it("registers every component with its schemas, retry policy and metadata, logging like the seed", async () => {
    const { coordinator, worker, logger } = await setup({
      serviceVersion: "1.2.0",
      maxConcurrency: 7,
      labels: { zone: "test" },
    });
    await worker.ready;
    const registration = await (await coordinator.stream(0)).registration;

    expect(registration).toMatchObject({
      protocolVersion: ProtocolVersion.PROTOCOL_VERSION_1,
      serviceName: "hello-service",
      serviceVersion: "1.2.0",
      workerId: worker.workerId,
      maxConcurrency: 7,
      sdkVersion: SDK_VERSION,
      labels: { zone: "test" },
    });
    const byName = Object.fromEntries(registration.components.map((c) => [c.name, c]));
    expect(byName.greet).toMatchObject({
      kind: ComponentKind.FUNCTION,
      streaming: false,
      description: "Greet a user by name.",
      inputSchemaJson: "",
    });
    expect(JSON.parse(byName.greet!.metadataJson)).toMatchObject({ name: "greet", type: "function", streaming: false });
    expect(JSON.parse(byName.math_add!.inputSchemaJson)).toMatchObject({ type: "object", required: ["a", "b"] });
    expect(byName.math_add!.retryPolicy).toMatchObject({
      maxAttempts: 5,
      initialIntervalMs: 100n,
      maxIntervalMs: 10_000n,
      backoffMultiplier: 2,
    });
    expect(byName.count).toMatchObject({ streaming: true });

    const messages = logger.lines.map((line) => line.message);
    expect(messages[0]).toBe("Starting worker for service: hello-service");
    expect(messages).toContain("Registered function: greet");
    expect(messages).toContain("Registered function: math_add");
    expect(messages.indexOf("Worker running, waiting for tasks...")).toBeGreaterThan(
      messages.indexOf("Registered function: greet"),
    );
    expect(worker.isRunning()).toBe(true);
  });

  it("runs a function and sends its JSON output with the attempt, giving the handler a full context", async () => {
    const { coordinator, worker, seen } = await setup();
    await worker.ready;
    const stream = await coordinator.stream(0);
    const id = stream.start({
      componentName: "greet",
      input: "Alice",
      attempt: 2,
      headers: { "x-trace": "t1" },
      metadata: { tenant: "acme" },
    });

    const result = await stream.completed(id);
    expect(result).toMatchObject({ output: "Hello, Alice!", attempt: 2 });
    expect(seen.ctx).toMatchObject({
      invocationId: id,
      runId: id,
      attempt: 2,
      componentType: "function",
      componentName: "greet",
      headers: { "x-trace": "t1" },
      metadata: { tenant: "acme", service_name: "hello-service", service_version: "1.0.0" },
    });
  });

  it("validates input with the zod schema before the handler runs", async () => {
    const { coordinator, worker } = await setup();
    await worker.ready;
    const stream = await coordinator.stream(0);
    const ok = await stream.completed(stream.start({ componentName: "math_add", input: { a: 5, b: 3 } }));
    expect(ok.output).toBe(8);

    const bad = await stream.outcome(stream.start({ componentName: "math_add", input: { a: 5, b: "3" } }));
    expect(bad.case).toBe("failed");
    if (bad.case !== "failed") return;
    expect(bad.value.failure).toMatchObject({ code: "INVALID_INPUT", retryable: false });
    expect(JSON.parse(bad.value.failure!.detailsJson)).toMatchObject({ issues: [{ path: "b" }] });
  });

  it("streams chunks with dense seq numbers, then completes with an empty output", async () => {
    const { coordinator, worker } = await setup();
    await worker.ready;
    const stream = await coordinator.stream(0);
    const result = await stream.completed(stream.start({ componentName: "count", input: 3 }));

    expect(result.output).toBeUndefined(); // empty bytes: the coordinator assembles the chunks
    expect(result.chunks.map((chunk) => chunk.seq)).toEqual([0n, 1n, 2n]);
    expect(result.chunks.map((chunk) => decode(chunk.data))).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
  });

  it("reports failures with code, retryable flag, type and stack, and keeps serving", async () => {
    const { coordinator, worker, logger } = await setup();
    await worker.ready;
    const stream = await coordinator.stream(0);
    const failure = async (componentName: string, extra: { rawInput?: Uint8Array } = {}) => {
      const outcome = await stream.outcome(stream.start({ componentName, input: null, ...extra }));
      if (outcome.case !== "failed") throw new Error(`${componentName} did not fail`);
      return outcome.value.failure!;
    };

    const thrown = await failure("explode");
    expect(thrown).toMatchObject({
      code: "HANDLER_ERROR",
      message: "Something went wrong",
      retryable: true,
      type: "Error",
    });
    expect(thrown.stack).toContain("Something went wrong");
    expect(await failure("explode_sync")).toMatchObject({
      code: "HANDLER_ERROR",
      message: "sync boom",
      type: "TypeError",
    });
    expect(await failure("refuse")).toMatchObject({ code: "NOPE", retryable: false, type: "TerminalError" });
    expect(await failure("later")).toMatchObject({ code: "RETRYABLE", retryable: true, retryAfterMs: 1500n });
    const missing = await failure("nope");
    expect(missing).toMatchObject({ code: "COMPONENT_NOT_FOUND", retryable: false });
    expect(missing.message).toContain("greet");
    expect(await failure("greet", { rawInput: new TextEncoder().encode("{not json") })).toMatchObject({
      code: "INVALID_INPUT",
      retryable: false,
    });

    // One log line per failure, carrying the stack.
    const line = logger.lines.find((l) => l.message === "Function explode failed: Something went wrong");
    expect(line).toMatchObject({ level: "error", fields: { code: "HANDLER_ERROR", retryable: true } });
    expect(String(line?.fields.stack)).toContain("Something went wrong");

    const after = await stream.outcome(stream.start({ componentName: "greet", input: "Bob" }));
    expect(after.case).toBe("completed");
  });

  it("aborts ctx.abortSignal with a CancelledError on cancel; the cancelled run reports what the handler returned", async () => {
    const { coordinator, worker, seen, gate } = await setup();
    await worker.ready;
    const stream = await coordinator.stream(0);
    const id = stream.start({ componentName: "wait_for_abort" });
    await gate.entered.promise;
    stream.cancel(id, "caller gave up");

    // The handler rethrew the CancelledError: the run is cancelled, reported as `completed` (the
    // coordinator, which asked for the cancellation, records it as cancelled).
    const outcome = await stream.completed(id);
    expect(outcome.output).toBeNull();
    expect(seen.ctx?.abortSignal.aborted).toBe(true);
    expect(CancelledError.isInstance(seen.ctx?.abortSignal.reason)).toBe(true);
    expect(String(seen.ctx?.abortSignal.reason?.message)).toContain("caller gave up");
  });

  it("heartbeats at the interval the coordinator asks for, with the in-flight count", async () => {
    const { coordinator, worker } = await setup({}, { heartbeatIntervalMs: 20 });
    await worker.ready;
    const heartbeat = await (await coordinator.stream(0)).waitFor("heartbeat");
    expect(heartbeat.inFlight).toBe(0);
    expect(heartbeat.sentAtMs).toBeGreaterThan(0n);
  });

  it("reconnects after the coordinator restarts, re-registering with the same worker id", async () => {
    const { coordinator, worker, seen, gate, logger } = await setup();
    await worker.ready;
    const first = await coordinator.stream(0);
    first.start({ componentName: "wait_for_abort" });
    await gate.entered.promise;

    const disconnected = once(worker, "disconnected");
    await coordinator.stop();
    const [info] = await disconnected;
    expect(info.retryInMs).toBeGreaterThan(0);
    // The in-flight invocation of the broken stream is aborted: the coordinator re-dispatches it.
    expect(seen.ctx?.abortSignal.aborted).toBe(true);
    expect(seen.ctx?.abortSignal.reason).toMatchObject({ code: "WORKER_LOST" });

    const registered = once(worker, "registered");
    await coordinator.restart();
    const [again] = await registered;
    expect(again.reconnect).toBe(true);
    const second = await coordinator.stream(1);
    expect((await second.registration).workerId).toBe(worker.workerId);

    const outcome = await second.outcome(second.start({ componentName: "greet", input: "again" }));
    expect(outcome.case).toBe("completed");
    const lost = logger.lines.find((line) => line.message.startsWith("Connection to coordinator"));
    expect(lost).toMatchObject({ level: "warn", fields: { endpoint: coordinator.endpoint } });
    expect(lost?.message).toContain(`Connection to coordinator at ${coordinator.endpoint} lost (`);
    const back = logger.lines.find((line) => line.message.startsWith("Reconnected to coordinator"));
    expect(back).toMatchObject({ level: "info", fields: { workerId: worker.workerId } });
  });

  it("keeps retrying, slowly, when the coordinator refuses the registration", async () => {
    const { worker, logger } = await setup(
      {},
      { onRegister: () => ({ code: GrpcStatus.INVALID_ARGUMENT, details: "unknown protocol" }) },
    );
    const [info] = await once(worker, "disconnected");
    expect(info).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, details: "unknown protocol", retryInMs: 5000 });
    expect(logger.lines.some((line) => line.level === "error" && line.message.includes("unknown protocol"))).toBe(true);
    // stop() does not wait out the backoff.
    await worker.stop();
    expect(worker.isRunning()).toBe(false);
  });

  it("logs an unreachable coordinator once, then a bounded number of summaries, and a line when it is back", async () => {
    const coordinator = await FakeCoordinator.start();
    cleanups.push(() => coordinator.stop());
    await coordinator.stop(); // nothing listens on its port until restart()
    const { registry } = components();
    const logger = createCaptureLogger();
    const worker = new Worker("hello-service", {
      coordinatorEndpoint: coordinator.endpoint,
      registry,
      logger,
      handleSignals: false,
      reconnectBackoff: { initialDelayMs: 1, maxDelayMs: 2 },
    });
    const attempts = 100;
    const failedOften = new Promise<void>((resolve) =>
      worker.on("disconnected", (info) => {
        if (info.attempts === attempts) resolve();
      }),
    );
    const running = worker.run();
    cleanups.push(async () => {
      await worker.stop();
      await running;
    });
    await failedOften;

    const warnings = logger.lines.filter((line) => line.level === "warn" || line.level === "error");
    // The first failure, then summaries after 5, 10, 20, 40 and 80 attempts: 6 lines, not 100.
    expect(warnings.map((line) => line.message.split(" (")[0])).toEqual([
      `Cannot reach coordinator at ${coordinator.endpoint}`,
      ...[5, 10, 20, 40, 80].map((n) =>
        expect.stringContaining(`Still cannot reach coordinator at ${coordinator.endpoint} after ${n} attempts over `),
      ),
    ]);
    expect(warnings[0]!.message).toBe(
      `Cannot reach coordinator at ${coordinator.endpoint} (UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:${coordinator.port}); the worker keeps retrying until it is back`,
    );
    expect(warnings.every((line) => !line.message.includes("Resolution note"))).toBe(true);
    expect(warnings[5]!.fields).toMatchObject({ endpoint: coordinator.endpoint, attempts: 80 });

    const registered = once(worker, "registered");
    await coordinator.restart();
    await registered;
    const back = logger.lines.find((line) => line.message.startsWith("Connected to coordinator"));
    expect(back?.level).toBe("info");
    expect(back?.message).toMatch(
      new RegExp(`^Connected to coordinator at ${coordinator.endpoint} after \\d+ failed attempts over `),
    );
  });

  it("refuses an invalid coordinator endpoint (or backoff) at construction instead of retrying it forever", () => {
    const options = { logger: createCaptureLogger(), registry: new Registry(), handleSignals: false };
    const expected =
      /Invalid coordinator endpoint "notaurl" \(coordinatorEndpoint \/ AGNT5_COORDINATOR_ENDPOINT\): expected "host:port"/;
    expect(() => new Worker("s", { ...options, coordinatorEndpoint: "notaurl" })).toThrow(expected);
    const saved = process.env.AGNT5_COORDINATOR_ENDPOINT;
    process.env.AGNT5_COORDINATOR_ENDPOINT = "notaurl";
    try {
      expect(() => new Worker("s", options)).toThrow(expected);
    } finally {
      if (saved === undefined) delete process.env.AGNT5_COORDINATOR_ENDPOINT;
      else process.env.AGNT5_COORDINATOR_ENDPOINT = saved;
    }
    expect(() => new Worker("s", { ...options, reconnectBackoff: { maxDelayMs: 0 } })).toThrow(
      /Invalid reconnectBackoff.maxDelayMs 0: expected a number of milliseconds above 0/,
    );
  });

  it("drains on stop(): refuses new work as retryable, waits for in-flight invocations, then closes", async () => {
    const { coordinator, worker, running, gate } = await setup();
    await worker.ready;
    const stream = await coordinator.stream(0);
    const slow = stream.start({ componentName: "slow", input: "x" });
    await gate.entered.promise;

    const stopped = worker.stop();
    await stream.waitFor("drain");
    const late = await stream.outcome(stream.start({ componentName: "greet", input: "late" }));
    expect(late.case === "failed" && late.value.failure).toMatchObject({ code: "WORKER_DRAINING", retryable: true });
    expect(worker.isRunning()).toBe(true);

    gate.release.resolve();
    expect((await stream.completed(slow)).output).toBe("done: x");
    await stopped;
    await running;
    await stream.closed;
    expect(worker.isRunning()).toBe(false);
  });

  it("aborts invocations still running when the grace period ends, as a retryable failure", async () => {
    const { coordinator, worker, running, seen, gate } = await setup({ shutdownGraceMs: 50 });
    await worker.ready;
    const stream = await coordinator.stream(0);
    const id = stream.start({ componentName: "wait_for_abort" });
    await gate.entered.promise;

    await worker.stop();
    await running;
    expect(seen.ctx?.abortSignal.aborted).toBe(true);
    const outcome = await stream.outcome(id);
    expect(outcome.case === "failed" && outcome.value.failure).toMatchObject({
      code: "WORKER_DRAINING",
      retryable: true,
    });
  });

  it("accepts the seed's positional form and requires a service name", () => {
    const worker = new Worker("my-service", { logger: createCaptureLogger(), registry: new Registry() });
    expect(worker.serviceName).toBe("my-service");
    expect(worker.runtime).toBe("standalone");
    expect(new Worker({ serviceName: "x", runtime: "asgi", logger: createCaptureLogger() }).runtime).toBe("http");
    const saved = process.env.AGNT5_SERVICE_NAME;
    delete process.env.AGNT5_SERVICE_NAME;
    try {
      expect(() => new Worker()).toThrow(/AGNT5_SERVICE_NAME/);
    } finally {
      if (saved !== undefined) process.env.AGNT5_SERVICE_NAME = saved;
    }
  });
});
