import { LlmApiError, type Message } from "@agnt5/llm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BedrockTestServer, startBedrockTestServer } from "./test-support/bedrock-test-server.js";
import { readFixture } from "./test-support/fixtures.js";
import { createTestBedrock } from "./test-support/test-provider.js";

const CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0";

const weatherTool = {
  name: "get_weather",
  description: "Current weather for a city",
  inputSchema: {
    type: "object",
    properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
    required: ["city"],
  },
};

let server: BedrockTestServer;
beforeAll(async () => {
  server = await startBedrockTestServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

describe("generate", () => {
  it("should send system, messages and inferenceConfig and return the text", async () => {
    server.enqueue({ type: "json", body: readFixture("converse-text.json") });
    const model = createTestBedrock(server).languageModel(CLAUDE);

    const result = await model.generate({
      messages: [
        { role: "system", content: "You answer in one sentence." },
        { role: "user", content: "What is the capital of France?" },
      ],
      maxOutputTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ["\n\nHuman:"],
    });

    expect(server.requests[0]).toMatchObject({ operation: "converse", modelId: CLAUDE });
    expect(server.requests[0]!.path).toBe("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse");
    expect(server.requests[0]!.body).toEqual({
      system: [{ text: "You answer in one sentence." }],
      messages: [{ role: "user", content: [{ text: "What is the capital of France?" }] }],
      inferenceConfig: { maxTokens: 256, temperature: 0.2, topP: 0.9, stopSequences: ["\n\nHuman:"] },
    });
    expect(result).toEqual({
      text: "The capital of France is Paris.",
      content: [{ type: "text", text: "The capital of France is Paris." }],
      toolCalls: [],
      finishReason: "stop",
      rawFinishReason: "end_turn",
      usage: { inputTokens: 21, outputTokens: 10, cachedInputTokens: 0, totalTokens: 31 },
      response: { id: "00000000-0000-4000-8000-000000000001", modelId: CLAUDE },
    });
    expect(model).toMatchObject({ specificationVersion: "v1", provider: "bedrock", modelId: CLAUDE });
  });

  it("should sign the request with SigV4 for the bedrock service in the region", async () => {
    server.enqueue({ type: "json", body: readFixture("converse-text.json") });
    await createTestBedrock(server, { region: "eu-central-1" })
      .languageModel("eu.amazon.nova-lite-v1:0")
      .generate({ messages: [{ role: "user", content: "hi" }] });

    const authorization = String(server.requests[0]!.headers.authorization);
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETEST00001\/\d{8}\/eu-central-1\/bedrock\/aws4_request/,
    );
    expect(server.requests[0]!.modelId).toBe("eu.amazon.nova-lite-v1:0");
  });

  it("should extract usage including cacheReadInputTokens", async () => {
    server.enqueue({ type: "json", body: readFixture("converse-text-cache-read.json") });
    const result = await createTestBedrock(server)
      .languageModel(CLAUDE)
      .generate({ messages: [{ role: "user", content: "What does section 4.2 say?" }] });

    // Bedrock's inputTokens leaves out cache reads and writes; the contract's counts every input token.
    expect(result.usage).toEqual({ inputTokens: 2065, outputTokens: 15, cachedInputTokens: 2048, totalTokens: 2080 });
  });

  it("should return parallel tool uses as tool calls and send the tool config", async () => {
    server.enqueue({ type: "json", body: readFixture("converse-parallel-tool-use.json") });
    const result = await createTestBedrock(server)
      .languageModel(CLAUDE)
      .generate({
        messages: [{ role: "user", content: "Weather in Paris and Berlin?" }],
        tools: [weatherTool, { name: "get_time", inputSchema: { type: "object", properties: {} } }],
        toolChoice: "auto",
      });

    expect(server.requests[0]!.body.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: "get_weather",
            description: "Current weather for a city",
            inputSchema: { json: weatherTool.inputSchema },
          },
        },
        { toolSpec: { name: "get_time", inputSchema: { json: { type: "object", properties: {} } } } },
      ],
      toolChoice: { auto: {} },
    });
    expect(result.finishReason).toBe("tool-calls");
    expect(result.rawFinishReason).toBe("tool_use");
    expect(result.text).toBe("I'll check the weather in both cities.");
    expect(result.toolCalls).toEqual([
      {
        toolCallId: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
        toolName: "get_weather",
        input: { city: "Paris", unit: "celsius" },
      },
      {
        toolCallId: "tooluse_3Xq9VbYtT0mQn1WzK8pLcA",
        toolName: "get_weather",
        input: { city: "Berlin", unit: "celsius" },
      },
    ]);
    expect(result.content.map((part) => part.type)).toEqual(["text", "tool-call", "tool-call"]);
  });

  it.each([
    ["required", { any: {} }],
    [{ type: "tool", toolName: "get_weather" } as const, { tool: { name: "get_weather" } }],
  ] as const)("should map toolChoice %j", async (toolChoice, expected) => {
    server.enqueue({ type: "json", body: readFixture("converse-text.json") });
    await createTestBedrock(server)
      .languageModel(CLAUDE)
      .generate({ messages: [{ role: "user", content: "hi" }], tools: [weatherTool], toolChoice });
    expect(server.requests[0]!.body.toolConfig.toolChoice).toEqual(expected);
  });

  it('should leave the tools out for toolChoice "none" unless the conversation has tool blocks', async () => {
    server.enqueue(
      { type: "json", body: readFixture("converse-text.json") },
      { type: "json", body: readFixture("converse-text.json") },
    );
    const model = createTestBedrock(server).languageModel(CLAUDE);
    await model.generate({ messages: [{ role: "user", content: "hi" }], tools: [weatherTool], toolChoice: "none" });
    const result = await model.generate({
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: [{ type: "tool-call", toolCallId: "t1", toolName: "get_weather", input: { city: "Paris" } }],
        },
        {
          role: "tool",
          content: [{ type: "tool-result", toolCallId: "t1", toolName: "get_weather", output: { temperature: 18 } }],
        },
      ],
      tools: [weatherTool],
      toolChoice: "none",
    });

    expect(server.requests[0]!.body.toolConfig).toBeUndefined();
    expect(server.requests[1]!.body.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: "get_weather",
            description: "Current weather for a city",
            inputSchema: { json: weatherTool.inputSchema },
          },
        },
      ],
    });
    expect(result.warnings).toEqual([expect.stringContaining('toolChoice "none"')]);
  });

  it("should send tool calls and merged tool results as alternating assistant and user turns", async () => {
    server.enqueue({ type: "json", body: readFixture("converse-text.json") });
    const messages: Message[] = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Weather in Paris and Berlin?" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking both." },
          { type: "tool-call", toolCallId: "tooluse_1", toolName: "get_weather", input: { city: "Paris" } },
          { type: "tool-call", toolCallId: "tooluse_2", toolName: "get_weather", input: { city: "Berlin" } },
        ],
      },
      {
        role: "tool",
        content: [
          { type: "tool-result", toolCallId: "tooluse_1", toolName: "get_weather", output: { temperature: 18 } },
        ],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "tooluse_2",
            toolName: "get_weather",
            output: "service down",
            isError: true,
          },
        ],
      },
      { role: "user", content: "And which one is warmer?" },
    ];
    await createTestBedrock(server)
      .languageModel(CLAUDE)
      .generate({ messages, tools: [weatherTool] });

    expect(server.requests[0]!.body.system).toEqual([{ text: "Be brief." }]);
    expect(server.requests[0]!.body.messages).toEqual([
      { role: "user", content: [{ text: "Weather in Paris and Berlin?" }] },
      {
        role: "assistant",
        content: [
          { text: "Checking both." },
          { toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } } },
          { toolUse: { toolUseId: "tooluse_2", name: "get_weather", input: { city: "Berlin" } } },
        ],
      },
      {
        role: "user",
        content: [
          { toolResult: { toolUseId: "tooluse_1", content: [{ json: { temperature: 18 } }] } },
          { toolResult: { toolUseId: "tooluse_2", content: [{ text: "service down" }], status: "error" } },
          { text: "And which one is warmer?" },
        ],
      },
    ]);
  });

  it("should request structured output through a forced json_response tool and return its input as text", async () => {
    server.enqueue({ type: "json", body: readFixture("converse-structured-output.json") });
    const schema = {
      type: "object",
      properties: {
        city: { type: "string" },
        temperature: { type: "number" },
        conditions: { type: "array", items: { type: "string" } },
      },
      required: ["city", "temperature", "conditions"],
    };
    const result = await createTestBedrock(server)
      .languageModel(CLAUDE)
      .generate({
        messages: [{ role: "user", content: "Weather report for Paris as JSON" }],
        responseFormat: { type: "json", schema, name: "weather report" },
      });

    expect(server.requests[0]!.body.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: "json_response",
            description: "Respond with the weather report as JSON by calling this tool; its input is the answer.",
            inputSchema: { json: schema },
          },
        },
      ],
      toolChoice: { tool: { name: "json_response" } },
    });
    expect(JSON.parse(result.text)).toEqual({ city: "Paris", temperature: 18.5, conditions: ["cloudy", "light rain"] });
    expect(result.toolCalls).toEqual([]);
    expect(result.finishReason).toBe("stop");
    expect(result.rawFinishReason).toBe("tool_use");
  });

  it("should let the model pick between its tools and json_response when both are offered", async () => {
    server.enqueue({ type: "json", body: readFixture("converse-structured-output.json") });
    await createTestBedrock(server)
      .languageModel(CLAUDE)
      .generate({
        messages: [{ role: "user", content: "hi" }],
        tools: [weatherTool],
        responseFormat: { type: "json" },
      });

    const toolConfig = server.requests[0]!.body.toolConfig;
    expect(toolConfig.tools.map((tool: any) => tool.toolSpec.name)).toEqual(["get_weather", "json_response"]);
    expect(toolConfig.tools[1].toolSpec.inputSchema.json).toEqual({ type: "object", additionalProperties: true });
    expect(toolConfig.toolChoice).toEqual({ any: {} });
  });

  it("should use outputConfig json_schema when structuredOutputMode is native", async () => {
    server.enqueue({
      type: "json",
      body: {
        ...readFixture<Record<string, unknown>>("converse-text.json"),
        output: { message: { role: "assistant", content: [{ text: '{"city":"Paris"}' }] } },
      },
    });
    const schema = {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
      additionalProperties: false,
    };
    const result = await createTestBedrock(server)
      .languageModel("us.amazon.nova-lite-v1:0")
      .generate({
        messages: [{ role: "user", content: "Capital of France as JSON" }],
        responseFormat: { type: "json", schema, name: "capital" },
        providerOptions: { bedrock: { structuredOutputMode: "native" } },
      });

    expect(server.requests[0]!.body.toolConfig).toBeUndefined();
    expect(server.requests[0]!.body.outputConfig).toEqual({
      textFormat: {
        type: "json_schema",
        structure: { jsonSchema: { schema: JSON.stringify(schema), name: "capital" } },
      },
    });
    expect(result.text).toBe('{"city":"Paris"}');
  });

  it("should pass Bedrock provider options through and warn about seed", async () => {
    server.enqueue({ type: "json", body: readFixture("converse-text.json") });
    const result = await createTestBedrock(server)
      .languageModel(CLAUDE)
      .generate({
        messages: [{ role: "user", content: "hi" }],
        seed: 42,
        providerOptions: {
          bedrock: {
            additionalModelRequestFields: { top_k: 40 },
            guardrailConfig: { guardrailIdentifier: "gr-123", guardrailVersion: "1", streamProcessingMode: "async" },
            requestMetadata: { tenant: "acme" },
            performanceConfig: { latency: "optimized" },
          },
        },
      });

    expect(server.requests[0]!.body).toMatchObject({
      additionalModelRequestFields: { top_k: 40 },
      guardrailConfig: { guardrailIdentifier: "gr-123", guardrailVersion: "1" },
      requestMetadata: { tenant: "acme" },
      performanceConfig: { latency: "optimized" },
    });
    expect(server.requests[0]!.body.guardrailConfig.streamProcessingMode).toBeUndefined();
    expect(result.warnings).toEqual([expect.stringContaining("seed")]);
  });

  it("should add provider and call headers to the signed request", async () => {
    server.enqueue({ type: "json", body: readFixture("converse-text.json") });
    await createTestBedrock(server, { headers: { "X-Agnt5-Team": "search" } })
      .languageModel(CLAUDE)
      .generate({ messages: [{ role: "user", content: "hi" }], headers: { "x-agnt5-run": "run-7" } });

    const { headers } = server.requests[0]!;
    expect(headers["x-agnt5-team"]).toBe("search");
    expect(headers["x-agnt5-run"]).toBe("run-7");
    expect(String(headers.authorization)).toMatch(/SignedHeaders=[^,]*x-agnt5-run;x-agnt5-team/);
  });

  it.each([
    ["max_tokens", "length"],
    ["stop_sequence", "stop"],
    ["guardrail_intervened", "content-filter"],
    ["content_filtered", "content-filter"],
    ["model_context_window_exceeded", "length"],
    ["malformed_tool_use", "error"],
  ] as const)("should map stopReason %s to %s", async (stopReason, finishReason) => {
    server.enqueue({
      type: "json",
      body: { ...readFixture<Record<string, unknown>>("converse-text.json"), stopReason },
    });
    const result = await createTestBedrock(server)
      .languageModel(CLAUDE)
      .generate({ messages: [{ role: "user", content: "hi" }] });
    expect(result.finishReason).toBe(finishReason);
    expect(result.rawFinishReason).toBe(stopReason);
  });
});

