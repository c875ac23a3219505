import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { LlmApiError } from "./language-model-v1/llm-errors.js";
import { generateText } from "./llm-generate-text.js";
import { tool } from "./llm-tools.js";
import { ScriptedModel } from "./test/index.js";

const weather = tool({
  description: "Current weather in a city",
  input: z.object({ city: z.string().describe("City name"), unit: z.enum(["c", "f"]).default("c") }),
  execute: async ({ city, unit }) => ({ city, temperature: 21, unit }),
});

describe("generateText", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the system message and the prompt, and returns the text, usage and finish reason", async () => {
    const model = new ScriptedModel([
      { text: "Hi there", usage: { inputTokens: 7, outputTokens: 2, cachedInputTokens: 3 } },
    ]);
    const result = await generateText({ model, system: "Be brief", prompt: "Say hi", temperature: 0 });
    expect(result.text).toBe("Hi there");
    expect(result.finishReason).toBe("stop");
    expect(result.usage).toEqual({ inputTokens: 7, outputTokens: 2, cachedInputTokens: 3, totalTokens: 9 });
    expect(model.calls[0]?.request).toMatchObject({
      messages: [
        { role: "system", content: "Be brief" },
        { role: "user", content: "Say hi" },
      ],
      temperature: 0,
    });
    model.assertAllCallsUsed();
  });

  it("takes a list of named tools and runs them like tools by name", async () => {
    const model = new ScriptedModel([
      { toolCalls: [{ toolName: "weather", input: { city: "Oslo" } }] },
      { text: "21 degrees in Oslo" },
    ]);
    const result = await generateText({
      model,
      prompt: "Weather?",
      tools: [{ name: "weather", ...weather }],
      maxSteps: 2,
    });
    expect(model.calls[0]?.request.tools?.map((definition) => definition.name)).toEqual(["weather"]);
    expect(result.steps[0]?.toolResults).toEqual([
      {
        type: "tool-result",
        toolCallId: "call_1_1",
        toolName: "weather",
        output: { city: "Oslo", temperature: 21, unit: "c" },
      },
    ]);
    await expect(
      generateText({
        model,
        prompt: "x",
        tools: [
          { name: "weather", ...weather },
          { name: "weather", ...weather },
        ],
      }),
    ).rejects.toThrow('Two tools are named "weather"');
  });

  it("turns zod tool inputs into JSON Schema tool definitions", async () => {
    const model = new ScriptedModel([{ toolCalls: [{ toolName: "weather", input: { city: "Paris" } }] }]);
    const result = await generateText({ model, prompt: "Weather?", tools: { weather }, toolChoice: "required" });
    const request = model.calls[0]!.request;
    expect(request.toolChoice).toBe("required");
    expect(request.tools).toEqual([
      {
        name: "weather",
        description: "Current weather in a city",
        inputSchema: expect.objectContaining({
          type: "object",
          properties: {
            city: { type: "string", description: "City name" },
            unit: { type: "string", enum: ["c", "f"], default: "c" },
          },
          required: ["city"],
        }),
      },
    ]);
    // One step by default: the tool call is returned, not run.
    expect(result.toolCalls).toEqual([{ toolCallId: "call_1_1", toolName: "weather", input: { city: "Paris" } }]);
    expect(result.finishReason).toBe("tool-calls");
    expect(result.toolResults).toEqual([]);
  });

  it("with maxSteps, runs the tools and sends their results back until the model answers", async () => {
    const model = new ScriptedModel([
      { toolCalls: [{ toolName: "weather", input: { city: "Paris" } }], usage: { inputTokens: 10, outputTokens: 5 } },
      {
        response: { text: "21 °C in Paris", usage: { inputTokens: 20, outputTokens: 6 } },
        expect: (request) => {
          const last = request.messages.at(-1);
          return last?.role === "tool" && JSON.stringify(last.content).includes('"temperature":21');
        },
      },
    ]);
    const result = await generateText({ model, prompt: "Weather in Paris?", tools: { weather }, maxSteps: 3 });
    expect(result.text).toBe("21 °C in Paris");
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]?.toolResults).toEqual([
      {
        type: "tool-result",
        toolCallId: "call_1_1",
        toolName: "weather",
        output: { city: "Paris", temperature: 21, unit: "c" },
      },
    ]);
    expect(result.totalUsage).toEqual({ inputTokens: 30, outputTokens: 11, cachedInputTokens: 0, totalTokens: 41 });
    expect(result.responseMessages.map((message) => message.role)).toEqual(["assistant", "tool", "assistant"]);
    model.assertAllCallsUsed();
  });

  it("sends invalid tool input back to the model as an error result", async () => {
    const model = new ScriptedModel([
      { toolCalls: [{ toolName: "weather", input: { town: "Paris" } }] },
      { text: "Sorry" },
    ]);
    const result = await generateText({ model, prompt: "Weather?", tools: { weather }, maxSteps: 2 });
    expect(result.steps[0]?.toolResults[0]).toMatchObject({ isError: true, output: expect.stringContaining("city") });
  });

  it("retries a retryable error after its retry-after, and not a non-retryable one", async () => {
    vi.useFakeTimers();
    const rateLimited = new LlmApiError({
      message: "slow down",
      provider: "test",
      statusCode: 429,
      retryAfterMs: 2000,
    });
    const model = new ScriptedModel([{ error: rateLimited }, { text: "ok" }]);
    const result = generateText({ model, prompt: "Hi" });
    await vi.advanceTimersByTimeAsync(1999);
    expect(model.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toMatchObject({ text: "ok" });

    const invalid = new LlmApiError({ message: "bad request", provider: "test", statusCode: 400 });
    const strict = new ScriptedModel([{ error: invalid }]);
    await expect(generateText({ model: strict, prompt: "Hi" })).rejects.toBe(invalid);
    strict.assertAllCallsUsed();
  });

  it("passes the abort signal to the model and rejects with its reason", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    const model = new ScriptedModel([]);
    await expect(generateText({ model, prompt: "Hi", abortSignal: controller.signal })).rejects.toThrow("stop");
    expect(model.calls).toHaveLength(0);
  });

  it("rejects a call with both prompt and messages", async () => {
    const model = new ScriptedModel([]);
    await expect(
      generateText({ model, prompt: "a", messages: [{ role: "user", content: "b" }] }),
    ).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
