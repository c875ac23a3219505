import type { DurableContext } from "@agnt5/core";
import { DurableExecution, type JournalEntry, type Outbound } from "@agnt5/durable";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { LlmApiError } from "./language-model-v1/llm-errors.js";
import { attachLlmContext } from "./llm-context.js";
import { tool } from "./llm-tools.js";
import { ScriptedModel } from "./test/index.js";

/** Runs `handler` on the durable engine with `journal`, acking every proposal as the coordinator would. */
function runDurable(journal: JournalEntry[], handler: (ctx: DurableContext) => Promise<unknown>) {
  const frames: Outbound[] = [];
  const execution: DurableExecution = new DurableExecution({
    invocationId: "inv-1",
    runId: "run-1",
    attempt: 1,
    componentType: "workflow",
    componentName: "assistant",
    serviceName: "shop",
    journal,
    suspendAfterMs: 60_000,
    defaultStepRetry: { maxAttempts: 3, initialIntervalMs: 1, maxIntervalMs: 5, backoffMultiplier: 2 },
    send: (frame) => {
      frames.push(frame);
      if (frame.type === "propose") queueMicrotask(() => execution.onAck(frame.entry.index, frame.entry.result));
    },
  });
  expect(attachLlmContext(execution.context)).toBe(true);
  const outcome = execution.run(handler);
  const proposals = () => frames.flatMap((frame) => (frame.type === "propose" ? [frame.entry] : []));
  return { outcome, proposals };
}

