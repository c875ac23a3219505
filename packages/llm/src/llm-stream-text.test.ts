import { describe, expect, it } from "vitest";
import type { StreamPart } from "./language-model-v1/language-model-v1.js";
import { LlmApiError } from "./language-model-v1/llm-errors.js";
import { streamText } from "./llm-stream-text.js";
import { ScriptedModel } from "./test/index.js";

const usage = { inputTokens: 5, outputTokens: 3, cachedInputTokens: 0, totalTokens: 8 };

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe("streamText", () => {
  it("aggregates text, tool calls, usage and finish reason from the parts", async () => {
    const parts: StreamPart[] = [
      { type: "text-delta", delta: "Hel" },
      { type: "text-delta", delta: "lo" },
      { type: "tool-call-start", toolCallId: "t1", toolName: "search" },
      { type: "tool-call-delta", toolCallId: "t1", argumentsDelta: '{"q":"x"}' },
      { type: "tool-call-end", toolCallId: "t1", toolName: "search", input: { q: "x" } },
      { type: "finish", finishReason: "tool-calls", usage },
    ];
    const model = new ScriptedModel([{ method: "stream", response: { parts } }]);
    const result = streamText({ model, prompt: "Hi" });
    expect(await collect(result.textStream)).toEqual(["Hel", "lo"]);
    expect(await collect(result.parts)).toEqual(parts);
    expect(await result.text).toBe("Hello");
    expect(await result.toolCalls).toEqual([{ toolCallId: "t1", toolName: "search", input: { q: "x" } }]);
    expect(await result.usage).toEqual(usage);
    expect(await result.finishReason).toBe("tool-calls");
  });

  it("ends the parts with an error part and rejects the promises when the stream fails midway", async () => {
    const failure = new LlmApiError({ message: "connection reset", provider: "test" });
    const model = new ScriptedModel([{ parts: [{ type: "text-delta", delta: "Hi" }], error: failure }]);
    const result = streamText({ model, prompt: "Hi", maxRetries: 0 });
    expect(await collect(result.parts)).toEqual([
      { type: "text-delta", delta: "Hi" },
      { type: "error", error: failure },
    ]);
    await expect(result.text).rejects.toBe(failure);
    await expect(collect(result.textStream)).rejects.toBe(failure);
  });

  it("retries a retryable error before the first part", async () => {
    const overloaded = new LlmApiError({ message: "overloaded", provider: "test", statusCode: 529, retryAfterMs: 0 });
    const model = new ScriptedModel([{ error: overloaded }, { text: "fine" }]);
    const result = streamText({ model, prompt: "Hi" });
    expect(await result.text).toBe("fine");
    expect(await result.finishReason).toBe("stop");
    model.assertAllCallsUsed();
  });
});
