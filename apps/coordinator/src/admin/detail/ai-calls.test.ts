import type { TimelineEntry } from "@agnt5/admin-client";
import { describe, expect, it } from "vitest";
import { modelCallsOf, toolCallsOf, totalsOf } from "./ai-calls.js";

const entry = (index: number, name: string, result: unknown, extra: Partial<TimelineEntry> = {}): TimelineEntry => ({
  index,
  kind: "step",
  name,
  status: "completed",
  startedAt: "2026-12-02T10:00:00.000Z",
  completedAt: "2026-12-02T10:00:01.000Z",
  durationMs: 1000,
  attempts: 1,
  request: null,
  result,
  error: null,
  childRunId: null,
  ...extra,
});

const usage = (inputTokens: number, outputTokens: number) => ({ inputTokens, outputTokens, totalTokens: 0 });

describe("model and tool calls from a run's timeline", () => {
  it("reads ctx.llm's generate steps (model from the name) and matches tool runs to the calls the model asked for", () => {
    const timeline = [
      entry(0, "llm:openai/gpt-4o-mini", {
        text: "",
        toolCalls: [
          { toolCallId: "a", toolName: "weather", input: { city: "Paris" } },
          { toolCallId: "b", toolName: "weather", input: { city: "Oslo" } },
        ],
        usage: usage(10, 4),
      }),
      entry(1, "tool:weather", { c: 21 }),
      entry(2, "tool:weather", null, { status: "failed", error: { code: "DOWN", message: "no data" } }),
      entry(3, "llm:openai/gpt-4o-mini", { text: "Warm in Paris.", toolCalls: [], usage: usage(30, 6) }),
      entry(4, "save", { usage: "not a model call" }),
    ];
    const calls = modelCallsOf(timeline);
    expect(
      calls.map(({ index, model, inputTokens, outputTokens, latencyMs }) => ({
        index,
        model,
        inputTokens,
        outputTokens,
        latencyMs,
      })),
    ).toEqual([
      { index: 0, model: "openai/gpt-4o-mini", inputTokens: 10, outputTokens: 4, latencyMs: 1000 },
      { index: 3, model: "openai/gpt-4o-mini", inputTokens: 30, outputTokens: 6, latencyMs: 1000 },
    ]);
    expect(calls[1]?.answer).toBe("Warm in Paris.");
    expect(totalsOf(calls)).toEqual({ modelCalls: 2, inputTokens: 40, outputTokens: 10 });
    expect(toolCallsOf(timeline)).toEqual([
      { index: 1, tool: "weather", arguments: { city: "Paris" }, result: { c: 21 }, error: null },
      {
        index: 2,
        tool: "weather",
        arguments: { city: "Oslo" },
        result: null,
        error: { code: "DOWN", message: "no data" },
      },
    ]);
  });

  it("reads a streamed call's parts, the response's model id, and the prompt recorded beside the answer", () => {
    const timeline = [
      entry(0, "agent:bot:llm:0", {
        parts: [
          { type: "text-delta", delta: "Hel" },
          { type: "text-delta", delta: "lo" },
          { type: "finish", finishReason: "stop", usage: usage(7, 2) },
        ],
        prompt: { model: "openai/gpt-x", messages: [{ role: "user", content: "Hi" }], omittedMessages: 0 },
      }),
      entry(1, "agent:bot:llm:1", { text: "ok", toolCalls: [], usage: usage(1, 1), response: { modelId: "claude-x" } }),
    ];
    expect(modelCallsOf(timeline)).toEqual([
      expect.objectContaining({
        model: "openai/gpt-x",
        inputTokens: 7,
        outputTokens: 2,
        answer: "Hello",
        prompt: [{ role: "user", content: "Hi" }],
      }),
      expect.objectContaining({ model: "claude-x", prompt: null }),
    ]);
  });
});