describe("ctx.llm", () => {
  it("journals a generate call as a step carrying the result, and a replay returns it without calling the model", async () => {
    const model = new ScriptedModel([{ text: "Bonjour", usage: { inputTokens: 4, outputTokens: 1 } }], {
      provider: "openai",
      modelId: "gpt-4o-mini",
    });
    const handler = async (ctx: DurableContext) => {
      const result = await ctx.llm.generate({ model, prompt: "Say hello in French" });
      return { text: result.text, tokens: result.usage.totalTokens };
    };
    const first = runDurable([], handler);
    await expect(first.outcome).resolves.toEqual({ type: "completed", value: { text: "Bonjour", tokens: 5 } });
    const journal = first.proposals();
    expect(journal).toEqual([
      {
        index: 0,
        kind: "step",
        name: "llm:openai/gpt-4o-mini",
        request: null,
        result: { ok: true, value: expect.objectContaining({ text: "Bonjour", finishReason: "stop" }) },
      },
    ]);
    model.assertAllCallsUsed();

    const unscripted = new ScriptedModel([], { provider: "openai", modelId: "gpt-4o-mini" });
    const replay = runDurable(journal, async (ctx) => {
      const result = await ctx.llm.generate({ model: unscripted, prompt: "Say hello in French" });
      return { text: result.text, tokens: result.usage.totalTokens };
    });
    await expect(replay.outcome).resolves.toEqual({ type: "completed", value: { text: "Bonjour", tokens: 5 } });
    expect(unscripted.calls).toHaveLength(0);
    expect(replay.proposals()).toEqual([]);
  });

  it("journals each model call and each tool run of a multi-step generate", async () => {
    let runs = 0;
    const lookup = tool({
      input: z.object({ sku: z.string() }),
      execute: ({ sku }) => {
        runs++;
        return { sku, stock: 3 };
      },
    });
    const script = () =>
      new ScriptedModel([{ toolCalls: [{ toolName: "lookup", input: { sku: "A1" } }] }, { text: "3 in stock" }], {
        provider: "acme",
        modelId: "m",
      });
    const handler = (model: ScriptedModel) => async (ctx: DurableContext) =>
      (await ctx.llm.generate({ model, prompt: "Stock of A1?", tools: { lookup }, maxSteps: 2 })).text;
    const first = runDurable([], handler(script()));
    await expect(first.outcome).resolves.toEqual({ type: "completed", value: "3 in stock" });
    expect(first.proposals().map((entry) => entry.name)).toEqual(["llm:acme/m", "tool:lookup", "llm:acme/m"]);

    const replay = runDurable(first.proposals(), handler(new ScriptedModel([], { provider: "acme", modelId: "m" })));
    await expect(replay.outcome).resolves.toEqual({ type: "completed", value: "3 in stock" });
    expect(runs).toBe(1);
  });

  it("journals generateObject's answer and parses it again on replay", async () => {
    const schema = z.object({ when: z.coerce.date() });
    const model = new ScriptedModel([{ object: { when: "2026-01-15T12:00:00.000Z" } }]);
    const handler = (scripted: ScriptedModel) => async (ctx: DurableContext) => {
      const { object } = await ctx.llm.generateObject({
        model: scripted,
        schema,
        prompt: "When?",
        stepName: "extract-date",
      });
      return object.when instanceof Date ? object.when.getUTCFullYear() : "not a date";
    };
    const first = runDurable([], handler(model));
    await expect(first.outcome).resolves.toEqual({ type: "completed", value: 2026 });
    expect(first.proposals().map((entry) => entry.name)).toEqual(["extract-date"]);
    const replay = runDurable(first.proposals(), handler(new ScriptedModel([])));
    await expect(replay.outcome).resolves.toEqual({ type: "completed", value: 2026 });
  });

  it("streams live on the first run, records the parts, and replays them without calling the model", async () => {
    const model = new ScriptedModel([
      {
        parts: [
          { type: "text-delta", delta: "Once " },
          { type: "text-delta", delta: "upon " },
          { type: "text-delta", delta: "a time" },
          {
            type: "finish",
            finishReason: "stop",
            usage: { inputTokens: 3, outputTokens: 4, cachedInputTokens: 0, totalTokens: 7 },
          },
        ],
      },
    ]);
    const handler = (scripted: ScriptedModel) => async (ctx: DurableContext) => {
      const result = await ctx.llm.stream({ model: scripted, prompt: "Tell a story" });
      const deltas: string[] = [];
      for await (const delta of result.textStream) deltas.push(delta);
      return { deltas: deltas.length, text: await result.text, usage: (await result.usage).totalTokens };
    };
    const first = runDurable([], handler(model));
    await expect(first.outcome).resolves.toEqual({
      type: "completed",
      value: { deltas: 3, text: "Once upon a time", usage: 7 },
    });
    const [entry] = first.proposals();
    expect(entry?.name).toBe("llm:scripted/scripted-model");
    expect(entry?.result).toEqual({
      ok: true,
      value: {
        parts: [
          { type: "text-delta", delta: "Once upon a time" },
          {
            type: "finish",
            finishReason: "stop",
            usage: { inputTokens: 3, outputTokens: 4, cachedInputTokens: 0, totalTokens: 7 },
          },
        ],
      },
    });

    const unscripted = new ScriptedModel([]);
    const replay = runDurable(first.proposals(), handler(unscripted));
    await expect(replay.outcome).resolves.toEqual({
      type: "completed",
      value: { deltas: 1, text: "Once upon a time", usage: 7 },
    });
    expect(unscripted.calls).toHaveLength(0);
  });

  it("fails the step, without retrying, when a stream breaks after its first part", async () => {
    const reset = new LlmApiError({ message: "connection reset", provider: "test" });
    const model = new ScriptedModel([{ parts: [{ type: "text-delta", delta: "Once" }], error: reset }]);
    const run = runDurable([], async (ctx) => {
      const result = await ctx.llm.stream({ model, prompt: "Tell a story" });
      const deltas: string[] = [];
      try {
        for await (const delta of result.textStream) deltas.push(delta);
      } catch (error) {
        return { deltas, error: (error as Error).name, message: (error as Error).message };
      }
      return { deltas };
    });
    await expect(run.outcome).resolves.toEqual({
      type: "completed",
      value: {
        deltas: ["Once"],
        error: "StepFailedError",
        message: 'The stream of "llm:scripted/scripted-model" failed after 1 parts: connection reset',
      },
    });
    model.assertAllCallsUsed();
  });

  it("retries a retryable error through the step's policy", async () => {
    const busy = new LlmApiError({ message: "busy", provider: "test", statusCode: 503 });
    const model = new ScriptedModel([{ error: busy }, { text: "done" }]);
    const run = runDurable([], async (ctx) => (await ctx.llm.generate({ model, prompt: "Hi" })).text);
    await expect(run.outcome).resolves.toEqual({ type: "completed", value: "done" });
    model.assertAllCallsUsed();
  });

  it("fails the step at once on a non-retryable error, keeping its code", async () => {
    const unauthorized = new LlmApiError({ message: "invalid api key", provider: "openai", statusCode: 401 });
    const model = new ScriptedModel([{ error: unauthorized }]);
    const run = runDurable([], async (ctx) => {
      try {
        await ctx.llm.generate({ model, prompt: "Hi" });
        return "unreachable";
      } catch (error) {
        return { name: (error as Error).name, code: (error as { code?: string }).code };
      }
    });
    await expect(run.outcome).resolves.toEqual({
      type: "completed",
      value: { name: "StepFailedError", code: "LLM_AUTHENTICATION_ERROR" },
    });
    expect(run.proposals()[0]?.result).toMatchObject({ ok: false, failure: { code: "LLM_AUTHENTICATION_ERROR" } });
    model.assertAllCallsUsed();
  });
});
