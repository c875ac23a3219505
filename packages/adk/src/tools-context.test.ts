import type { DurableContext } from "@agnt5/core";
import { attachLlmContext } from "@agnt5/llm";
import { ScriptedModel } from "@agnt5/llm/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { attachToolsContext, tool } from "./index.js";
import { runDurable } from "./test-support/durable-run.js";

/** ctx as the SDK's worker builds it: ctx.llm and ctx.tools attached. */
const withContexts = (handler: (ctx: DurableContext) => Promise<unknown>) => async (ctx: DurableContext) => {
  attachLlmContext(ctx);
  attachToolsContext(ctx);
  return handler(ctx);
};

describe("ctx.tools and ctx.llm.generate({ tools })", () => {
  it("runs the seed's 'LLM with Tool Execution' pattern, journaling the model call and each tool run", async () => {
    const searches: string[] = [];
    const handler = (model: ScriptedModel) =>
      withContexts(async (ctx) => {
        const search = ctx.tools.register("search", {
          handler: ({ query }: { query: string }) => {
            searches.push(query);
            return [`result for ${query}`];
          },
          description: "Search the web for information",
          schema: {
            type: "object",
            properties: { query: { type: "string" }, max_results: { type: "integer" } },
            required: ["query"],
          },
        });
        const response = await ctx.llm.generate({ model, prompt: "What is AGNT5?", tools: [search] });
        const results: unknown[] = [];
        for (const call of response.toolCalls) results.push(await ctx.tools.handler(call.toolName)(call.input));
        return { toolCalls: response.toolCalls.map((call) => call.toolName), results };
      });
    const script = [{ toolCalls: [{ toolCallId: "s1", toolName: "search", input: { query: "AGNT5" } }] }];
    const model = new ScriptedModel(script);
    const first = runDurable([], handler(model));
    const expected = { type: "completed", value: { toolCalls: ["search"], results: [["result for AGNT5"]] } };
    await expect(first.outcome).resolves.toEqual(expected);
    expect(model.calls[0]?.request.tools).toEqual([
      {
        name: "search",
        description: "Search the web for information",
        inputSchema: expect.objectContaining({ type: "object", required: ["query"] }),
      },
    ]);
    expect(first.proposals().map((entry) => entry.name)).toEqual(["llm:scripted/scripted-model", "tool:search"]);

    const replay = runDurable(first.proposals(), handler(new ScriptedModel([])));
    await expect(replay.outcome).resolves.toEqual(expected);
    expect(searches).toEqual(["AGNT5"]);
  });

  it("rejects a handler call with arguments that do not fit, naming the field, and an unknown tool", async () => {
    const run = runDurable(
      [],
      withContexts(async (ctx) => {
        ctx.tools.register("search", {
          handler: () => "x",
          description: "Search",
          schema: { type: "object", properties: { query: { type: "string" } }, required: ["query"] },
        });
        const errors: unknown[] = [];
        for (const call of [() => ctx.tools.handler("search")({ query: 7 }), () => ctx.tools.handler("nope")({})]) {
          await call().catch((error: { code: string; message: string }) => errors.push([error.code, error.message]));
        }
        return errors;
      }),
    );
    await expect(run.outcome).resolves.toEqual({
      type: "completed",
      value: [
        ["INVALID_ARGUMENT", expect.stringContaining('Invalid arguments for tool "search": query: must be string')],
        ["TOOL_NOT_FOUND", 'No tool "nope" is registered on this context (registered: search)'],
      ],
    });
  });

  it("lets ctx.llm.generate run adk tools itself (maxSteps), each run journaled once", async () => {
    const keys: string[] = [];
    const lookup = tool(
      { name: "lookup", description: "Stock of a SKU", input: z.object({ sku: z.string() }) },
      ({ sku }, ctx) => {
        keys.push(ctx.idempotencyKey);
        return { sku, stock: 3 };
      },
    );
    const handler = (model: ScriptedModel) =>
      withContexts(async (ctx) => {
        ctx.tools.register(lookup);
        return (await ctx.llm.generate({ model, prompt: "Stock of A1?", tools: ctx.tools.list(), maxSteps: 2 })).text;
      });
    const script = [
      { toolCalls: [{ toolCallId: "l1", toolName: "lookup", input: { sku: "A1" } }] },
      { text: "3 in stock" },
    ];
    const first = runDurable([], handler(new ScriptedModel(script)));
    await expect(first.outcome).resolves.toEqual({ type: "completed", value: "3 in stock" });
    expect(first.proposals().map((entry) => entry.name)).toEqual([
      "llm:scripted/scripted-model",
      "tool:lookup",
      "llm:scripted/scripted-model",
    ]);
    expect(keys).toEqual(["inv-1:tool:lookup:l1"]);
    const replay = runDurable(first.proposals(), handler(new ScriptedModel([])));
    await expect(replay.outcome).resolves.toEqual({ type: "completed", value: "3 in stock" });
    expect(keys).toHaveLength(1);
  });
});
