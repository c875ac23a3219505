import { LlmApiError, LlmResponseError, type StreamPart } from "@agnt5/llm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type BedrockTestServer,
  type StreamFrame,
  startBedrockTestServer,
} from "./test-support/bedrock-test-server.js";
import { readStreamFixture } from "./test-support/fixtures.js";
import { collectParts, createTestBedrock } from "./test-support/test-provider.js";

const CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0";

let server: BedrockTestServer;
beforeAll(async () => {
  server = await startBedrockTestServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const model = () => createTestBedrock(server).languageModel(CLAUDE);
const ask = { messages: [{ role: "user" as const, content: "What is the capital of France?" }] };

const start: StreamFrame = { event: "messageStart", payload: { p: "abcdefg", role: "assistant" } };
const textDelta = (text: string, index = 0): StreamFrame => ({
  event: "contentBlockDelta",
  payload: { contentBlockIndex: index, delta: { text }, p: "abcd" },
});

function errorPart(parts: StreamPart[]): unknown {
  const last = parts.at(-1);
  expect(last?.type).toBe("error");
  return (last as Extract<StreamPart, { type: "error" }>).error;
}

describe("stream", () => {
  it("should stream text deltas, usage and finish", async () => {
    server.enqueue({ type: "event-stream", frames: readStreamFixture("converse-stream-text.json") });
    const parts = await collectParts(
      await model().stream({
        ...ask,
        messages: [{ role: "system", content: "One sentence." }, ...ask.messages],
        maxOutputTokens: 64,
      }),
    );

    expect(server.requests[0]).toMatchObject({ operation: "converse-stream", modelId: CLAUDE });
    expect(server.requests[0]!.body).toEqual({
      system: [{ text: "One sentence." }],
      messages: [{ role: "user", content: [{ text: "What is the capital of France?" }] }],
      inferenceConfig: { maxTokens: 64 },
    });
    const usage = { inputTokens: 1045, outputTokens: 10, cachedInputTokens: 1024, totalTokens: 1055 };
    expect(parts).toEqual([
      { type: "text-delta", delta: "The capital" },
      { type: "text-delta", delta: " of France is" },
      { type: "text-delta", delta: " Paris." },
      { type: "usage", usage },
      { type: "finish", finishReason: "stop", rawFinishReason: "end_turn", usage },
    ]);
  });

  it("should stream parallel tool uses with their input deltas", async () => {
    server.enqueue({ type: "event-stream", frames: readStreamFixture("converse-stream-parallel-tool-use.json") });
    const parts = await collectParts(
      await model().stream({
        messages: [{ role: "user", content: "Weather in Paris and Berlin?" }],
        tools: [{ name: "get_weather", inputSchema: { type: "object", properties: { city: { type: "string" } } } }],
      }),
    );

    const paris = "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q";
    const berlin = "tooluse_3Xq9VbYtT0mQn1WzK8pLcA";
    expect(parts.filter((part) => part.type !== "usage" && part.type !== "finish")).toEqual([
      { type: "text-delta", delta: "I'll check the weather" },
      { type: "text-delta", delta: " in both cities." },
      { type: "tool-call-start", toolCallId: paris, toolName: "get_weather" },
      { type: "tool-call-delta", toolCallId: paris, argumentsDelta: '{"city": ' },
      { type: "tool-call-delta", toolCallId: paris, argumentsDelta: '"Paris"' },
      { type: "tool-call-delta", toolCallId: paris, argumentsDelta: ', "unit": "cel' },
      { type: "tool-call-delta", toolCallId: paris, argumentsDelta: 'sius"}' },
      { type: "tool-call-end", toolCallId: paris, toolName: "get_weather", input: { city: "Paris", unit: "celsius" } },
      { type: "tool-call-start", toolCallId: berlin, toolName: "get_weather" },
      { type: "tool-call-delta", toolCallId: berlin, argumentsDelta: '{"city": "Ber' },
      { type: "tool-call-delta", toolCallId: berlin, argumentsDelta: 'lin", "unit"' },
      { type: "tool-call-delta", toolCallId: berlin, argumentsDelta: ': "celsius"}' },
      {
        type: "tool-call-end",
        toolCallId: berlin,
        toolName: "get_weather",
        input: { city: "Berlin", unit: "celsius" },
      },
    ]);
    expect(parts.at(-1)).toEqual({
      type: "finish",
      finishReason: "tool-calls",
      rawFinishReason: "tool_use",
      usage: { inputTokens: 412, outputTokens: 121, cachedInputTokens: 0, totalTokens: 533 },
    });
  });

  it("should keep interleaved tool use deltas apart by contentBlockIndex", async () => {
    const toolStart = (index: number, id: string, name: string): StreamFrame => ({
      event: "contentBlockStart",
      payload: { contentBlockIndex: index, start: { toolUse: { toolUseId: id, name } } },
    });
    const inputDelta = (index: number, input: string): StreamFrame => ({
      event: "contentBlockDelta",
      payload: { contentBlockIndex: index, delta: { toolUse: { input } } },
    });
    server.enqueue({
      type: "event-stream",
      frames: [
        start,
        toolStart(0, "tooluse_a", "lookup"),
        toolStart(1, "tooluse_b", "search"),
        inputDelta(1, '{"q":'),
        inputDelta(0, '{"id":'),
        inputDelta(0, " 7}"),
        inputDelta(1, ' "bedrock"}'),
        { event: "contentBlockStop", payload: { contentBlockIndex: 1 } },
        { event: "contentBlockStop", payload: { contentBlockIndex: 0 } },
        { event: "messageStop", payload: { stopReason: "tool_use" } },
      ],
    });
    const parts = await collectParts(await model().stream(ask));

    expect(parts.filter((part) => part.type === "tool-call-end")).toEqual([
      { type: "tool-call-end", toolCallId: "tooluse_b", toolName: "search", input: { q: "bedrock" } },
      { type: "tool-call-end", toolCallId: "tooluse_a", toolName: "lookup", input: { id: 7 } },
    ]);
    // No metadata event: the finish still comes, with zero usage.
    expect(parts.at(-1)).toEqual({
      type: "finish",
      finishReason: "tool-calls",
      rawFinishReason: "tool_use",
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, totalTokens: 0 },
    });
  });

  it("should stream structured output from the forced tool as text", async () => {
    server.enqueue({ type: "event-stream", frames: readStreamFixture("converse-stream-structured-output.json") });
    const parts = await collectParts(
      await model().stream({
        ...ask,
        responseFormat: { type: "json", schema: { type: "object", properties: { city: { type: "string" } } } },
      }),
    );

    expect(server.requests[0]!.body.toolConfig.toolChoice).toEqual({ tool: { name: "json_response" } });
    expect(parts.some((part) => part.type.startsWith("tool-call"))).toBe(false);
    const text = parts.map((part) => (part.type === "text-delta" ? part.delta : "")).join("");
    expect(JSON.parse(text)).toEqual({ city: "Paris", temperature: 18.5, conditions: ["cloudy", "light rain"] });
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: "stop", rawFinishReason: "tool_use" });
  });

  it("should report invalid tool input JSON as an LlmResponseError part", async () => {
    server.enqueue({
      type: "event-stream",
      frames: [
        start,
        {
          event: "contentBlockStart",
          payload: { contentBlockIndex: 0, start: { toolUse: { toolUseId: "tooluse_x", name: "lookup" } } },
        },
        { event: "contentBlockDelta", payload: { contentBlockIndex: 0, delta: { toolUse: { input: '{"id": 7' } } } },
        { event: "contentBlockStop", payload: { contentBlockIndex: 0 } },
        { event: "messageStop", payload: { stopReason: "tool_use" } },
      ],
    });
    const parts = await collectParts(await model().stream(ask));
    expect(errorPart(parts)).toBeInstanceOf(LlmResponseError);
  });
});

