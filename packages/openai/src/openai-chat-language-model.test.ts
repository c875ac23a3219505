import { LlmApiError, LlmResponseError, type StreamPart } from "@agnt5/llm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOpenAI } from "./openai-provider.js";
import {
  collect,
  jsonFixture,
  type OpenAITestServer,
  sseFixture,
  startOpenAITestServer,
} from "./test-support/openai-test-server.js";

let server: OpenAITestServer;

beforeAll(async () => {
  server = await startOpenAITestServer();
});
afterEach(() => {
  server.reset();
});
afterAll(async () => {
  await server.close();
});

function model(modelId = "gpt-4.1-mini") {
  return createOpenAI({ apiKey: "sk-test", baseURL: `${server.url}/v1` }).languageModel(modelId);
}

const hello = [{ role: "user" as const, content: "Hello" }];

const weatherTools = [
  {
    name: "get_weather",
    description: "Current weather for a city",
    inputSchema: {
      type: "object",
      properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
      required: ["city"],
    },
  },
  {
    name: "get_time",
    inputSchema: { type: "object", properties: { timezone: { type: "string" } }, required: ["timezone"] },
  },
];

function chunk(delta: Record<string, unknown>, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({
    id: "chatcmpl-test",
    object: "chat.completion.chunk",
    created: 1751980800,
    model: "gpt-4.1-mini-2025-04-14",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    usage: null,
  })}`;
}

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

describe("generate", () => {
  it("should return text, finish reason, usage and response metadata", async () => {
    server.enqueue({ type: "json", body: jsonFixture("chat-completion-text.json") });

    const result = await model().generate({ messages: hello });

    expect(result).toEqual({
      text: "Hello! How can I help you today?",
      content: [{ type: "text", text: "Hello! How can I help you today?" }],
      toolCalls: [],
      finishReason: "stop",
      rawFinishReason: "stop",
      usage: { inputTokens: 19, outputTokens: 10, cachedInputTokens: 0, totalTokens: 29 },
      response: { id: "chatcmpl-BqF2Xk9yZ3mQp7T1vR8sW4nL0aHc", modelId: "gpt-4.1-mini-2025-04-14" },
    });
  });

  it("should send the model, messages and sampling settings with bearer auth", async () => {
    server.enqueue({ type: "json", body: jsonFixture("chat-completion-text.json") });

    await model().generate({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello" },
      ],
      maxOutputTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ["END"],
      seed: 42,
      headers: { "x-trace-id": "trace-1" },
    });

    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.headers.authorization).toBe("Bearer sk-test");
    expect(request?.headers["x-trace-id"]).toBe("trace-1");
    expect(request?.headers["x-stainless-retry-count"]).toBe("0");
    expect(request?.body).toEqual({
      model: "gpt-4.1-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello" },
      ],
      max_completion_tokens: 256,
      temperature: 0.2,
      top_p: 0.9,
      stop: ["END"],
      seed: 42,
      stream: false,
    });
  });

  it("should send max_tokens when configured (provider setting or per call)", async () => {
    server.enqueue(
      { type: "json", body: jsonFixture("chat-completion-text.json") },
      { type: "json", body: jsonFixture("chat-completion-text.json") },
    );
    const legacy = createOpenAI({ apiKey: "sk-test", baseURL: `${server.url}/v1`, maxTokensParameter: "max_tokens" });

    await legacy.languageModel("gpt-4o").generate({ messages: hello, maxOutputTokens: 100 });
    await model().generate({
      messages: hello,
      maxOutputTokens: 50,
      providerOptions: { openai: { maxTokensParameter: "max_tokens" } },
    });

    expect(server.requests[0]?.body).toMatchObject({ max_tokens: 100 });
    expect(server.requests[0]?.body).not.toHaveProperty("max_completion_tokens");
    expect(server.requests[1]?.body).toMatchObject({ max_tokens: 50 });
  });

  it("should map tool calls and tool results in the conversation history", async () => {
    server.enqueue({ type: "json", body: jsonFixture("chat-completion-text.json") });

    await model().generate({
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather and time in Paris?" }] },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Let me check." },
            { type: "tool-call", toolCallId: "call_1", toolName: "get_weather", input: { city: "Paris" } },
            { type: "tool-call", toolCallId: "call_2", toolName: "get_time", input: { timezone: "Europe/Paris" } },
          ],
        },
        {
          role: "tool",
          content: [
            { type: "tool-result", toolCallId: "call_1", toolName: "get_weather", output: { temperature: 21 } },
            { type: "tool-result", toolCallId: "call_2", toolName: "get_time", output: "14:05", isError: false },
          ],
        },
      ],
    });

    expect(server.requests[0]?.body.messages).toEqual([
      { role: "user", content: "Weather and time in Paris?" },
      {
        role: "assistant",
        content: "Let me check.",
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "call_2", type: "function", function: { name: "get_time", arguments: '{"timezone":"Europe/Paris"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"temperature":21}' },
      { role: "tool", tool_call_id: "call_2", content: "14:05" },
    ]);
  });

  it("should send function tools and tool choice, and parse the returned tool calls", async () => {
    server.enqueue({ type: "json", body: jsonFixture("chat-completion-tool-calls.json") });

    const result = await model().generate({
      messages: [{ role: "user", content: "Weather and time in Paris?" }],
      tools: weatherTools,
      toolChoice: { type: "tool", toolName: "get_weather" },
      providerOptions: { openai: { parallelToolCalls: true } },
    });

    expect(server.requests[0]?.body).toMatchObject({
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Current weather for a city",
            parameters: weatherTools[0]?.inputSchema,
          },
        },
        { type: "function", function: { name: "get_time", parameters: weatherTools[1]?.inputSchema } },
      ],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      parallel_tool_calls: true,
    });
    expect(result.finishReason).toBe("tool-calls");
    expect(result.text).toBe("");
    expect(result.toolCalls).toEqual([
      {
        toolCallId: "call_Xq8v2LmN4pR6tY0wB3cD5fGh",
        toolName: "get_weather",
        input: { city: "Paris", unit: "celsius" },
      },
      { toolCallId: "call_Zr9w3MnO5qS7uZ1xC4dE6gHi", toolName: "get_time", input: { timezone: "Europe/Paris" } },
    ]);
    expect(result.content.map((part) => part.type)).toEqual(["tool-call", "tool-call"]);
  });

  it("should send string tool choices as-is", async () => {
    server.enqueue({ type: "json", body: jsonFixture("chat-completion-text.json") });
    await model().generate({ messages: hello, tools: weatherTools, toolChoice: "required" });
    expect(server.requests[0]?.body.tool_choice).toBe("required");
  });

  it("should reject a tool call whose arguments are not JSON with LlmResponseError", async () => {
    const body = jsonFixture("chat-completion-tool-calls.json");
    body.choices[0].message.tool_calls[1].function.arguments = '{"timezone": "Europe/Par';
    server.enqueue({ type: "json", body });

    const error = await rejection(model().generate({ messages: hello, tools: weatherTools }));

    expect(error).toBeInstanceOf(LlmResponseError);
    expect(error.code).toBe("LLM_INVALID_RESPONSE");
    expect(error.message).toContain('"get_time"');
  });

  it("should request structured output with the JSON schema", async () => {
    server.enqueue({ type: "json", body: jsonFixture("chat-completion-structured.json") });
    const schema = {
      type: "object",
      properties: { name: { type: "string" }, born: { type: "integer" } },
      required: ["name", "born"],
      additionalProperties: false,
    };

    const result = await model().generate({
      messages: [{ role: "user", content: "Who wrote the first program?" }],
      responseFormat: { type: "json", schema, name: "person", description: "A person" },
    });

    expect(server.requests[0]?.body.response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "person", description: "A person", schema, strict: false },
    });
    expect(JSON.parse(result.text)).toEqual({ name: "Ada Lovelace", born: 1815 });
  });

  it("should request json_object without a schema (or when structured outputs are off)", async () => {
    server.enqueue(
      { type: "json", body: jsonFixture("chat-completion-structured.json") },
      { type: "json", body: jsonFixture("chat-completion-structured.json") },
    );
    const noStructuredOutputs = createOpenAI({
      apiKey: "sk-test",
      baseURL: `${server.url}/v1`,
      structuredOutputs: false,
    }).languageModel("m");

    await model().generate({ messages: hello, responseFormat: { type: "json" } });
    const result = await noStructuredOutputs.generate({
      messages: hello,
      responseFormat: { type: "json", schema: { type: "object" } },
    });

    expect(server.requests[0]?.body.response_format).toEqual({ type: "json_object" });
    expect(server.requests[1]?.body.response_format).toEqual({ type: "json_object" });
    expect(result.warnings).toEqual([expect.stringContaining("not enforced")]);
  });

  it("should extract cached input tokens from prompt_tokens_details", async () => {
    server.enqueue({ type: "json", body: jsonFixture("chat-completion-cached-usage.json") });
    const result = await model().generate({ messages: hello });
    expect(result.usage).toEqual({ inputTokens: 2006, outputTokens: 12, cachedInputTokens: 1920, totalTokens: 2018 });
  });

  it.each([
    ["length", "length"],
    ["content_filter", "content-filter"],
    ["something_new", "other"],
  ])("should map finish_reason %s to %s", async (raw, mapped) => {
    const body = jsonFixture("chat-completion-text.json");
    body.choices[0].finish_reason = raw;
    server.enqueue({ type: "json", body });
    const result = await model().generate({ messages: hello });
    expect(result.finishReason).toBe(mapped);
    expect(result.rawFinishReason).toBe(raw);
  });

  it("should merge extra body fields and typed provider options into the request", async () => {
    server.enqueue({ type: "json", body: jsonFixture("chat-completion-text.json") });
    await model("o4-mini").generate({
      messages: hello,
      providerOptions: {
        openai: { reasoningEffort: "low", user: "user-1", store: false, extraBody: { prediction: null } },
        groq: { user: "ignored: another provider's options" },
      },
    });
    expect(server.requests[0]?.body).toMatchObject({
      reasoning_effort: "low",
      user: "user-1",
      store: false,
      prediction: null,
    });
  });
});

describe("errors", () => {
  it("should map 401 to a non-retryable LLM_AUTHENTICATION_ERROR", async () => {
    server.enqueue({ type: "json", status: 401, body: jsonFixture("error-401.json") });

    const error = await rejection(model().generate({ messages: hello }));

    expect(error).toBeInstanceOf(LlmApiError);
    expect(error).toMatchObject({
      code: "LLM_AUTHENTICATION_ERROR",
      statusCode: 401,
      isRetryable: false,
      provider: "openai",
      url: `${server.url}/v1/chat/completions`,
    });
    expect(error.message).toContain("Incorrect API key");
    expect(JSON.parse(error.responseBody)).toEqual(jsonFixture("error-401.json"));
  });

  it("should map 429 with retry-after to a retryable error with retryAfterMs, without retrying in the SDK", async () => {
    server.enqueue({
      type: "json",
      status: 429,
      headers: { "retry-after": "2" },
      body: jsonFixture("error-429.json"),
    });

    const error = await rejection(model().generate({ messages: hello }));

    expect(error).toMatchObject({ code: "LLM_RATE_LIMITED", statusCode: 429, isRetryable: true, retryAfterMs: 2000 });
    expect(server.requests).toHaveLength(1);
  });

  it("should prefer retry-after-ms", async () => {
    server.enqueue({
      type: "json",
      status: 429,
      headers: { "retry-after-ms": "150", "retry-after": "1" },
      body: jsonFixture("error-429.json"),
    });
    const error = await rejection(model().generate({ messages: hello }));
    expect(error.retryAfterMs).toBe(150);
  });

  it("should map 500 to a retryable LLM_SERVER_ERROR after one attempt", async () => {
    server.enqueue({ type: "json", status: 500, body: jsonFixture("error-500.json") });

    const error = await rejection(model().generate({ messages: hello }));

    expect(error).toMatchObject({ code: "LLM_SERVER_ERROR", statusCode: 500, isRetryable: true });
    expect(error.retryAfterMs).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it("should keep a non-JSON error body as responseBody", async () => {
    server.enqueue({ type: "text", status: 502, body: "<html>Bad Gateway</html>" });
    const error = await rejection(model().generate({ messages: hello }));
    expect(error).toMatchObject({ statusCode: 502, isRetryable: true, responseBody: "<html>Bad Gateway</html>" });
  });

  it("should honour x-should-retry over the status", async () => {
    server.enqueue({
      type: "json",
      status: 400,
      headers: { "x-should-retry": "true" },
      body: { error: { message: "try again", type: "invalid_request_error" } },
    });
    const error = await rejection(model().generate({ messages: hello }));
    expect(error).toMatchObject({ statusCode: 400, isRetryable: true, code: "LLM_INVALID_REQUEST" });
  });

  it("should reject stream() when the request fails before the first byte", async () => {
    server.enqueue({ type: "json", status: 500, body: jsonFixture("error-500.json") });
    const error = await rejection(model().stream({ messages: hello }));
    expect(error).toMatchObject({ statusCode: 500, isRetryable: true });
  });

  it("should map an unreachable server to a retryable connection error", async () => {
    const closed = await startOpenAITestServer();
    await closed.close();
    const unreachable = createOpenAI({ apiKey: "sk-test", baseURL: `${closed.url}/v1` }).languageModel("m");

    const error = await rejection(unreachable.generate({ messages: hello }));

    expect(error).toBeInstanceOf(LlmApiError);
    expect(error).toMatchObject({ code: "LLM_CONNECTION_ERROR", isRetryable: true, statusCode: undefined });
  });

  it("should map the SDK timeout to a retryable LLM_TIMEOUT", async () => {
    server.enqueue({ type: "hang" });
    const slow = createOpenAI({ apiKey: "sk-test", baseURL: `${server.url}/v1`, timeout: 50 }).languageModel("m");
    const error = await rejection(slow.generate({ messages: hello }));
    expect(error).toMatchObject({ code: "LLM_TIMEOUT", isRetryable: true });
  });
});

describe("stream", () => {
  it("should stream text deltas, usage and finish", async () => {
    server.enqueue({ type: "sse", events: sseFixture("chat-completion-text.chunks.txt") });

    const parts = await collect(await model().stream({ messages: hello }));

    const usage = { inputTokens: 19, outputTokens: 7, cachedInputTokens: 0, totalTokens: 26 };
    expect(parts).toEqual([
      ...["Hello", "!", " How", " can", " I", " help", "?"].map((delta) => ({ type: "text-delta", delta })),
      { type: "usage", usage },
      { type: "finish", finishReason: "stop", rawFinishReason: "stop", usage },
    ]);
    expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("should stream two parallel tool calls with argument deltas, ending each with parsed input", async () => {
    server.enqueue({ type: "sse", events: sseFixture("chat-completion-parallel-tool-calls.chunks.txt") });

    const parts = await collect(await model().stream({ messages: hello, tools: weatherTools }));

    const weather = "call_Xq8v2LmN4pR6tY0wB3cD5fGh";
    const time = "call_Zr9w3MnO5qS7uZ1xC4dE6gHi";
    const usage = { inputTokens: 84, outputTokens: 52, cachedInputTokens: 64, totalTokens: 136 };
    expect(parts).toEqual([
      { type: "tool-call-start", toolCallId: weather, toolName: "get_weather" },
      { type: "tool-call-delta", toolCallId: weather, argumentsDelta: '{"ci' },
      { type: "tool-call-delta", toolCallId: weather, argumentsDelta: 'ty": "Pa' },
      { type: "tool-call-delta", toolCallId: weather, argumentsDelta: 'ris", "un' },
      { type: "tool-call-delta", toolCallId: weather, argumentsDelta: 'it": "celsius"}' },
      { type: "tool-call-start", toolCallId: time, toolName: "get_time" },
      { type: "tool-call-delta", toolCallId: time, argumentsDelta: '{"timez' },
      { type: "tool-call-delta", toolCallId: time, argumentsDelta: 'one": "Europe' },
      { type: "tool-call-delta", toolCallId: time, argumentsDelta: '/Paris"}' },
      {
        type: "tool-call-end",
        toolCallId: weather,
        toolName: "get_weather",
        input: { city: "Paris", unit: "celsius" },
      },
      { type: "tool-call-end", toolCallId: time, toolName: "get_time", input: { timezone: "Europe/Paris" } },
      { type: "usage", usage },
      { type: "finish", finishReason: "tool-calls", rawFinishReason: "tool_calls", usage },
    ]);
  });

  it("should keep interleaved tool-call chunks apart by index", async () => {
    server.enqueue({
      type: "sse",
      events: [
        chunk({
          role: "assistant",
          tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "a" } }],
        }),
        chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "b", arguments: "{" } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"x":1}' } }] }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: "}" } }] }),
        chunk({}, "stop"),
        "data: [DONE]",
      ],
    });

    const parts = await collect(await model().stream({ messages: hello }));

    expect(parts.filter((part) => part.type === "tool-call-end")).toEqual([
      { type: "tool-call-end", toolCallId: "call_a", toolName: "a", input: { x: 1 } },
      { type: "tool-call-end", toolCallId: "call_b", toolName: "b", input: {} },
    ]);
    // "stop" next to tool calls (some compatible servers) still means tool calls.
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: "tool-calls", rawFinishReason: "stop" });
    expect(parts.some((part) => part.type === "usage")).toBe(false);
  });

  it("should end with an error part (LlmApiError, retryable) when the connection is cut mid-stream", async () => {
    server.enqueue({
      type: "sse",
      events: sseFixture("chat-completion-text.chunks.txt").slice(0, 3),
      after: "destroy",
    });

    const parts = await collect(await model().stream({ messages: hello }));

    expect(parts.slice(0, 2)).toEqual([
      { type: "text-delta", delta: "Hello" },
      { type: "text-delta", delta: "!" },
    ]);
    const last = parts.at(-1) as Extract<StreamPart, { type: "error" }>;
    expect(parts).toHaveLength(3);
    expect(last.type).toBe("error");
    expect(last.error).toBeInstanceOf(LlmApiError);
    expect(last.error).toMatchObject({ code: "LLM_CONNECTION_ERROR", isRetryable: true, statusCode: undefined });
  });

  it("should end with an error part (LlmResponseError) on a garbage SSE line", async () => {
    // The SDK also logs the unparseable line through its logger (console by default).
    server.enqueue({
      type: "sse",
      events: [
        chunk({ role: "assistant", content: "Hi" }),
        'data: {"id":"chatcmpl-test","choices":[{"delta":',
        chunk({}, "stop"),
      ],
    });

    const parts = await collect(await model().stream({ messages: hello }));

    expect(parts[0]).toEqual({ type: "text-delta", delta: "Hi" });
    expect(parts).toHaveLength(2);
    const last = parts[1] as Extract<StreamPart, { type: "error" }>;
    expect(last.type).toBe("error");
    expect(last.error).toBeInstanceOf(LlmResponseError);
    expect(last.error).toMatchObject({ code: "LLM_INVALID_RESPONSE" });
  });

  it("should end with an error part when the body ends before a finish_reason", async () => {
    server.enqueue({ type: "sse", events: [chunk({ role: "assistant", content: "Hi" })] });
    const parts = await collect(await model().stream({ messages: hello }));
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { code: "LLM_INVALID_RESPONSE" } });
    expect(parts.some((part) => part.type === "finish")).toBe(false);
  });

  it("should surface an error event inside the stream as a retryable LlmApiError part", async () => {
    server.enqueue({
      type: "sse",
      events: [
        chunk({ role: "assistant", content: "Hi" }),
        'data: {"error":{"message":"The server is overloaded","type":"server_error","param":null,"code":null}}',
      ],
    });
    const parts = await collect(await model().stream({ messages: hello }));
    const last = parts.at(-1) as Extract<StreamPart, { type: "error" }>;
    expect(last.error).toBeInstanceOf(LlmApiError);
    expect(last.error).toMatchObject({ isRetryable: true, statusCode: undefined });
    expect((last.error as Error).message).toContain("overloaded");
  });

  it("should end with an error part when streamed tool-call arguments are not JSON", async () => {
    server.enqueue({
      type: "sse",
      events: [
        chunk({
          tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "a", arguments: '{"x":' } }],
        }),
        chunk({}, "tool_calls"),
        "data: [DONE]",
      ],
    });
    const parts = await collect(await model().stream({ messages: hello }));
    expect(parts.map((part) => part.type)).toEqual(["tool-call-start", "tool-call-delta", "error"]);
    expect(parts.at(-1)).toMatchObject({ error: { code: "LLM_INVALID_RESPONSE" } });
  });
});

describe("abort", () => {
  it("should reject promptly when aborted mid-request, closing the connection", async () => {
    server.enqueue({ type: "hang" });
    const controller = new AbortController();
    const arrived = server.nextRequest();
    const pending = model().generate({ messages: hello, abortSignal: controller.signal });
    const request = await arrived;

    controller.abort();
    const error = await rejection(pending);

    // Rejects with the signal's own reason, as fetch does.
    expect(error).toBe(controller.signal.reason);
    await request.closedEarly;
  });

  it("should reject stream() when aborted before the response headers", async () => {
    server.enqueue({ type: "hang" });
    const controller = new AbortController();
    const arrived = server.nextRequest();
    const pending = model().stream({ messages: hello, abortSignal: controller.signal });
    const request = await arrived;
    controller.abort();
    await expect(pending).rejects.toBe(controller.signal.reason);
    await request.closedEarly;
  });

  it("should make the iterator throw promptly when aborted mid-stream, closing the connection", async () => {
    server.enqueue({ type: "sse", events: sseFixture("chat-completion-text.chunks.txt").slice(0, 3), after: "hold" });
    const controller = new AbortController();
    const arrived = server.nextRequest();
    const stream = await model().stream({ messages: hello, abortSignal: controller.signal });
    const request = await arrived;
    const iterator = stream[Symbol.asyncIterator]();

    expect(await iterator.next()).toEqual({ done: false, value: { type: "text-delta", delta: "Hello" } });
    expect(await iterator.next()).toEqual({ done: false, value: { type: "text-delta", delta: "!" } });
    const next = iterator.next(); // waits on the held-open connection
    controller.abort();
    const error = await rejection(next);

    expect(error).toBe(controller.signal.reason);
    await request.closedEarly;
  });

  it("should close the connection when the consumer stops iterating early", async () => {
    server.enqueue({ type: "sse", events: sseFixture("chat-completion-text.chunks.txt").slice(0, 3), after: "hold" });
    const arrived = server.nextRequest();
    const stream = await model().stream({ messages: hello });
    const request = await arrived;
    for await (const part of stream) {
      expect(part.type).toBe("text-delta");
      break;
    }
    await request.closedEarly;
  });
});
