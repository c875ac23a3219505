import type { LanguageModelV1, Message, ToolDefinition } from "@agnt5/llm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAnthropic } from "./anthropic-provider.js";
import {
  type AnthropicTestServer,
  readJsonFixture,
  startAnthropicTestServer,
} from "./test-support/anthropic-test-server.js";

const weatherTool: ToolDefinition = {
  name: "get_weather",
  description: "Get the current weather in a given location",
  inputSchema: {
    type: "object",
    properties: {
      location: { type: "string", description: "The city and state, e.g. San Francisco, CA" },
      unit: { type: "string", enum: ["celsius", "fahrenheit"] },
    },
    required: ["location"],
    additionalProperties: false,
  },
};

let server: AnthropicTestServer;
let model: LanguageModelV1;

beforeEach(async () => {
  server = await startAnthropicTestServer();
  model = createAnthropic({ apiKey: "sk-ant-test", baseURL: server.baseURL }).languageModel("claude-sonnet-5-5");
});

afterEach(async () => {
  await server.close();
});

const hello: Message[] = [{ role: "user", content: "What is the capital of France?" }];

describe("AnthropicMessagesLanguageModel.generate", () => {
  it("should post to /v1/messages with the model, messages and the default max_tokens", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });

    await model.generate({ messages: hello });

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/v1/messages");
    expect(request?.body).toEqual({
      model: "claude-sonnet-5-5",
      max_tokens: 4096,
      messages: [{ role: "user", content: [{ type: "text", text: "What is the capital of France?" }] }],
      stream: false,
    });
  });

  it("should send the key as a bearer token, the SDK's API version and the caller's headers", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });
    const provider = createAnthropic({
      apiKey: "sk-ant-test",
      baseURL: server.baseURL,
      headers: { "x-provider-header": "provider", "x-overridden": "provider" },
    });

    await provider
      .languageModel("claude-sonnet-5-5")
      .generate({ messages: hello, headers: { "x-call-header": "call", "x-overridden": "call" } });

    const headers = server.requests[0]?.headers;
    expect(headers?.authorization).toBe("Bearer sk-ant-test");
    expect(headers?.["anthropic-version"]).toBe("2026-10-21");
    expect(headers?.["x-provider-header"]).toBe("provider");
    expect(headers?.["x-call-header"]).toBe("call");
    expect(headers?.["x-overridden"]).toBe("call");
  });

  it("should extract text, finish reason, response metadata and usage with cache reads", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });

    const result = await model.generate({ messages: hello });

    expect(result.text).toBe("The capital of France is Paris.");
    expect(result.content).toEqual([{ type: "text", text: "The capital of France is Paris." }]);
    expect(result.toolCalls).toEqual([]);
    expect(result.finishReason).toBe("stop");
    expect(result.rawFinishReason).toBe("end_turn");
    expect(result.response).toEqual({ id: "msg_01XFDUDYJgAACzvnptvVoYEL", modelId: "claude-sonnet-5-5" });
    // input_tokens counts only what follows the cache; the contract's inputTokens is every input token
    expect(result.usage).toEqual({ inputTokens: 2062, outputTokens: 10, cachedInputTokens: 2048, totalTokens: 2072 });
    expect(result.warnings).toEqual([]);
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool-calls"],
    ["refusal", "content-filter"],
    ["pause_turn", "stop"],
  ])("should map stop_reason %s to %s", async (stopReason, finishReason) => {
    server.enqueue({ type: "json", body: { ...readJsonFixture("messages-text.json"), stop_reason: stopReason } });

    const result = await model.generate({ messages: hello });

    expect(result.finishReason).toBe(finishReason);
    expect(result.rawFinishReason).toBe(stopReason);
  });

  it("should put system messages into the top-level system prompt", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });

    await model.generate({
      messages: [
        { role: "system", content: "You are a geography tutor." },
        { role: "system", content: "Answer in one sentence." },
        ...hello,
      ],
    });

    expect(server.requests[0]?.body.system).toBe("You are a geography tutor.\n\nAnswer in one sentence.");
    expect(server.requests[0]?.body.messages).toHaveLength(1);
  });

  it("should send tool calls as tool_use and merge consecutive tool results into one user turn", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });

    await model.generate({
      messages: [
        { role: "system", content: "Use the tools." },
        { role: "user", content: "Weather in San Francisco and New York?" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "I'll check the weather in both cities." },
            {
              type: "tool-call",
              toolCallId: "toolu_01A09q90qw90lq917835lq9",
              toolName: "get_weather",
              input: { location: "San Francisco, CA" },
            },
            {
              type: "tool-call",
              toolCallId: "toolu_01B7c5xTw4K9d2LmPq8Rz3Vn",
              toolName: "get_weather",
              input: { location: "New York, NY" },
            },
          ],
        },
        {
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: "toolu_01A09q90qw90lq917835lq9",
              toolName: "get_weather",
              output: { temperature: 18, conditions: "fog" },
            },
          ],
        },
        {
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: "toolu_01B7c5xTw4K9d2LmPq8Rz3Vn",
              toolName: "get_weather",
              output: "weather service unavailable",
              isError: true,
            },
          ],
        },
      ],
      tools: [weatherTool],
    });

    expect(server.requests[0]?.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in San Francisco and New York?" }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "I'll check the weather in both cities." },
          {
            type: "tool_use",
            id: "toolu_01A09q90qw90lq917835lq9",
            name: "get_weather",
            input: { location: "San Francisco, CA" },
          },
          {
            type: "tool_use",
            id: "toolu_01B7c5xTw4K9d2LmPq8Rz3Vn",
            name: "get_weather",
            input: { location: "New York, NY" },
          },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "toolu_01A09q90qw90lq917835lq9",
            content: '{"temperature":18,"conditions":"fog"}',
          },
          {
            type: "tool_result",
            tool_use_id: "toolu_01B7c5xTw4K9d2LmPq8Rz3Vn",
            content: "weather service unavailable",
            is_error: true,
          },
        ],
      },
    ]);
  });

  it("should send tools with their JSON Schema as input_schema", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });

    await model.generate({ messages: hello, tools: [weatherTool, { name: "now", inputSchema: { type: "object" } }] });

    expect(server.requests[0]?.body.tools).toEqual([
      { name: "get_weather", description: weatherTool.description, input_schema: weatherTool.inputSchema },
      { name: "now", input_schema: { type: "object" } },
    ]);
    expect(server.requests[0]?.body.tool_choice).toBeUndefined();
  });

  it.each([
    ["auto", { type: "auto" }],
    ["required", { type: "any" }],
    ["none", { type: "none" }],
    [
      { type: "tool", toolName: "get_weather" },
      { type: "tool", name: "get_weather" },
    ],
  ] as const)("should map toolChoice %j to tool_choice %j", async (toolChoice, expected) => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });

    await model.generate({ messages: hello, tools: [weatherTool], toolChoice });

    expect(server.requests[0]?.body.tool_choice).toEqual(expected);
  });

  it("should disable parallel tool use through providerOptions", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });

    await model.generate({
      messages: hello,
      tools: [weatherTool],
      toolChoice: "auto",
      providerOptions: { anthropic: { disableParallelToolUse: true, userId: "user-42" } },
    });

    expect(server.requests[0]?.body.tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(server.requests[0]?.body.metadata).toEqual({ user_id: "user-42" });
  });

  it("should return parallel tool calls in order", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-parallel-tool-use.json") });

    const result = await model.generate({ messages: hello, tools: [weatherTool] });

    expect(result.finishReason).toBe("tool-calls");
    expect(result.text).toBe("I'll check the weather in both cities.");
    expect(result.toolCalls).toEqual([
      {
        toolCallId: "toolu_01A09q90qw90lq917835lq9",
        toolName: "get_weather",
        input: { location: "San Francisco, CA", unit: "celsius" },
      },
      {
        toolCallId: "toolu_01B7c5xTw4K9d2LmPq8Rz3Vn",
        toolName: "get_weather",
        input: { location: "New York, NY", unit: "celsius" },
      },
    ]);
    expect(result.content.map((part) => part.type)).toEqual(["text", "tool-call", "tool-call"]);
    expect(result.usage).toEqual({ inputTokens: 512, outputTokens: 134, cachedInputTokens: 0, totalTokens: 646 });
  });

  it("should use max_tokens from the call, then the model settings, then the provider", async () => {
    for (let i = 0; i < 3; i++) server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });
    const provider = createAnthropic({ apiKey: "sk-ant-test", baseURL: server.baseURL, maxOutputTokens: 1000 });

    await provider.languageModel("claude-sonnet-5-5").generate({ messages: hello });
    await provider.languageModel("claude-sonnet-5-5", { maxOutputTokens: 2000 }).generate({ messages: hello });
    await provider
      .languageModel("claude-sonnet-5-5", { maxOutputTokens: 2000 })
      .generate({ messages: hello, maxOutputTokens: 300 });

    expect(server.requests.map((request) => request.body.max_tokens)).toEqual([1000, 2000, 300]);
  });

  it("should send stop sequences", async () => {
    server.enqueue({ type: "json", body: { ...readJsonFixture("messages-text.json"), stop_reason: "stop_sequence" } });

    const result = await model.generate({ messages: hello, stopSequences: ["\n\nHuman:", "END"] });

    expect(server.requests[0]?.body.stop_sequences).toEqual(["\n\nHuman:", "END"]);
    expect(result.finishReason).toBe("stop");
  });

  it("should not send sampling parameters that API version 2026-10-21 rejects, and warn", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });

    const result = await model.generate({ messages: hello, temperature: 0.2, topP: 0.9, seed: 7 });

    const body = server.requests[0]?.body;
    expect(body.temperature).toBeUndefined();
    expect(body.top_p).toBeUndefined();
    expect(result.warnings).toHaveLength(3);
    expect(result.warnings?.[0]).toMatch(/temperature was not sent/);
    expect(result.warnings?.[1]).toMatch(/topP was not sent/);
    expect(result.warnings?.[2]).toMatch(/seed/);
  });

  it("should send sampling parameters when the caller pins anthropic-version 2023-06-01", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });

    const result = await model.generate({
      messages: hello,
      temperature: 0.2,
      topP: 0.9,
      headers: { "anthropic-version": "2023-06-01" },
      providerOptions: { anthropic: { topK: 40 } },
    });

    const request = server.requests[0];
    expect(request?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(request?.body).toMatchObject({ temperature: 0.2, top_p: 0.9, top_k: 40 });
    expect(result.warnings).toEqual([]);
  });
});

