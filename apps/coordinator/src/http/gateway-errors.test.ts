// What a caller sees when something is wrong: with the request (4xx with a code and a message that
// names the problem), or with the handler (5xx after the retry policy ran its course). In-process
// coordinator and SDK worker over real gRPC and HTTP, once per store.
import { randomUUID } from "node:crypto";
import { fn, Registry, RetryableError, TerminalError } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type Deferred,
  deferred,
  type GatewayErrorBody,
  pollUntil,
  postJson,
  postText,
  send,
} from "../test-support/http.js";
import { STORE_KINDS, startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "errors-service";
/** Small, so a body over it is cheap to send; every other request here is far below it. */
const MAX_BODY_BYTES = 16 * 1024;
const RETRY_AFTER_MS = 250;

interface Attempt {
  attempt: number;
  /** performance.now() when the handler started. */
  at: number;
}

function errorsService() {
  const registry = new Registry();
  /** Every execution per tag, recorded in this process where the worker runs the handlers. */
  const attempts = new Map<string, Attempt[]>();
  const gates = new Map<string, Deferred>();
  const gate = (tag: string) => {
    let entry = gates.get(tag);
    if (!entry) {
      entry = deferred();
      gates.set(tag, entry);
    }
    return entry;
  };
  const record = (tag: string, attempt: number) => {
    const list = attempts.get(tag) ?? [];
    list.push({ attempt, at: performance.now() });
    attempts.set(tag, list);
  };

  fn({ name: "greet", registry }, (name: string) => `Hello, ${name}!`);
  fn({ name: "math_add", registry, input: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => a + b);
  fn(
    { name: "create_order", registry, input: z.object({ items: z.array(z.object({ price: z.number().positive() })) }) },
    (order) => order.items.reduce((sum, item) => sum + item.price, 0),
  );
  // The default retry policy: 3 attempts, 100 ms then 200 ms apart.
  fn({ name: "boom", registry }, (input: { tag: string }, ctx) => {
    record(input.tag, ctx.attempt);
    throw new Error("boom");
  });
  fn({ name: "decline", registry, retry: { maxAttempts: 3, initialIntervalMs: 10 } }, (input: { tag: string }, ctx) => {
    record(input.tag, ctx.attempt);
    throw new TerminalError("card declined", { details: { reason: "insufficient_funds" } });
  });
  fn({ name: "flaky", registry, retry: { maxAttempts: 3, initialIntervalMs: 10 } }, (input: { tag: string }, ctx) => {
    record(input.tag, ctx.attempt);
    if (ctx.attempt < 3) throw new Error(`temporarily unavailable (attempt ${ctx.attempt})`);
    return { tag: input.tag, succeededOnAttempt: ctx.attempt };
  });
  fn(
    { name: "always_fails", registry, retry: { maxAttempts: 2, initialIntervalMs: 10 } },
    (input: { tag: string }, ctx) => {
      record(input.tag, ctx.attempt);
      throw new Error(`still broken (attempt ${ctx.attempt})`);
    },
  );
  fn(
    { name: "rate_limited", registry, retry: { maxAttempts: 3, initialIntervalMs: 10 } },
    (input: { tag: string }, ctx) => {
      record(input.tag, ctx.attempt);
      if (ctx.attempt === 1) throw new RetryableError("rate limited", { retryAfterMs: RETRY_AFTER_MS });
      return "served";
    },
  );
  fn({ name: "slow", registry }, async (input: { tag: string }) => {
    await gate(input.tag).promise;
    return `done ${input.tag}`;
  });
  return { registry, gate, attemptsOf: (tag: string) => attempts.get(tag) ?? [] };
}

describe.each(STORE_KINDS)("gateway errors (%s store)", (kind) => {
  const service = errorsService();
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  const url = (path: string) => `${coordinator.url}${path}`;
  const invoke = (handler: string, input: unknown, query = "") =>
    postJson<GatewayErrorBody>(url(`/v1/services/${SERVICE}/${handler}${query}`), input);

  beforeAll(async () => {
    coordinator = await startTestCoordinator(kind, { maxBodyBytes: MAX_BODY_BYTES });
    worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: coordinator.endpoint,
      registry: service.registry,
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
  });

  describe("requests the gateway refuses", () => {
    it("an unknown service is 404 SERVICE_NOT_FOUND naming it", async () => {
      const response = await postJson<GatewayErrorBody>(url("/v1/services/no-such-service/greet"), "Alice");

      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("SERVICE_NOT_FOUND");
      expect(response.body.error.message).toContain('"no-such-service"');
      // ...and says which services do exist.
      expect(response.body.error.message).toContain(SERVICE);
    });

    it("an unknown service on /call is 404 SERVICE_NOT_FOUND too", async () => {
      const response = await postJson<GatewayErrorBody>(url("/call"), {
        serviceName: "ghost-service",
        handlerName: "greet",
        inputData: "",
      });

      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("SERVICE_NOT_FOUND");
      expect(response.body.error.message).toContain("ghost-service");
    });

    it("an unknown handler is 404 HANDLER_NOT_FOUND listing the service's handlers", async () => {
      const response = await invoke("no_such_handler", null);

      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("HANDLER_NOT_FOUND");
      expect(response.body.error.message).toContain('"no_such_handler"');
      for (const handler of ["greet", "math_add", "flaky"]) expect(response.body.error.message).toContain(handler);
    });

    it("a malformed JSON body is 400 INVALID_JSON saying it is not valid JSON and where", async () => {
      const response = await postText<GatewayErrorBody>(url(`/v1/services/${SERVICE}/math_add`), '{"a": 5, "b": ');

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_JSON");
      expect(response.body.error.message).toMatch(/^Request body is not valid JSON: .+/);
    });

    it("a /call body that is not JSON is 400 INVALID_JSON", async () => {
      const response = await postText<GatewayErrorBody>(url("/call"), "serviceName=errors-service");

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_JSON");
    });

    it("inputData that is not base64 is 400 INVALID_BASE64", async () => {
      const response = await postJson<GatewayErrorBody>(url("/call"), {
        serviceName: SERVICE,
        handlerName: "greet",
        inputData: "not base64!!",
      });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_BASE64");
      expect(response.body.error.message).toContain("inputData");
    });

    it("a /call without serviceName is 400 naming the missing field", async () => {
      const response = await postJson<GatewayErrorBody>(url("/call"), { handlerName: "greet", inputData: "QWxpY2U=" });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_REQUEST");
      expect(response.body.error.message).toContain("serviceName");
    });

    it("a /call without handlerName is 400 naming the missing field", async () => {
      const response = await postJson<GatewayErrorBody>(url("/call"), { serviceName: SERVICE, inputData: "QWxpY2U=" });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_REQUEST");
      expect(response.body.error.message).toContain("handlerName");
    });

    it("a body over the configured limit is 413 PAYLOAD_TOO_LARGE", async () => {
      const response = await invoke("greet", "x".repeat(MAX_BODY_BYTES + 1));

      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe("PAYLOAD_TOO_LARGE");
      expect(response.body.error.message).toContain(String(MAX_BODY_BYTES));
    });

    it("a body just under the limit is accepted", async () => {
      const name = "x".repeat(MAX_BODY_BYTES - 100);
      const response = await postJson(url(`/v1/services/${SERVICE}/greet`), name);

      expect(response.status).toBe(200);
      expect(response.body).toBe(`Hello, ${name}!`);
    });

    it("an unknown route is 404 ROUTE_NOT_FOUND", async () => {
      const response = await send<GatewayErrorBody>(url("/v2/nothing/here"));

      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("ROUTE_NOT_FOUND");
      expect(response.body.error.message).toContain("/v2/nothing/here");
    });

    it("a timeoutMs that is not a number is 400 naming the parameter", async () => {
      const response = await invoke("greet", "Alice", "?timeoutMs=abc");

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_REQUEST");
      expect(response.body.error.message).toContain("timeoutMs");
      expect(response.body.error.message).toContain('"abc"');
    });

    it("an unknown mode is 400", async () => {
      const response = await invoke("greet", "Alice", "?mode=later");

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_REQUEST");
      expect(response.body.error.message).toContain("later");
    });
  });

  describe("input validation", () => {
    it("input failing the zod schema is 400 INVALID_INPUT with the field path in message and details", async () => {
      const response = await invoke("math_add", { a: 5, b: "three" });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_INPUT");
      expect(response.body.error.message).toContain("math_add");
      expect(response.body.error.message).toMatch(/\bb: /);
      expect(response.body.error.details).toEqual({
        issues: [{ path: "b", message: expect.any(String) }],
      });
      // Refused by the coordinator from the registered schema: no invocation was recorded.
      expect(response.headers.get("agnt5-invocation-id")).toBeNull();
    });

    it("a nested field is reported by its dotted path", async () => {
      const response = await invoke("create_order", { items: [{ price: 3 }, { price: -1 }] });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_INPUT");
      expect(response.body.error.message).toContain("items.1.price");
      expect(response.body.error.details.issues).toEqual([{ path: "items.1.price", message: expect.any(String) }]);
    });
  });

  describe("handler failures", () => {
    it("a handler throwing Error('boom') is retried per the default policy, then 500 with the message and no stack trace", async () => {
      const tag = randomUUID();
      const response = await invoke("boom", { tag });

      expect(service.attemptsOf(tag).map((a) => a.attempt)).toEqual([1, 2, 3]);

      expect(response.status).toBe(500);
      expect(response.body.error.code).toBe("HANDLER_ERROR");
      expect(response.body.error.message).toContain("boom");
      expect(response.body.error.invocationId).toBe(response.headers.get("agnt5-invocation-id"));
      expect(response.text).not.toMatch(/\bat .+\(.*:\d+:\d+\)/);
      expect(response.text).not.toContain("stack");
      expect(response.text).not.toContain(".ts:");
      expect(response.text).not.toContain(".js:");
    });

    it("a call that outlives its timeoutMs is 504 TIMEOUT with the invocation id; the invocation carries on", async () => {
      const tag = randomUUID();
      const response = await invoke("slow", { tag }, "?timeoutMs=100");

      expect(response.status).toBe(504);
      expect(response.body.error.code).toBe("TIMEOUT");
      const invocationId = response.headers.get("agnt5-invocation-id");
      expect(invocationId).toMatch(/^inv_/);
      expect(response.body.error.invocationId).toBe(invocationId);
      expect(response.body.error.message).toContain("100 ms");
      expect(response.body.error.message).toContain(`/v1/invocations/${invocationId}`);

      service.gate(tag).resolve();
      const finished = await pollUntil(
        () => send(url(`/v1/invocations/${invocationId}`)),
        (record) => record.body?.status === "completed",
        { what: "the timed-out invocation to complete" },
      );
      expect(finished.body.output).toBe(`done ${tag}`);
    });

    it("the agnt5-timeout-ms header sets the timeout too", async () => {
      const tag = randomUUID();
      const response = await postJson<GatewayErrorBody>(
        url(`/v1/services/${SERVICE}/slow`),
        { tag },
        { "agnt5-timeout-ms": "50" },
      );
      service.gate(tag).resolve();

      expect(response.status).toBe(504);
      expect(response.body.error.code).toBe("TIMEOUT");
    });

    it("a TerminalError fails at once: 500, one attempt, its code and details kept", async () => {
      const tag = randomUUID();
      const response = await invoke("decline", { tag });

      expect(response.status).toBe(500);
      expect(response.body.error).toMatchObject({
        code: "TERMINAL",
        message: "card declined",
        details: { reason: "insufficient_funds" },
      });
      expect(service.attemptsOf(tag)).toHaveLength(1);
    });

    it("a retryable failure is retried per the policy: fails twice, succeeds on attempt 3, answers 200", async () => {
      const tag = randomUUID();
      const response = await invoke("flaky", { tag });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ tag, succeededOnAttempt: 3 });
      expect(service.attemptsOf(tag).map((a) => a.attempt)).toEqual([1, 2, 3]);

      const record = await send(url(`/v1/invocations/${response.headers.get("agnt5-invocation-id")}`));
      expect(record.body).toMatchObject({ status: "completed", attempt: 3, output: { tag, succeededOnAttempt: 3 } });
    });

    it("a function that always fails answers 500 after exactly maxAttempts attempts", async () => {
      const tag = randomUUID();
      const response = await invoke("always_fails", { tag });

      expect(response.status).toBe(500);
      expect(response.body.error.code).toBe("HANDLER_ERROR");
      // The last attempt's error is what the caller sees.
      expect(response.body.error.message).toContain("still broken (attempt 2)");
      expect(service.attemptsOf(tag).map((a) => a.attempt)).toEqual([1, 2]);

      const record = await send(url(`/v1/invocations/${response.body.error.invocationId}`));
      expect(record.body).toMatchObject({
        status: "failed",
        attempt: 2,
        error: { code: "HANDLER_ERROR", message: expect.stringContaining("still broken") },
      });
      expect(record.body).not.toHaveProperty("output");
      // It stays failed: no attempt after the answer.
      expect(service.attemptsOf(tag)).toHaveLength(2);
    });

    it("a RetryableError's retryAfterMs is honoured: the next attempt starts no earlier than that", async () => {
      const tag = randomUUID();
      const response = await invoke("rate_limited", { tag });

      expect(response.status).toBe(200);
      expect(response.body).toBe("served");
      const [first, second, ...more] = service.attemptsOf(tag);
      expect(more).toEqual([]);
      expect(first?.attempt).toBe(1);
      expect(second?.attempt).toBe(2);
      // Not the policy's 10 ms: the handler's hint.
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(RETRY_AFTER_MS);
    });

    it("an async invocation that fails is readable as failed, with its error and without a stack", async () => {
      const tag = randomUUID();
      const accepted = await invoke("decline", { tag }, "?mode=async");
      expect(accepted.status).toBe(202);
      const { invocationId } = accepted.body as unknown as { invocationId: string };

      const record = await pollUntil(
        () => send(url(`/v1/invocations/${invocationId}`)),
        (response) => !["pending", "running"].includes(response.body?.status),
        { what: `invocation ${invocationId} to finish` },
      );
      expect(record.body).toMatchObject({
        invocationId,
        status: "failed",
        attempt: 1,
        error: { code: "TERMINAL", message: "card declined", details: { reason: "insufficient_funds" } },
      });
      expect(record.text).not.toContain("stack");
    });

    it("a repeated Idempotency-Key of a failed invocation answers the same failure without running again", async () => {
      const tag = randomUUID();
      const headers = { "idempotency-key": `decline-${tag}` };
      const first = await postJson<GatewayErrorBody>(url(`/v1/services/${SERVICE}/decline`), { tag }, headers);
      const second = await postJson<GatewayErrorBody>(url(`/v1/services/${SERVICE}/decline`), { tag }, headers);

      expect(first.status).toBe(500);
      expect(second.status).toBe(500);
      expect(second.body).toEqual(first.body);
      expect(service.attemptsOf(tag)).toHaveLength(1);
    });
  });
});