describe("generate errors", () => {
  it.each([
    [
      403,
      "AccessDeniedException",
      false,
      "LLM_AUTHENTICATION_ERROR",
      "You don't have access to the model with the specified model ID.",
    ],
    [
      400,
      "ValidationException",
      false,
      "LLM_INVALID_REQUEST",
      "messages: roles must alternate between user and assistant",
    ],
    [404, "ResourceNotFoundException", false, "LLM_INVALID_REQUEST", "Model not found."],
    [429, "ThrottlingException", true, "LLM_RATE_LIMITED", "Too many requests, please wait before trying again."],
    [429, "ModelNotReadyException", true, "LLM_RATE_LIMITED", "Model is not ready to serve inference requests."],
    [500, "InternalServerException", true, "LLM_SERVER_ERROR", "The server encountered an internal error."],
    [503, "ServiceUnavailableException", true, "LLM_SERVER_ERROR", "Bedrock is unable to process your request."],
    [424, "ModelErrorException", false, "LLM_API_ERROR", "The model produced an invalid response."],
  ] as const)(
    "should map %i %s to an LlmApiError (retryable: %s)",
    async (status, errorType, isRetryable, code, message) => {
      server.enqueue({ type: "error", status, errorType, message });
      const error = await createTestBedrock(server)
        .languageModel(CLAUDE)
        .generate({ messages: [{ role: "user", content: "hi" }] })
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(LlmApiError);
      expect(error).toMatchObject({ provider: "bedrock", statusCode: status, isRetryable, code });
      expect((error as LlmApiError).message).toContain(errorType);
      expect((error as LlmApiError).message).toContain(message);
      expect((error as LlmApiError).url).toBe("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse");
    },
  );

  it("should read Retry-After into retryAfterMs", async () => {
    server.enqueue({
      type: "error",
      status: 429,
      errorType: "ThrottlingException",
      message: "Too many tokens, please wait before trying again.",
      headers: { "retry-after": "7" },
    });
    const error = await createTestBedrock(server)
      .languageModel(CLAUDE)
      .generate({ messages: [{ role: "user", content: "hi" }] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ isRetryable: true, retryAfterMs: 7000 });
  });

  it("should treat an unmodeled 502 from a proxy as retryable", async () => {
    server.enqueue({ type: "json", status: 502, body: "<html>502 Bad Gateway</html>" });
    const error = await createTestBedrock(server)
      .languageModel(CLAUDE)
      .generate({ messages: [{ role: "user", content: "hi" }] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 502, isRetryable: true });
  });

  it("should report a refused connection as a retryable error without status", async () => {
    const closed = await startBedrockTestServer();
    await closed.close();
    const error = await createTestBedrock(closed)
      .languageModel(CLAUDE)
      .generate({ messages: [{ role: "user", content: "hi" }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmApiError);
    expect(error).toMatchObject({ statusCode: undefined, isRetryable: true, code: "LLM_CONNECTION_ERROR" });
  });

  it("should reject with the abort reason when aborted while the request is in flight", async () => {
    server.enqueue({ type: "hang" });
    const disconnectsBefore = server.clientDisconnects;
    const controller = new AbortController();
    const pending = createTestBedrock(server)
      .languageModel(CLAUDE)
      .generate({ messages: [{ role: "user", content: "hi" }], abortSignal: controller.signal });
    await server.waitForRequests(1);
    controller.abort();

    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    await server.waitForClientDisconnects(disconnectsBefore + 1);
  });

  it("should not send anything when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("cancelled by the run"));
    await expect(
      createTestBedrock(server)
        .languageModel(CLAUDE)
        .generate({ messages: [{ role: "user", content: "hi" }], abortSignal: controller.signal }),
    ).rejects.toThrow("cancelled by the run");
    expect(server.requests).toHaveLength(0);
  });
});