describe("structured output (responseFormat json)", () => {
  const personSchema = {
    type: "object",
    properties: {
      name: { type: "string" },
      born: { type: "integer" },
      fields: { type: "array", items: { type: "string" } },
    },
    required: ["name", "born", "fields"],
    additionalProperties: false,
  };

  it("should force a json tool whose input_schema is the schema and return its input as JSON text", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-json-tool.json") });

    const result = await model.generate({
      messages: [{ role: "user", content: "Tell me about Ada Lovelace." }],
      responseFormat: { type: "json", schema: personSchema },
    });

    const body = server.requests[0]?.body;
    expect(body.tools).toEqual([
      { name: "json", description: "Respond with a JSON object that matches this schema.", input_schema: personSchema },
    ]);
    expect(body.tool_choice).toEqual({ type: "tool", name: "json" });
    expect(JSON.parse(result.text)).toEqual({ name: "Ada Lovelace", born: 1815, fields: ["mathematics", "computing"] });
    expect(result.content).toEqual([{ type: "text", text: result.text }]);
    expect(result.toolCalls).toEqual([]);
    expect(result.finishReason).toBe("stop");
    expect(result.rawFinishReason).toBe("tool_use");
  });

  it("should use responseFormat's name and description for the tool", async () => {
    const response = readJsonFixture("messages-json-tool.json");
    response.content[0].name = "person";
    server.enqueue({ type: "json", body: response });

    const result = await model.generate({
      messages: hello,
      responseFormat: { type: "json", schema: personSchema, name: "person", description: "A person." },
    });

    expect(server.requests[0]?.body.tools[0]).toMatchObject({ name: "person", description: "A person." });
    expect(server.requests[0]?.body.tool_choice).toEqual({ type: "tool", name: "person" });
    expect(JSON.parse(result.text)).toMatchObject({ name: "Ada Lovelace" });
  });

  it("should wrap a non-object schema in { value } and unwrap the answer", async () => {
    const response = readJsonFixture("messages-json-tool.json");
    response.content[0].input = { value: ["Paris", "Lyon"] };
    server.enqueue({ type: "json", body: response });
    const schema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "array",
      items: { type: "string" },
    };

    const result = await model.generate({ messages: hello, responseFormat: { type: "json", schema } });

    expect(server.requests[0]?.body.tools[0].input_schema).toEqual({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: { value: { type: "array", items: { type: "string" } } },
      required: ["value"],
      additionalProperties: false,
    });
    expect(JSON.parse(result.text)).toEqual(["Paris", "Lyon"]);
  });

  it("should let the model call a real tool or answer through the json tool when tools are given", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-parallel-tool-use.json") });

    const result = await model.generate({
      messages: hello,
      tools: [weatherTool],
      responseFormat: { type: "json", schema: personSchema },
    });

    const body = server.requests[0]?.body;
    expect(body.tools.map((tool: { name: string }) => tool.name)).toEqual(["get_weather", "json"]);
    expect(body.tool_choice).toEqual({ type: "any" });
    expect(result.finishReason).toBe("tool-calls");
    expect(result.toolCalls).toHaveLength(2);
  });

  it("should ask for JSON in the system prompt when there is no schema", async () => {
    server.enqueue({ type: "json", body: readJsonFixture("messages-text.json") });

    await model.generate({
      messages: [{ role: "system", content: "You are terse." }, ...hello],
      responseFormat: { type: "json" },
    });

    const body = server.requests[0]?.body;
    expect(body.tools).toBeUndefined();
    expect(body.system).toMatch(/^You are terse\.\n\nRespond only with a single valid JSON value/);
  });
});
