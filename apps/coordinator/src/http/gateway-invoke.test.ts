// The HTTP gateway end to end: an in-process coordinator, in-process SDK workers over real gRPC,
// and callers over real HTTP. Runs once per store (PostgreSQL in a fresh schema, PGlite in a
// temporary directory). Invoking, async submission, idempotency, load sharing, introspection.
import { randomUUID } from "node:crypto";
import { fn, Registry } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  base64,
  base64Json,
  type Deferred,
  deferred,
  type GatewayErrorBody,
  pollUntil,
  postJson,
  send,
} from "../test-support/http.js";
import { STORE_KINDS, startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "hello-service";
const SERVICE_VERSION = "1.2.3";

/** The components of hello-service, with counters and gates the tests observe and control. */
function helloService() {
  const registry = new Registry();
  /** Executions per "<handler>:<tag>", counted in this process, where the worker runs the handlers. */
  const runs = new Map<string, number>();
  const gates = new Map<string, Deferred>();
  const gate = (tag: string) => {
    let entry = gates.get(tag);
    if (!entry) {
      entry = deferred();
      gates.set(tag, entry);
    }
    return entry;
  };
  const counted = (name: string) =>
    fn({ name, registry }, async (input: { tag: string; value?: unknown }) => {
      const key = `${name}:${input.tag}`;
      const run = (runs.get(key) ?? 0) + 1;
      runs.set(key, run);
      // Long enough for concurrent callers of the same key to overlap with the execution.
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { tag: input.tag, value: input.value ?? null, run };
    });

  fn({ name: "greet", registry, description: "Greets someone by name" }, (name: string) => `Hello, ${name}!`);
  fn({ name: "math_add", registry, input: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => a + b);
  fn({ name: "echo", registry }, (input: unknown) => input);
  fn({ name: "gated_greet", registry }, async (input: { tag: string; name: string }) => {
    await gate(input.tag).promise;
    return `Hello, ${input.name}!`;
  });
  fn({ name: "countdown", registry }, async function* (from: number) {
    for (let i = from; i > 0; i--) yield i;
  });
  counted("count_runs");
  counted("count_runs_other");
  return { registry, runs, gate, runsOf: (handler: string, tag: string) => runs.get(`${handler}:${tag}`) ?? 0 };
}

/**
 * whoami answers with the label of the worker that ran it. Every call waits until two calls are in
 * flight at once (across workers), so calls overlap however slowly they arrive: the coordinator
 * then has to choose between a busy and an idle worker.
 */
function whoamiService() {
  const seen: string[] = [];
  const twoInFlight = deferred();
  let inFlight = 0;
  const registryFor = (label: string) => {
    const registry = new Registry();
    fn({ name: "whoami", registry }, async (_input: null) => {
      seen.push(label);
      if (++inFlight >= 2) twoInFlight.resolve();
      await twoInFlight.promise;
      inFlight--;
      return label;
    });
    return registry;
  };
  return { seen, registryFor };
}

describe.each(STORE_KINDS)("gateway invocations (%s store)", (kind) => {
  const hello = helloService();
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  const url = (path: string) => `${coordinator.url}${path}`;
  const invoke = (handler: string, input: unknown, headers: Record<string, string> = {}, query = "") =>
    postJson(url(`/v1/services/${SERVICE}/${handler}${query}`), input, headers);

  beforeAll(async () => {
    coordinator = await startTestCoordinator(kind);
    worker = await startTestWorker({
      serviceName: SERVICE,
      serviceVersion: SERVICE_VERSION,
      workerId: `hello-worker-${kind}`,
      endpoint: coordinator.endpoint,
      registry: hello.registry,
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  describe("POST /call (the seed's gateway call)", () => {
    it("runs greet with the seed's base64 input and returns output and base64 outputData", async () => {
      const response = await postJson(url("/call"), {
        serviceName: "hello-service",
        handlerName: "greet",
        inputData: "QWxpY2U=",
      });

      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(response.body).toEqual({
        invocationId: expect.stringMatching(/^inv_/),
        output: "Hello, Alice!",
        outputData: base64('"Hello, Alice!"'),
      });
    });

    it("decodes base64 of a JSON object as the handler's structured input", async () => {
      const response = await postJson(url("/call"), {
        serviceName: SERVICE,
        handlerName: "math_add",
        inputData: base64('{"a":5,"b":3}'),
      });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ invocationId: expect.any(String), output: 8, outputData: base64("8") });
    });
  });

  describe("POST /v1/services/:service/:handler", () => {
    it("takes JSON in and answers the handler's JSON output with the invocation id in a header", async () => {
      const response = await invoke("math_add", { a: 20, b: 22 });

      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(response.body).toBe(42);
      const invocationId = response.headers.get("agnt5-invocation-id");
      expect(invocationId).toMatch(/^inv_/);

      // The same invocation is on record, finished, with the same output.
      const record = await send(url(`/v1/invocations/${invocationId}`));
      expect(record.status).toBe(200);
      expect(record.body).toMatchObject({
        invocationId,
        serviceName: SERVICE,
        handlerName: "math_add",
        status: "completed",
        attempt: 1,
        output: 42,
      });
    });

    it("passes structured JSON through unchanged, including unicode, nesting and null", async () => {
      const value = { text: "héllo ✓ 日本", nested: { list: [1, "two", { three: 3 }], empty: {} }, nothing: null };
      const response = await invoke("echo", value);

      expect(response.status).toBe(200);
      expect(response.body).toEqual(value);
    });

    it("reads the body as JSON whatever its content type (curl -d sends form-urlencoded)", async () => {
      const response = await send(url(`/v1/services/${SERVICE}/math_add`), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: '{"a":1,"b":2}',
      });

      expect(response.status).toBe(200);
      expect(response.body).toBe(3);
    });

    it("treats an empty body as JSON null input", async () => {
      const response = await send(url(`/v1/services/${SERVICE}/echo`), { method: "POST" });

      expect(response.status).toBe(200);
      expect(response.text).toBe("null");
    });

    it("?mode=async answers 202 with the invocation id at once; the result is then readable by id", async () => {
      const tag = randomUUID();
      const accepted = await invoke("gated_greet", { tag, name: "Bob" }, {}, "?mode=async");

      // The handler is still blocked on its gate: the 202 did not wait for it.
      expect(accepted.status).toBe(202);
      expect(accepted.body).toEqual({ invocationId: expect.stringMatching(/^inv_/) });
      const { invocationId } = accepted.body as { invocationId: string };
      const pending = await send(url(`/v1/invocations/${invocationId}`));
      expect(pending.status).toBe(200);
      expect(["pending", "running"]).toContain(pending.body.status);
      expect(pending.body).not.toHaveProperty("output");

      hello.gate(tag).resolve();
      const finished = await pollUntil(
        () => send(url(`/v1/invocations/${invocationId}`)),
        (response) => response.body?.status === "completed",
        { what: `invocation ${invocationId} to complete` },
      );
      expect(finished.body).toMatchObject({
        invocationId,
        serviceName: SERVICE,
        handlerName: "gated_greet",
        status: "completed",
        output: "Hello, Bob!",
        completedAt: expect.any(String),
        createdAt: expect.any(String),
      });
      expect(Date.parse(finished.body.completedAt)).toBeGreaterThanOrEqual(Date.parse(finished.body.createdAt));
    });

    it("GET /v1/invocations/:id of an unknown id is 404 INVOCATION_NOT_FOUND naming the id", async () => {
      const response = await send<GatewayErrorBody>(url("/v1/invocations/inv_does-not-exist"));

      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("INVOCATION_NOT_FOUND");
      expect(response.body.error.message).toContain("inv_does-not-exist");
    });
  });

  describe("Idempotency-Key", () => {
    it("a repeated key returns the first invocation's id and output without running the handler again", async () => {
      const tag = randomUUID();
      const key = `order-${tag}`;
      const first = await invoke("count_runs", { tag, value: "first" }, { "idempotency-key": key });
      // The same request: the same input, even with its keys in another order.
      const second = await invoke("count_runs", { value: "first", tag }, { "idempotency-key": key });

      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(first.body).toEqual({ tag, value: "first", run: 1 });
      expect(second.body).toEqual(first.body);
      expect(second.headers.get("agnt5-invocation-id")).toBe(first.headers.get("agnt5-invocation-id"));
      expect(hello.runsOf("count_runs", tag)).toBe(1);
    });

    it("concurrent calls with one key share a single execution and invocation", async () => {
      const tag = randomUUID();
      const key = `concurrent-${tag}`;
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => invoke("count_runs", { tag }, { "idempotency-key": key })),
      );

      const ids = new Set(responses.map((response) => response.headers.get("agnt5-invocation-id")));
      expect(responses.map((response) => response.status)).toEqual(Array(6).fill(200));
      expect(ids.size).toBe(1);
      expect([...ids][0]).toMatch(/^inv_/);
      const outputs = responses.map((response) => JSON.stringify(response.body));
      expect(new Set(outputs).size).toBe(1);
      expect(responses[0]?.body).toMatchObject({ tag, run: 1 });
      expect(hello.runsOf("count_runs", tag)).toBe(1);
    });

    it("a key reused with a different input answers 422 IDEMPOTENCY_KEY_REUSED and runs nothing", async () => {
      const tag = randomUUID();
      const key = `reused-${tag}`;
      const first = await invoke("count_runs", { tag, value: "first" }, { "idempotency-key": key });
      const reused = await invoke("count_runs", { tag, value: "second" }, { "idempotency-key": key });

      expect(first.status).toBe(200);
      expect(reused.status).toBe(422);
      expect(reused.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
      expect(reused.body.error.message).toContain(key);
      expect(reused.body.error.message).toContain("input");
      expect(reused.body.error.details).toMatchObject({ invocationId: first.headers.get("agnt5-invocation-id") });
      expect(hello.runsOf("count_runs", tag)).toBe(1);
      const async = await invoke("count_runs", { tag, value: "third" }, { "idempotency-key": key }, "?mode=async");
      expect(async.status).toBe(422);
    });

    it("the /call route honours the key too", async () => {
      const tag = randomUUID();
      const call = () =>
        postJson(
          url("/call"),
          { serviceName: SERVICE, handlerName: "count_runs", inputData: base64Json({ tag }) },
          { "idempotency-key": `call-${tag}` },
        );
      const first = await call();
      const second = await call();

      expect(first.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(hello.runsOf("count_runs", tag)).toBe(1);
    });

    it("a different key is a new invocation that runs again", async () => {
      const tag = randomUUID();
      const first = await invoke("count_runs", { tag }, { "idempotency-key": `a-${tag}` });
      const second = await invoke("count_runs", { tag }, { "idempotency-key": `b-${tag}` });

      expect(second.headers.get("agnt5-invocation-id")).not.toBe(first.headers.get("agnt5-invocation-id"));
      expect(first.body).toMatchObject({ run: 1 });
      expect(second.body).toMatchObject({ run: 2 });
      expect(hello.runsOf("count_runs", tag)).toBe(2);
    });

    it("the same key on another handler is independent", async () => {
      const tag = randomUUID();
      const key = `shared-${tag}`;
      const one = await invoke("count_runs", { tag }, { "idempotency-key": key });
      const other = await invoke("count_runs_other", { tag }, { "idempotency-key": key });

      expect(one.status).toBe(200);
      expect(other.status).toBe(200);
      expect(other.headers.get("agnt5-invocation-id")).not.toBe(one.headers.get("agnt5-invocation-id"));
      expect(hello.runsOf("count_runs", tag)).toBe(1);
      expect(hello.runsOf("count_runs_other", tag)).toBe(1);
    });

    it("a repeated key on ?mode=async returns the first invocation id", async () => {
      const tag = randomUUID();
      const key = `async-${tag}`;
      const first = await invoke("count_runs", { tag }, { "idempotency-key": key }, "?mode=async");
      const second = await invoke("count_runs", { tag }, { "idempotency-key": key }, "?mode=async");

      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.body.invocationId).toBe(first.body.invocationId);
      await pollUntil(
        () => send(url(`/v1/invocations/${first.body.invocationId}`)),
        (response) => response.body?.status === "completed",
        { what: "the keyed async invocation to complete" },
      );
      expect(hello.runsOf("count_runs", tag)).toBe(1);
    });
  });

  describe("load sharing", () => {
    it("spreads concurrent calls over every connected worker of a service", async () => {
      const { seen, registryFor } = whoamiService();
      const service = `shared-service-${kind}`;
      await using first = await startTestWorker({
        serviceName: service,
        endpoint: coordinator.endpoint,
        registry: registryFor("worker-a"),
      });
      await using second = await startTestWorker({
        serviceName: service,
        endpoint: coordinator.endpoint,
        registry: registryFor("worker-b"),
      });

      const services = await send(url("/v1/services"));
      const entry = services.body.services.find((s: { name: string }) => s.name === service);
      expect(entry.workers.map((w: { workerId: string }) => w.workerId).sort()).toEqual(
        [first.workerId, second.workerId].sort(),
      );

      const responses = await Promise.all(
        Array.from({ length: 40 }, () => postJson(url(`/v1/services/${service}/whoami`), null)),
      );

      expect(responses.map((response) => response.status)).toEqual(Array(40).fill(200));
      const answers = responses.map((response) => response.body as string);
      const perWorker = {
        a: answers.filter((a) => a === "worker-a").length,
        b: answers.filter((a) => a === "worker-b").length,
      };
      expect(perWorker.a + perWorker.b).toBe(40);
      expect(perWorker.a).toBeGreaterThan(0);
      expect(perWorker.b).toBeGreaterThan(0);
      // Each call ran exactly once, on the worker that answered it.
      expect(seen).toHaveLength(40);
    });
  });

  describe("concurrency limit", () => {
    it("never runs more invocations at once on a worker than its maxConcurrency; the rest wait their turn", async () => {
      const service = `limited-service-${kind}`;
      const registry = new Registry();
      const twoInFlight = deferred();
      let inFlight = 0;
      let mostInFlight = 0;
      fn({ name: "hold", registry }, async (n: number) => {
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        if (inFlight >= 2) twoInFlight.resolve();
        await twoInFlight.promise;
        // Still busy for a moment: a third dispatch now would overlap.
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return n;
      });
      await using _limited = await startTestWorker({
        serviceName: service,
        endpoint: coordinator.endpoint,
        registry,
        maxConcurrency: 2,
      });

      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, n) => postJson(url(`/v1/services/${service}/hold`), n)),
      );

      expect(responses.map((response) => response.body)).toEqual(Array.from({ length: 12 }, (_, n) => n));
      expect(mostInFlight).toBe(2);
    });
  });

  describe("worker availability", () => {
    it("queues a call while no worker of the service is connected and runs it when one connects", async () => {
      const service = `comeback-service-${kind}`;
      const seen: string[] = [];
      const registry = new Registry();
      fn({ name: "whoami", registry }, (_input: null) => {
        seen.push("returning-worker");
        return "returning-worker";
      });
      const serviceEntry = async () =>
        (await send(url("/v1/services"))).body.services.find((s: { name: string }) => s.name === service);
      // Registers the service, then leaves: the coordinator still knows the service.
      const leaving = await startTestWorker({ serviceName: service, endpoint: coordinator.endpoint, registry });
      await leaving.stop();
      await pollUntil(serviceEntry, (entry) => entry?.workers.length === 0, { what: "the worker to be gone" });

      const response = await postJson<GatewayErrorBody>(url(`/v1/services/${service}/whoami?timeoutMs=100`), null);

      expect(response.status).toBe(504);
      expect(response.body.error.code).toBe("TIMEOUT");
      expect(response.body.error.message).toContain(`No worker of service "${service}"`);
      const invocationId = response.headers.get("agnt5-invocation-id");
      expect(invocationId).toMatch(/^inv_/);
      expect(seen).toEqual([]);

      await using _returning = await startTestWorker({
        serviceName: service,
        endpoint: coordinator.endpoint,
        registry,
      });
      const finished = await pollUntil(
        () => send(url(`/v1/invocations/${invocationId}`)),
        (record) => record.body?.status === "completed",
        { what: "the queued invocation to run on the new worker" },
      );
      expect(finished.body.output).toBe("returning-worker");
      expect(seen).toEqual(["returning-worker"]);
    });
  });

  describe("introspection", () => {
    it("GET /v1/services lists the service, its version, components with schemas, and its workers", async () => {
      const response = await send(url("/v1/services"));

      expect(response.status).toBe(200);
      const service = response.body.services.find((s: { name: string }) => s.name === SERVICE);
      expect(service).toBeDefined();
      expect(service.version).toBe(SERVICE_VERSION);
      const components = new Map<string, any>(service.components.map((c: { name: string }) => [c.name, c]));
      expect([...components.keys()].sort()).toEqual(
        ["count_runs", "count_runs_other", "countdown", "echo", "gated_greet", "greet", "math_add"].sort(),
      );
      expect(components.get("math_add")).toMatchObject({
        kind: "function",
        streaming: false,
        inputSchema: {
          type: "object",
          properties: { a: { type: "number" }, b: { type: "number" } },
          required: ["a", "b"],
        },
      });
      expect(components.get("greet")).toMatchObject({ streaming: false, description: "Greets someone by name" });
      expect(components.get("countdown")).toMatchObject({ streaming: true });
      expect(service.workers).toEqual([
        expect.objectContaining({
          workerId: worker.workerId,
          version: SERVICE_VERSION,
          connectedAt: expect.any(String),
        }),
      ]);
      expect(worker.workerId).toBe(`hello-worker-${kind}`);
    });

    it("GET /health answers 200 ok", async () => {
      const response = await send(url("/health"));

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: "ok" });
    });
  });
});