describe("stream errors", () => {
  it("should reject before the first byte with a mapped error", async () => {
    server.enqueue({
      type: "error",
      status: 429,
      errorType: "ThrottlingException",
      message: "Too many requests, please wait before trying again.",
    });
    await expect(model().stream(ask)).rejects.toMatchObject({
      name: "LlmApiError",
      statusCode: 429,
      isRetryable: true,
    });

    server.enqueue({
      type: "error",
      status: 403,
      errorType: "AccessDeniedException",
      message: "You don't have access to the model with the specified model ID.",
    });
    await expect(model().stream(ask)).rejects.toMatchObject({
      name: "LlmApiError",
      statusCode: 403,
      isRetryable: false,
    });
  });

  it.each([
    ["throttlingException", 429, true, "Too many tokens, please wait before trying again."],
    ["serviceUnavailableException", 503, true, "Bedrock is unable to process your request."],
    [
      "internalServerException",
      500,
      true,
      "The system encountered an unexpected error during processing. Try your request again.",
    ],
    ["modelStreamErrorException", 424, true, "Model stream error: the model stopped responding."],
    ["validationException", 400, false, "The output stream was terminated: input is too long for requested model."],
  ] as const)(
    "should turn a mid-stream %s event into an error part (status %i, retryable: %s)",
    async (exception, statusCode, isRetryable, message) => {
      server.enqueue({
        type: "event-stream",
        frames: [start, textDelta("The capital"), { exception, payload: { message } }, textDelta(" never sent")],
      });
      const parts = await collectParts(await model().stream(ask));

      expect(parts.slice(0, -1)).toEqual([{ type: "text-delta", delta: "The capital" }]);
      const error = errorPart(parts);
      expect(error).toBeInstanceOf(LlmApiError);
      expect(error).toMatchObject({ provider: "bedrock", statusCode, isRetryable });
      expect((error as Error).message).toContain(message);
    },
  );

  it.each(["cut", "drop"] as const)(
    "should report a connection lost mid-stream (%s) as a retryable error part",
    async (ending) => {
      server.enqueue({ type: "event-stream", frames: [start, textDelta("The capital")], ending });
      const parts = await collectParts(await model().stream(ask));

      expect(parts.map((part) => part.type)).toEqual(["text-delta", "error"]);
      const error = errorPart(parts);
      expect(error).toBeInstanceOf(LlmApiError);
      expect(error).toMatchObject({ statusCode: undefined, isRetryable: true });
    },
  );

  it("should report a stream that ends without messageStop as a retryable error part", async () => {
    server.enqueue({ type: "event-stream", frames: [start, textDelta("The capital")] });
    const parts = await collectParts(await model().stream(ask));

    expect(parts.map((part) => part.type)).toEqual(["text-delta", "error"]);
    expect(errorPart(parts)).toMatchObject({ name: "LlmApiError", isRetryable: true });
  });

  it("should throw the abort reason from the iterator when aborted mid-stream", async () => {
    server.enqueue({ type: "event-stream", frames: [start, textDelta("The capital")], ending: "hang" });
    const disconnectsBefore = server.clientDisconnects;
    const controller = new AbortController();
    const stream = await model().stream({ ...ask, abortSignal: controller.signal });

    const seen: StreamPart[] = [];
    const consumed = (async () => {
      for await (const part of stream) {
        seen.push(part);
        controller.abort(new Error("run cancelled"));
      }
    })();
    await expect(consumed).rejects.toThrow("run cancelled");
    expect(seen).toEqual([{ type: "text-delta", delta: "The capital" }]);
    await server.waitForClientDisconnects(disconnectsBefore + 1);
  });

  it("should reject with the abort reason when aborted before the response starts", async () => {
    server.enqueue({ type: "hang" });
    const controller = new AbortController();
    const pending = model().stream({ ...ask, abortSignal: controller.signal });
    await server.waitForRequests(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("should cancel the HTTP request when the consumer stops reading early", async () => {
    server.enqueue({
      type: "event-stream",
      frames: [start, textDelta("The capital"), { delayMs: 50 }, textDelta(" of")],
      ending: "hang",
    });
    const disconnectsBefore = server.clientDisconnects;
    for await (const part of await model().stream(ask)) {
      expect(part).toEqual({ type: "text-delta", delta: "The capital" });
      break;
    }
    await server.waitForClientDisconnects(disconnectsBefore + 1);
  });
});
