import type { LanguageModelV1, StreamPart } from "@agnt5/llm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAnthropic } from "./anthropic-provider.js";
import {
  type AnthropicTestServer,
  readFixture,
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

const weatherTool = {
  name: "get_weather",
  description: "Get the current weather in a given location",
  inputSchema: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
};

describe("AnthropicMessagesLanguageModel.stream", () => {
  it("should request a stream and emit text deltas, usage and finish", async () => {
    server.enqueue({ type: "sse", events: readFixture("messages-text.sse") });

    const { parts, error } = await readStream(
      await model.stream({ messages: [{ role: "user", content: "What is the capital of France?" }] }),
    );

    expect(error).toBeUndefined();
    expect(server.requests[0]?.body).toMatchObject({ stream: true, max_tokens: 4096, model: "claude-sonnet-5-5" });
    const usage = { inputTokens: 2062, outputTokens: 10, cachedInputTokens: 2048, totalTokens: 2072 };
    expect(parts).toEqual([
      { type: "text-delta", delta: "The capital" },
      { type: "text-delta", delta: " of France is" },
      { type: "text-delta", delta: " Paris." },
      { type: "usage", usage },
      { type: "finish", finishReason: "stop", rawFinishReason: "end_turn", usage },
    ]);
  });

  it("should parse an event stream split at arbitrary byte boundaries", async () => {
    const text = readFixture("messages-text.sse");
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += 7) chunks.push(text.slice(i, i + 7));
    server.enqueue({ type: "sse", events: chunks });

    const { parts, error } = await readStream(await model.stream({ messages: [{ role: "user", content: "Hi" }] }));

    expect(error).toBeUndefined();
    expect(textOf(parts)).toBe("The capital of France is Paris.");
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: "stop" });
  });

  it("should stream parallel tool calls with input_json_delta split across events", async () => {
    server.enqueue({ type: "sse", events: readFixture("messages-parallel-tool-use.sse") });

    const { parts, error } = await readStream(
      await model.stream({ messages: [{ role: "user", content: "Weather in SF and NYC?" }], tools: [weatherTool] }),
    );

    expect(error).toBeUndefined();
    const first = "toolu_01A09q90qw90lq917835lq9";
    const second = "toolu_01B7c5xTw4K9d2LmPq8Rz3Vn";
    expect(parts.filter((part) => part.type !== "usage" && part.type !== "finish")).toEqual([
      { type: "text-delta", delta: "I'll check the weather" },
      { type: "text-delta", delta: " in both cities." },
      { type: "tool-call-start", toolCallId: first, toolName: "get_weather" },
      { type: "tool-call-delta", toolCallId: first, argumentsDelta: '{"location": "San Fra' },
      { type: "tool-call-delta", toolCallId: first, argumentsDelta: 'ncisco, CA", "unit": "cel' },
      { type: "tool-call-delta", toolCallId: first, argumentsDelta: 'sius"}' },
      {
        type: "tool-call-end",
        toolCallId: first,
        toolName: "get_weather",
        input: { location: "San Francisco, CA", unit: "celsius" },
      },
      { type: "tool-call-start", toolCallId: second, toolName: "get_weather" },
      { type: "tool-call-delta", toolCallId: second, argumentsDelta: '{"location": "New' },
      { type: "tool-call-delta", toolCallId: second, argumentsDelta: ' York, NY", "unit": "celsius"}' },
      {
        type: "tool-call-end",
        toolCallId: second,
        toolName: "get_weather",
        input: { location: "New York, NY", unit: "celsius" },
      },
    ]);
    expect(parts.at(-1)).toEqual({
      type: "finish",
      finishReason: "tool-calls",
      rawFinishReason: "tool_use",
      usage: { inputTokens: 512, outputTokens: 134, cachedInputTokens: 0, totalTokens: 646 },
    });
  });

  it("should keep interleaved tool_use blocks apart by index", async () => {
    const events = splitSseEvents(readFixture("messages-parallel-tool-use.sse"));
    const start = (index: number, id: string) =>
      sseEvent("content_block_start", {
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id, name: "get_weather", input: {}, caller: { type: "direct" } },
      });
    const delta = (index: number, partial_json: string) =>
      sseEvent("content_block_delta", {
        type: "content_block_delta",
        index,
        delta: { type: "input_json_delta", partial_json },
      });
    const stop = (index: number) => sseEvent("content_block_stop", { type: "content_block_stop", index });
    server.enqueue({
      type: "sse",
      events: [
        events[0]!, // message_start
        start(0, "toolu_a"),
        start(1, "toolu_b"),
        delta(1, '{"location":'),
        delta(0, '{"location":'),
        delta(0, ' "Paris"}'),
        delta(1, ' "Rome"}'),
        stop(1),
        stop(0),
        ...events.slice(-2), // message_delta, message_stop
      ],
    });

    const { parts } = await readStream(await model.stream({ messages: [{ role: "user", content: "?" }] }));

    const ends = parts.filter(
      (part): part is Extract<StreamPart, { type: "tool-call-end" }> => part.type === "tool-call-end",
    );
    expect(ends.map((part) => [part.toolCallId, part.input])).toEqual([
      ["toolu_b", { location: "Rome" }],
      ["toolu_a", { location: "Paris" }],
    ]);
  });

  it("should give a tool called without arguments an empty object", async () => {
    const events = splitSseEvents(readFixture("messages-parallel-tool-use.sse"));
    server.enqueue({
      type: "sse",
      events: [
        events[0]!,
        sseEvent("content_block_start", {
          type: "content_block_start",
          index: 0,
          content_block: { type: "tool_use", id: "toolu_now", name: "now", input: {}, caller: { type: "direct" } },
        }),
        sseEvent("content_block_delta", {
          type: "content_block_delta",
          index: 0,
          delta: { type: "input_json_delta", partial_json: "" },
        }),
        sseEvent("content_block_stop", { type: "content_block_stop", index: 0 }),
        ...events.slice(-2),
      ],
    });

    const { parts } = await readStream(await model.stream({ messages: [{ role: "user", content: "time?" }] }));

    expect(parts.filter((part) => part.type.startsWith("tool-call"))).toEqual([
      { type: "tool-call-start", toolCallId: "toolu_now", toolName: "now" },
      { type: "tool-call-end", toolCallId: "toolu_now", toolName: "now", input: {} },
    ]);
  });

  it("should stream structured output as text deltas of the JSON", async () => {
    server.enqueue({ type: "sse", events: readFixture("messages-json-tool.sse") });
    const schema = { type: "object", properties: { name: { type: "string" } } };

    const { parts, error } = await readStream(
      await model.stream({ messages: [{ role: "user", content: "Ada?" }], responseFormat: { type: "json", schema } }),
    );

    expect(error).toBeUndefined();
    expect(server.requests[0]?.body.tool_choice).toEqual({ type: "tool", name: "json" });
    expect(parts.some((part) => part.type.startsWith("tool-call"))).toBe(false);
    expect(JSON.parse(textOf(parts))).toEqual({
      name: "Ada Lovelace",
      born: 1815,
      fields: ["mathematics", "computing"],
    });
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: "stop", rawFinishReason: "tool_use" });
  });

  it("should stream a wrapped (non-object) structured output as its unwrapped JSON", async () => {
    const events = splitSseEvents(readFixture("messages-json-tool.sse"));
    const delta = (partial_json: string) =>
      sseEvent("content_block_delta", {
        type: "content_block_delta",
        index: 0,
        delta: { type: "input_json_delta", partial_json },
      });
    server.enqueue({
      type: "sse",
      events: [events[0]!, events[1]!, delta('{"value": ["Par'), delta('is", "Lyon"]}'), ...events.slice(-3)],
    });

    const { parts } = await readStream(
      await model.stream({
        messages: [{ role: "user", content: "Cities?" }],
        responseFormat: { type: "json", schema: { type: "array", items: { type: "string" } } },
      }),
    );

    expect(parts.filter((part) => part.type === "text-delta")).toEqual([
      { type: "text-delta", delta: '["Paris","Lyon"]' },
    ]);
  });

  it("should end with the message_delta usage when message_start had only the input", async () => {
    const events = splitSseEvents(readFixture("messages-text.sse"));
    const lastDelta = sseEvent("message_delta", {
      type: "message_delta",
      delta: { stop_reason: "max_tokens", stop_sequence: null },
      usage: { output_tokens: 4096 },
    });
    server.enqueue({ type: "sse", events: [...events.slice(0, -2), lastDelta, events.at(-1)!] });

    const { parts } = await readStream(await model.stream({ messages: [{ role: "user", content: "Go on" }] }));

    expect(parts.at(-1)).toEqual({
      type: "finish",
      finishReason: "length",
      rawFinishReason: "max_tokens",
      usage: { inputTokens: 2062, outputTokens: 4096, cachedInputTokens: 2048, totalTokens: 6158 },
    });
  });
});
