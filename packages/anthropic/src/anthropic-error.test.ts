import { type LanguageModelV1, LlmApiError, LlmResponseError } from "@agnt5/llm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRetryableAnthropicError } from "./anthropic-error.js";
import { createAnthropic } from "./anthropic-provider.js";
import {
  type AnthropicTestServer,
  readFixture,
  readJsonFixture,
  splitSseEvents,
  sseEvent,
  startAnthropicTestServer,
} from "./test-support/anthropic-test-server.js";
import { readStream, textOf } from "./test-support/stream-helpers.js";

let server: AnthropicTestServer;
let model: LanguageModelV1;

beforeEach(async () => {
  server = await startAnthropicTestServer();
  model = createAnthropic({ apiKey: "sk-ant-test", baseURL: server.baseURL }).languageModel("claude-sonnet-5-5");
});

afterEach(async () => {
  await server.close();
});

const messages = [{ role: "user" as const, content: "Hello" }];

async function generateError(): Promise<LlmApiError> {
  const error = await model.generate({ messages }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LlmApiError);
  return error as LlmApiError;
}

describe("HTTP errors", () => {
  it("should turn 401 authentication_error into a non-retryable LlmApiError", async () => {
    server.enqueue({ type: "json", status: 401, body: readJsonFixture("error-401-authentication.json") });

    const error = await generateError();

    expect(error.statusCode).toBe(401);
    expect(error.isRetryable).toBe(false);
    expect(error.code).toBe("LLM_AUTHENTICATION_ERROR");
    expect(error.provider).toBe("anthropic");
    expect(error.url).toBe(`${server.baseURL}/v1/messages`);
    expect(error.message).toContain("authentication_error");
    expect(error.message).toContain("invalid x-api-key");
    expect(JSON.parse(error.responseBody ?? "")).toEqual(readJsonFixture("error-401-authentication.json"));
  });

  it.each([
    [400, "error-400-invalid-request.json", "LLM_INVALID_REQUEST"],
    [403, "error-401-authentication.json", "LLM_AUTHENTICATION_ERROR"],
  ])("should not retry %i", async (status, fixture, code) => {
    server.enqueue({ type: "json", status, body: readJsonFixture(fixture) });

    const error = await generateError();

    expect(error.statusCode).toBe(status);
    expect(error.isRetryable).toBe(false);
    expect(error.code).toBe(code);
  });

  it("should make 429 retryable with retryAfterMs from retry-after", async () => {
    server.enqueue({
      type: "json",
      status: 429,
      body: readJsonFixture("error-429-rate-limit.json"),
      headers: {
        "retry-after": "7",
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "0",
      },
    });

    const error = await generateError();

    expect(error.statusCode).toBe(429);
    expect(error.isRetryable).toBe(true);
    expect(error.retryAfterMs).toBe(7000);
    expect(error.code).toBe("LLM_RATE_LIMITED");
  });

  it("should make 500 api_error retryable without the SDK retrying it", async () => {
    server.enqueue({
      type: "json",
      status: 500,
      body: readJsonFixture("error-500-api.json"),
      headers: { "x-should-retry": "true" },
    });

    const error = await generateError();

    expect(error.statusCode).toBe(500);
    expect(error.isRetryable).toBe(true);
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.code).toBe("LLM_SERVER_ERROR");
    expect(server.requests).toHaveLength(1);
  });

  it("should make 529 overloaded_error retryable", async () => {
    server.enqueue({ type: "json", status: 529, body: readJsonFixture("error-529-overloaded.json") });

    const error = await generateError();

    expect(error.statusCode).toBe(529);
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain("overloaded_error");
    expect(server.requests).toHaveLength(1);
  });

  it("should make overloaded_error retryable whatever status it comes with", async () => {
    server.enqueue({ type: "json", status: 400, body: readJsonFixture("error-529-overloaded.json") });

    const error = await generateError();

    expect(error.statusCode).toBe(400);
    expect(error.isRetryable).toBe(true);
  });

  it("should reject stream() before the first byte on an HTTP error", async () => {
    server.enqueue({ type: "json", status: 529, body: readJsonFixture("error-529-overloaded.json") });

    const error = await model.stream({ messages }).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(LlmApiError);
    expect((error as LlmApiError).statusCode).toBe(529);
    expect((error as LlmApiError).isRetryable).toBe(true);
  });

  it("should make an unreachable server a retryable connection error", async () => {
    const address = server.baseURL;
    await server.close();
    const unreachable = createAnthropic({ apiKey: "sk-ant-test", baseURL: address }).languageModel("claude-sonnet-5-5");
    server = await startAnthropicTestServer(); // for afterEach

    const error = await unreachable.generate({ messages }).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(LlmApiError);
    expect((error as LlmApiError).statusCode).toBeUndefined();
    expect((error as LlmApiError).isRetryable).toBe(true);
    expect((error as LlmApiError).code).toBe("LLM_CONNECTION_ERROR");
  });
});

