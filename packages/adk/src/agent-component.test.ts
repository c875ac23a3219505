import { type DurableContext, Registry } from "@agnt5/core";
import { LlmApiError } from "@agnt5/llm";
import { ScriptedModel, type ScriptedResponse } from "@agnt5/llm/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent, registerAgent, tool } from "./index.js";
import { runDurable } from "./test-support/durable-run.js";

const lookups: string[] = [];
const lookup = tool(
  { name: "lookup", description: "Stock of a SKU", input: z.object({ sku: z.string() }) },
  ({ sku }) => {
    lookups.push(sku);
    return { sku, stock: 3 };
  },
);

const SCRIPT: ScriptedResponse[] = [
  { text: "Checking.", toolCalls: [{ toolCallId: "t1", toolName: "lookup", input: { sku: "A1" } }] },
  {
    parts: [
      { type: "text-delta", delta: "A1: " },
      { type: "text-delta", delta: "3 in stock." },
      {
        type: "finish",
        finishReason: "stop",
        usage: { inputTokens: 1, outputTokens: 2, cachedInputTokens: 0, totalTokens: 3 },
      },
    ],
  },
];

function stockAgent(model: ScriptedModel) {
  return new Agent({ name: "stock", model, instructions: "Answer stock questions.", tools: [lookup] });
}

describe("registerAgent", () => {
  it("registers the agent as a component of kind agent with its run input schema and tools", () => {
    const registry = new Registry();
    const component = registerAgent(stockAgent(new ScriptedModel(SCRIPT)), { registry });
    expect(registry.get("stock")).toBe(component);
    expect(registry.agents()).toEqual({ stock: component });
    expect({ kind: component.kind, name: component.name, streaming: component.streaming }).toEqual({
      kind: "agent",
      name: "stock",
      streaming: false,
    });
    expect(component.inputSchema).toMatchObject({ required: ["input"], additionalProperties: false });
    expect(component.metadata).toMatchObject({
      type: "agent",
      description: "Answer stock questions.",
      agent: { tools: [{ name: "lookup", description: "Stock of a SKU" }], maxIterations: 10 },
    });
  });

  it("runs durably, streams one response event per model call, and a replay re-sends the same events", async () => {
    lookups.length = 0;
    const component = registerAgent(stockAgent(new ScriptedModel(SCRIPT)), { registry: false });
    const firstEvents: unknown[] = [];
    const first = runDurable([], (ctx: DurableContext) =>
      component.invokeWithEvents({ input: "Stock of A1?" }, ctx, (event) => firstEvents.push(event)),
    );
    const outcome = await first.outcome;
    expect(outcome).toMatchObject({ type: "completed", value: { status: "completed", output: "A1: 3 in stock." } });
    expect(firstEvents.map((event) => (event as { type: string }).type)).toEqual([
      "response",
      "thinking",
      "tool_call",
      "tool_result",
      "response",
    ]);
    expect(firstEvents.at(-1)).toEqual({ type: "response", agent: "stock", content: "A1: 3 in stock." });

    // A re-dispatch with the whole journal: no model call (the script is empty), no tool run, same events.
    const replayEvents: unknown[] = [];
    const replay = runDurable(first.journal(), (ctx: DurableContext) =>
      component.invokeWithEvents({ input: "Stock of A1?" }, ctx, (event) => replayEvents.push(event)),
    );
    await expect(replay.outcome).resolves.toEqual(outcome);
    expect(replayEvents).toEqual(firstEvents);
    expect(lookups).toEqual(["A1"]);
  });

  it("fails the run with the agent's error code when the agent fails for good, and names bad input", async () => {
    const model = new ScriptedModel([
      { error: new LlmApiError({ message: "invalid api key", provider: "openai", statusCode: 401 }) },
    ]);
    const component = registerAgent(stockAgent(model), { registry: false });
    const failed = runDurable([], (ctx: DurableContext) => component.invoke({ input: "Hi" }, ctx));
    await expect(failed.outcome).resolves.toMatchObject({
      type: "failed",
      failure: { code: "LLM_AUTHENTICATION_ERROR", message: 'Agent "stock" failed: invalid api key' },
    });
    const invalid = runDurable([], (ctx: DurableContext) => component.invoke({ input: 42 }, ctx));
    await expect(invalid.outcome).resolves.toMatchObject({
      type: "failed",
      failure: { code: "INVALID_INPUT", message: expect.stringContaining('"input": string or messages') },
    });
  });

  it("continues the conversation of a sessionId through the session option", async () => {
    const model = new ScriptedModel([{ text: "Hello again." }]);
    const stored: unknown[] = [];
    const component = registerAgent(stockAgent(model), {
      registry: false,
      session: (sessionId) => ({
        messages: () => [{ role: "user", content: `earlier turn of ${sessionId}` }],
        append: (messages) => {
          stored.push(...messages);
        },
      }),
    });
    const run = runDurable([], (ctx: DurableContext) => component.invoke({ input: "Hi", sessionId: "s-1" }, ctx));
    await expect(run.outcome).resolves.toMatchObject({ type: "completed", value: { output: "Hello again." } });
    expect(model.calls[0]?.request.messages).toContainEqual({ role: "user", content: "earlier turn of s-1" });
    expect(stored.length).toBeGreaterThan(0);
  });
});