describe("timeouts", () => {
  it("should make a request that times out a retryable LlmApiError", async () => {
    server.enqueue({ type: "hang" });
    const impatient = createAnthropic({ apiKey: "sk-ant-test", baseURL: server.baseURL, timeout: 100 }).languageModel(
      "claude-sonnet-5-5",
    );

    const error = await impatient.generate({ messages }).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(LlmApiError);
    expect((error as LlmApiError).code).toBe("LLM_TIMEOUT");
    expect((error as LlmApiError).isRetryable).toBe(true);
    expect(server.requests).toHaveLength(1);
  });
});

describe("errors before a request goes out", () => {
  it("should make the SDK's refusal of a long non-streaming call a non-retryable LlmApiError", async () => {
    const error = await model.generate({ messages, maxOutputTokens: 64_000 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(LlmApiError);
    expect((error as LlmApiError).isRetryable).toBe(false);
    expect((error as LlmApiError).message).toMatch(/Streaming is required/);
    expect(server.requests).toHaveLength(0);
  });
});

describe("errors in the middle of a stream", () => {
  it("should throw a retryable LlmApiError for an SSE error event with overloaded_error", async () => {
    server.enqueue({ type: "sse", events: readFixture("messages-overloaded-mid-stream.sse") });

    const { parts, error } = await readStream(await model.stream({ messages }));

    expect(textOf(parts)).toBe("Once upon");
    expect(error).toBeInstanceOf(LlmApiError);
    const apiError = error as LlmApiError;
    expect(apiError.statusCode).toBeUndefined();
    expect(apiError.isRetryable).toBe(true);
    expect(apiError.code).toBe("LLM_SERVER_ERROR");
    expect(apiError.message).toContain("overloaded_error");
    expect(JSON.parse(apiError.responseBody ?? "")).toMatchObject({ error: { type: "overloaded_error" } });
  });

  it("should not retry an SSE error event with invalid_request_error", async () => {
    const events = splitSseEvents(readFixture("messages-overloaded-mid-stream.sse"));
    const invalid = sseEvent("error", {
      type: "error",
      error: { type: "invalid_request_error", message: "prompt is too long: 210432 tokens > 200000 maximum" },
    });
    server.enqueue({ type: "sse", events: [...events.slice(0, -1), invalid] });

    const { error } = await readStream(await model.stream({ messages }));

    expect(error).toBeInstanceOf(LlmApiError);
    expect((error as LlmApiError).isRetryable).toBe(false);
    expect((error as LlmApiError).code).toBe("LLM_INVALID_REQUEST");
  });

  it("should throw a retryable LlmApiError when the connection is cut mid-stream", async () => {
    server.enqueue({
      type: "sse",
      events: readFixture("messages-text.sse"),
      stopAfter: { events: 5, afterwards: "cut" },
    });

    const { parts, error } = await readStream(await model.stream({ messages }));

    expect(textOf(parts)).toBe("The capital of France is");
    expect(parts.some((part) => part.type === "finish")).toBe(false);
    expect(error).toBeInstanceOf(LlmApiError);
    expect((error as LlmApiError).isRetryable).toBe(true);
    expect((error as LlmApiError).statusCode).toBeUndefined();
    expect((error as LlmApiError).code).toBe("LLM_STREAM_INTERRUPTED");
  });

  it("should throw a retryable LlmApiError when the stream ends before message_stop", async () => {
    server.enqueue({
      type: "sse",
      events: readFixture("messages-text.sse"),
      stopAfter: { events: 6, afterwards: "end" },
    });

    const { parts, error } = await readStream(await model.stream({ messages }));

    expect(textOf(parts)).toBe("The capital of France is Paris.");
    expect(error).toBeInstanceOf(LlmApiError);
    expect((error as LlmApiError).isRetryable).toBe(true);
    expect((error as LlmApiError).message).toContain("before message_stop");
  });

  it("should throw LlmResponseError for tool arguments that are not JSON", async () => {
    const events = splitSseEvents(readFixture("messages-parallel-tool-use.sse"));
    server.enqueue({
      type: "sse",
      events: [
        events[0]!,
        sseEvent("content_block_start", {
          type: "content_block_start",
          index: 0,
          content_block: {
            type: "tool_use",
            id: "toolu_x",
            name: "get_weather",
            input: {},
            caller: { type: "direct" },
          },
        }),
        sseEvent("content_block_delta", {
          type: "content_block_delta",
          index: 0,
          delta: { type: "input_json_delta", partial_json: '{"location": "Par' },
        }),
        sseEvent("content_block_stop", { type: "content_block_stop", index: 0 }),
        ...events.slice(-2),
      ],
    });

    const { error } = await readStream(await model.stream({ messages }));

    expect(error).toBeInstanceOf(LlmResponseError);
    expect((error as LlmResponseError).code).toBe("LLM_INVALID_RESPONSE");
  });
});

describe("aborting", () => {
  it("should reject generate() with the abort reason when aborted before the response", async () => {
    server.enqueue({ type: "hang" });
    const controller = new AbortController();

    const pending = model.generate({ messages, abortSignal: controller.signal });
    await server.waitForRequests(1);
    controller.abort();

    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    await server.requests[0]?.closed; // the request was really cancelled
  });

  it("should reject with the signal's own reason", async () => {
    server.enqueue({ type: "hang" });
    const controller = new AbortController();
    const reason = new Error("user navigated away");

    const pending = model.stream({ messages, abortSignal: controller.signal });
    await server.waitForRequests(1);
    controller.abort(reason);

    await expect(pending).rejects.toBe(reason);
  });

  it("should not send a request when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();

    await expect(model.generate({ messages, abortSignal: controller.signal })).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(server.requests).toHaveLength(0);
  });

  it("should throw the abort from the iterator when aborted mid-stream", async () => {
    server.enqueue({
      type: "sse",
      events: readFixture("messages-text.sse"),
      stopAfter: { events: 4, afterwards: "hang" },
    });
    const controller = new AbortController();

    const stream = await model.stream({ messages, abortSignal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: { type: "text-delta", delta: "The capital" } });
    controller.abort();

    await expect(iterator.next()).rejects.toMatchObject({ name: "AbortError" });
    await server.requests[0]?.closed;
  });

  it("should close the connection when the consumer stops reading", async () => {
    server.enqueue({
      type: "sse",
      events: readFixture("messages-text.sse"),
      stopAfter: { events: 4, afterwards: "hang" },
    });

    const stream = await model.stream({ messages });
    for await (const part of stream) {
      expect(part.type).toBe("text-delta");
      break;
    }

    // The response never ends on its own, so this resolves only if the client dropped the connection.
    await server.requests[0]?.closed;
  });
});

describe("retry data", () => {
  it.each([
    [429, null, true],
    [408, null, true],
    [500, "api_error", true],
    [529, "overloaded_error", true],
    [400, "invalid_request_error", false],
    [401, "authentication_error", false],
    [403, "permission_error", false],
    [undefined, "overloaded_error", true],
    [undefined, "api_error", true],
    [undefined, "invalid_request_error", false],
    [undefined, null, true],
  ] as const)("status %s with type %s is retryable: %s", (status, type, retryable) => {
    expect(isRetryableAnthropicError(status, type)).toBe(retryable);
  });
});
